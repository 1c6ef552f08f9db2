"""Work orders pushed in by other systems (12345 hotline, city apps, departments' own systems).

Which key may push for which system: each system is a `Connector` whose `user` is the account
behind its API key. Only that account (or a superuser) pushes orders for the system, and it
reports through `events.services.report_event` like any staff member, so its role decides the
rest: a role that may not report for a channel (a resident's, a read-only leader's) is refused
(403), and the place must lie in the units it works for when it is named by unit code.

Idempotency: one event per (system, order number) (`WorkOrder`). The same order pushed again
answers the same event; the same number with other content is a 409 naming the event.
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core import privacy
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.events import numbering
from civicgrid.events import services as event_services
from civicgrid.events.models import Category, Event
from civicgrid.interop.models import CategoryMapping, Connector, WorkOrder
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import sees_everything

# A slug a connector may not take: it names the by-event update path of the API.
RESERVED_SYSTEMS = frozenset({"by-event"})


@dataclass(frozen=True)
class PushedOrder:
    """An order as another system pushes it (the API's body, parsed)."""

    system: str
    order_number: str
    title: str
    category: str
    description: str = ""
    lat: float | None = None
    long: float | None = None
    address_id: str = ""
    address: str = ""
    created_time: dt.datetime | None = None
    deadline: dt.datetime | None = None
    caller_name: str = ""
    caller_phone: str = ""
    priority: str = "normal"

    def fingerprint(self) -> str:
        """A keyed hash of the whole order: it holds the caller's phone, which a plain hash
        beside the order's other fields (kept in clear on the event) would give away."""
        content = json.dumps(self.__dict__, sort_keys=True, ensure_ascii=False, default=str)
        return privacy.blind_index("work-order:" + content)


def connector_for(actor, system: str) -> Connector:
    """The active connector of `system` that `actor` may push for; 400 for an unknown system,
    403 for a key that is not the system's."""
    connector = Connector.objects.filter(system=system, active=True).first()
    if connector is None:
        raise InvalidInput(
            _("Unknown source system “%(system)s”.") % {"system": system}, field="system"
        )
    if connector.user_id != getattr(actor, "pk", None) and not sees_everything(actor):
        raise NotAllowed(
            _("This API key may not push orders for “%(system)s”.") % {"system": system}
        )
    return connector


def category_for(system: str, code: str) -> Category:
    """Their code mapped (CategoryMapping), else one of our own sub-category codes; anything
    else is a 400 naming the code."""
    mapping = CategoryMapping.objects.select_related("category").filter(system=system, code=code)
    found = mapping.first()
    category = (
        found.category
        if found
        else Category.objects.filter(code=code, parent__isnull=False, active=True).first()
    )
    if category is None:
        raise InvalidInput(
            _("Unknown category code “%(code)s” of “%(system)s”: add a category mapping.")
            % {"code": code, "system": system},
            field="category",
            details={"code": code},
        )
    return category


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time without a zone is Beijing time (the settings' TIME_ZONE)."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _place(order: PushedOrder) -> tuple[Any, Any, OrgUnit | None]:
    if order.lat is not None and order.long is not None:
        return order.long, order.lat, None
    if order.address_id:
        unit = OrgUnit.objects.filter(code=order.address_id, active=True).first()
        if unit is None or unit.centre_lon is None or unit.centre_lat is None:
            raise InvalidInput(
                _("Unknown unit code “%(code)s”.") % {"code": order.address_id},
                field="address_id",
            )
        return unit.centre_lon, unit.centre_lat, unit
    raise InvalidInput(_("Give the place as lat and long, or as address_id."), field="lat")


def _existing(system: str, number: str) -> WorkOrder | None:
    return (
        WorkOrder.objects.select_related("event").filter(system=system, order_number=number).first()
    )


def _replay(found: WorkOrder, fingerprint: str) -> Event:
    if found.fingerprint != fingerprint:
        raise Conflict(
            _(
                "Order %(number)s of “%(system)s” was already received as event %(event)s "
                "with other content."
            )
            % {"number": found.order_number, "system": found.system, "event": found.event.number},
            field="order_number",
            details={"event": found.event.number},
        )
    return found.event


def receive_work_order(*, actor, order: PushedOrder) -> tuple[Event, bool]:
    """Report the event of a pushed order, once. Returns the event and whether it is new.

    The event is reported by `actor` (the connector's API user) through `report_event` with the
    order's created time, its deadline as the closure deadline, the caller as reporter, and the
    connector's channel as source; its WorkOrder row is written in the same transaction."""
    connector = connector_for(actor, order.system)
    number = order.order_number.strip()
    if not number or len(number) > 64:
        raise InvalidInput(_("An order number is 1 to 64 characters."), field="order_number")
    fingerprint = order.fingerprint()
    found = _existing(order.system, number)
    if found is not None:
        return _replay(found, fingerprint), False
    category = category_for(order.system, order.category)
    lon, lat, unit = _place(order)
    now = timezone.now()
    at = _aware(order.created_time) or now
    if at > now + dt.timedelta(minutes=5):
        raise InvalidInput(_("The order's created time lies in the future."), field="created_time")
    # A clock a little ahead of ours is taken as now: the event's later steps use our clock, and
    # its timeline must not run backwards.
    at = min(at, now)
    ident = numbering.take(at)  # before the transaction, as report_event_once does
    try:
        with transaction.atomic():
            event = event_services.report_event(
                actor=actor,
                title=order.title,
                category=category,
                lon=lon,
                lat=lat,
                unit=unit,
                description=order.description,
                address=order.address,
                source=connector.source,
                priority=order.priority,
                reporter_name=order.caller_name,
                reporter_phone=order.caller_phone,
                at=at,
                closure_due=_aware(order.deadline),
                ident=ident,
            )
            WorkOrder.objects.create(
                system=order.system, order_number=number, event=event, fingerprint=fingerprint
            )
    except IntegrityError:
        # The same order pushed twice at the same moment: answer what the other push made.
        found = _existing(order.system, number)
        if found is None:
            raise
        return _replay(found, fingerprint), False
    event.refresh_from_db()
    return event, True


def record_work_order(event: Event, system: str, number: str) -> None:
    """`events.services.work_order_hooks`: staff recorded a hotline order by hand. One event
    per order: a number another event has is refused, naming that event."""
    system, number = system.strip(), number.strip()
    if not system or not number:
        raise InvalidInput(_("Give both the source system and the order number."), field="order")
    if len(system) > 40 or len(number) > 64:
        raise InvalidInput(_("That order number is too long."), field="order")
    found = _existing(system, number)
    if found is not None:
        raise InvalidInput(
            _("Order %(number)s of “%(system)s” is already event %(event)s.")
            % {"number": number, "system": system, "event": found.event.number},
            field="order",
            details={"event": found.event.number},
        )
    try:
        with transaction.atomic():
            WorkOrder.objects.create(system=system, order_number=number, event=event)
    except IntegrityError:
        raise InvalidInput(
            _("Order %(number)s of “%(system)s” was just recorded for another event.")
            % {"number": number, "system": system},
            field="order",
        ) from None


# ---- progress pushed by another system ----------------------------------------------------------

# What another system may say about an order's event, and the service that says it.
UPDATES = {
    "report_in": lambda actor, event, note: event_services.report_in(
        actor=actor, event=event, note=note
    ),
    # "In progress": report in when whistled and not answered yet, else sign for it.
    "start": lambda actor, event, note: event_services.start_handling(
        actor=actor, event=event, note=note
    ),
    "resolve": lambda actor, event, note: event_services.resolve_event(
        actor=actor, event=event, note=note
    ),
}


def event_of_order(actor, system: str, number: str) -> Event:
    """The event of an order of `system` that `actor` pushes for (404 for an unknown order)."""
    from django.http import Http404

    connector_for(actor, system)
    found = _existing(system, number)
    if found is None:
        raise Http404
    return found.event


def update_event(*, actor, event: Event, action: str, note: str = "") -> Event:
    """A department's (or the hotline's) system reports progress on `event` through the same
    services as the pages: report in (报到), start handling, resolve. The workflow checks the
    actor's role and the event's status (403 / 409)."""
    service = UPDATES.get(action)
    if service is None:
        raise InvalidInput(_("Unknown update."), field="action")
    return service(actor, event, note)
