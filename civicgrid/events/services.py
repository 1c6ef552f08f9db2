"""Every write to events. One transition table, one function per step.

Each step locks the event row, checks the table (status) and the actor's role, moves the
state, appends an immutable EventStep and adds the change in the event's contributions to the
rollup rows — all in one transaction. An illegal or stale step raises Conflict (409); a step
the actor's role may not take raises NotAllowed (403). `actor=None` is the system itself
(escalation, follow-up reminders) or, where a service says so, an anonymous resident.
"""

import datetime as dt
import hashlib
import hmac
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.cleaning import plain_text, plain_values
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.core.photos import Photo, read_photos
from civicgrid.core.workflow import Change
from civicgrid.events import numbering, rollups, suggestions, worker_rollups
from civicgrid.events.models import (
    FOLLOW_UP_CALL,
    REPORTER_PHONE,
    Category,
    CrossBoundary,
    Event,
    EventPhoto,
    EventStep,
    PhotoStage,
    Priority,
    RatingChannel,
    ReportKey,
    Satisfaction,
    Source,
    Status,
    StepAction,
    Whistle,
    WhistleKind,
    WhistleTarget,
)
from civicgrid.events.roles import (
    DISPATCH_ROLES,
    GRID_ROLES,
    VERIFY_ROLES,
    WRITING_ROLES,
)
from civicgrid.events.workdays import add_working_days, add_working_hours
from civicgrid.events.workflow import (
    EVENTS,
    handled_by_department,
    is_resident,
    resolvers,
    superuser,
)
from civicgrid.messaging.services import notify
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit, Posting
from civicgrid.org.roles import Role
from civicgrid.org.scoping import holds, postings_of_user, roles_over
from civicgrid.org.selectors import departments_serving, unit_at, units_above
from civicgrid.org.tree import district_of, is_under

S = Status
A = StepAction
logger = logging.getLogger(__name__)

# ---- who may report ---------------------------------------------------------------------------


def may_report(actor) -> bool:
    """Whether `actor` may report an event as themselves: anyone with a writing role, and an
    account with no posting at all (a resident's); a read-only leader may not (org/roles.py).
    Residents without an account report through the public page (`actor=None`)."""
    if actor is None or superuser(actor):
        return True
    postings = postings_of_user(actor)
    return not postings or any(role in WRITING_ROLES for _code, role in postings)


def may_handle_on_the_spot(actor) -> bool:
    """Whether `actor` is offered on-the-spot handling (即报即办): grid workers, grid and
    micro-grid leaders (`report_event` checks the grid of the place itself)."""
    if actor is None:
        return False
    return superuser(actor) or any(role in GRID_ROLES for _code, role in postings_of_user(actor))


# Steps another app takes through its own service and button (a case of civicgrid.mediation
# hands its dispute to mediation): never offered as an event step of their own.
TAKEN_ELSEWHERE = frozenset({A.MEDIATE})


def allowed_actions(actor, event: Event) -> list[str]:
    """The steps `actor` may take on `event` now (for buttons; the services check again)."""
    return [action for action in EVENTS.allowed(actor, event) if action not in TAKEN_ELSEWHERE]


# ---- the one step function --------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def _save_photos(event: Event, step: EventStep | None, photos: Sequence[Photo], stage: str):
    for photo in photos:
        EventPhoto.objects.create(
            event=event,
            step=step,
            stage=stage,
            image=photo.content,
            width=photo.width,
            height=photo.height,
        )


def staff_at(codes: Iterable[str], roles: Iterable[str]) -> list[int]:
    return list(
        Posting.objects.filter(
            unit__code__in=list(codes), role__in=list(roles), active=True
        ).values_list("user_id", flat=True)
    )


def _dispatchers_of(event: Event) -> list[int]:
    """Staff who accept and dispatch events at the event's community and street."""
    return staff_at(ancestor_codes(event.unit_code), DISPATCH_ROLES - {Role.DISTRICT_STAFF})


def ancestor_codes(code: str) -> list[str]:
    return list(units_above(code).values_list("code", flat=True))


# Other apps told about every step, in the step's own transaction (after its log row): an app
# above events (interop's outbox) registers here in its AppConfig.ready, so that events imports
# nothing above it. A hook that raises rolls the step back.
step_hooks: list[Callable[[Event, EventStep], None]] = []
# Record an event's order in another system (12345 工单号), in the report's transaction:
# hook(event, system, order_number); registered by interop. It raises InvalidInput when the
# order already belongs to another event.
work_order_hooks: list[Callable[[Event, str, str], None]] = []


def step_event(
    event: Event | int,
    action: str,
    *,
    actor,
    version: int | None = None,
    note: str = "",
    details: dict | None = None,
    change: Change | None = None,
    photos: Sequence[Photo] = (),
    photo_stage: str = PhotoStage.AFTER,
    extra: dict | None = None,
    at: dt.datetime | None = None,
) -> Event:
    """One step through the workflow engine; the step's photos are kept with its log row."""

    def keep_photos(locked: Event, step: EventStep) -> None:  # the log row of EVENTS
        _save_photos(locked, step, photos, photo_stage)
        # A verify step counts for whoever took it (the per-worker rows).
        worker_rollups.step_taken(locked, step)
        for hook in step_hooks:
            hook(locked, step)

    return EVENTS.run(
        event,
        action,
        actor=actor,
        now=at or _now(),
        version=version,
        note=note,
        details=details,
        change=change,
        extra=extra,
        after=keep_photos,
    )


def _event_row(event: Event | int) -> Event:
    return event if isinstance(event, Event) else Event.objects.get(pk=event)


def _require_note(note: str, message: str) -> str:
    note = plain_text(note).strip()
    if not note:
        raise InvalidInput(message, field="note")
    return note


# ---- reporting ---------------------------------------------------------------------------------


def checked_point(lon: Any, lat: Any) -> tuple[float, float]:
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise InvalidInput(
            _("Give the place as longitude and latitude."), field="location"
        ) from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(_("That is not a place on Earth."), field="location")
    return lon, lat


def _check_category(category: Category | None) -> Category:
    if category is None or not category.active:
        raise InvalidInput(_("Choose a category."), field="category")
    if category.parent_id is None:
        raise InvalidInput(_("Choose a sub-category, not a class."), field="category")
    return category


def check_attributes(category: Category, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to the category's extra questions, checked against their definitions."""
    clean: dict[str, Any] = {}
    for question in category.attributes:
        code = question["code"]
        value: Any = answers.get(code)  # a JSON value
        if value in (None, "", []):
            if question.get("required"):
                raise InvalidInput(
                    _("Answer “%(question)s”.") % {"question": question["description"]},
                    field=f"attribute[{code}]",
                )
            continue
        datatype = question.get("datatype", "string")
        keys = {item["key"] for item in question.get("values", [])}
        if datatype == "number":
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise InvalidInput(
                    _("“%(question)s” must be a number.") % {"question": question["description"]},
                    field=f"attribute[{code}]",
                ) from None
        elif datatype == "singlevaluelist" and str(value) not in keys:
            raise InvalidInput(
                _("“%(question)s”: choose one of the given answers.")
                % {"question": question["description"]},
                field=f"attribute[{code}]",
            )
        elif datatype == "multivaluelist":
            value = [value] if isinstance(value, str) else list(value)
            if not set(map(str, value)) <= keys:
                raise InvalidInput(
                    _("“%(question)s”: choose among the given answers.")
                    % {"question": question["description"]},
                    field=f"attribute[{code}]",
                )
        else:
            value = str(value)[:500]
        clean[code] = value
    return clean


def report_event(
    *,
    actor,
    title: str,
    category: Category | None,
    lon: Any = None,
    lat: Any = None,
    description: str = "",
    address: str = "",
    source: str | None = None,
    priority: str = Priority.NORMAL,
    photos: Iterable = (),
    reporter_name: str = "",
    reporter_phone: str = "",
    anonymous: bool = False,
    attributes: dict | None = None,
    unit: OrgUnit | None = None,
    at: dt.datetime | None = None,
    on_the_spot: bool = False,
    resolution: str = "",
    after_photos: Iterable = (),
    spot_check: bool | None = None,
    ident: tuple[int, str] | None = None,
    closure_due: dt.datetime | None = None,
    media_url: str = "",
    work_order: tuple[str, str] | None = None,
) -> Event:
    """Report a problem. Anyone may: staff with a writing role report as themselves (patrol by
    default); anyone else, or `actor=None` (the public page), reports as a resident and must
    leave a phone number. The unit comes from the point (photo GPS when no point is given);
    staff who cover another unit may name it instead. Notifies the community's dispatchers.

    `on_the_spot` (即报即办): a grid worker who fixed the problem on patrol reports it done in
    the same step, with before (`photos`) and after (`after_photos`) photos and what was done
    (`resolution`). The event is closed at once, unless it is drawn for the community's spot
    check (`spot_check_drawn`; `spot_check` decides instead, for imports of history and the
    demo): then it waits, resolved, for the community to verify it.

    `closure_due` replaces the category's closure deadline (a source system's own deadline: a
    12345 order's, or from a trusted Open311 key); `media_url` is a link to the reporter's own
    media, kept in the report step's details and never fetched. `work_order`: (system, order
    number) of the order this report records (staff only; see `work_order_hooks`)."""
    title = plain_text(title).strip()
    if not title:
        raise InvalidInput(_("Say in a few words what the problem is."), field="title")
    category = _check_category(category)
    cleaned_photos = read_photos(photos)
    cleaned_after = read_photos(after_photos) if on_the_spot else []
    if on_the_spot:
        resolution = _require_note(resolution, _("Say what was done on the spot."))
        if not cleaned_photos:
            raise InvalidInput(_("Add a photo of the problem before handling."), field="photos")
        if not cleaned_after:
            raise InvalidInput(_("Add a photo of the result after handling."), field="after_photos")
    if (lon in (None, "") or lat in (None, "")) and cleaned_photos:
        gps = next((photo.gps for photo in cleaned_photos if photo.gps), None)
        if gps:
            lon, lat = gps
    if lon in (None, "") or lat in (None, ""):
        raise InvalidInput(_("Give the place of the problem on the map."), field="location")
    lon, lat = checked_point(lon, lat)
    staff = actor is not None and (
        superuser(actor) or any(role in WRITING_ROLES for _code, role in postings_of_user(actor))
    )
    if not staff and not may_report(actor):
        raise NotAllowed(_("A read-only role may not report events."))
    if source is None:
        source = Source.PATROL if staff else Source.RESIDENT
    if source not in Source.values:
        raise InvalidInput(_("Unknown source."), field="source")
    if not staff and source not in {Source.RESIDENT, Source.API}:
        raise NotAllowed(_("Only staff may report on behalf of a channel."))
    if priority not in Priority.values:
        raise InvalidInput(_("Unknown priority."), field="priority")
    phone = (reporter_phone or "").strip()
    if not staff and not phone and actor is None:
        raise InvalidInput(
            _("Leave a phone number so that we can tell you the result."), field="reporter_phone"
        )
    if phone and not (phone.replace("-", "").isdigit() and 7 <= len(phone) <= 20):
        raise InvalidInput(_("That is not a phone number."), field="reporter_phone")
    if unit is not None:
        if not (staff and holds(actor, unit.code, WRITING_ROLES)):
            raise NotAllowed(_("You may only place events in units you work for."))
    else:
        unit = unit_at(lon, lat)
        if unit is None:
            raise InvalidInput(
                _("This place lies outside every grid of the platform."), field="location"
            )
    if on_the_spot and not (staff and holds(actor, unit.code, GRID_ROLES)):
        raise NotAllowed(_("Only the grid's own workers report a problem as handled on the spot."))
    answers = check_attributes(category, plain_values(attributes or {}))
    at = at or _now()
    # Reads done before the transaction, so that it holds the write lock only for writes.
    chain = rollups.chains_of([unit.code])
    # The chain is the units at and above this one: the same codes as ancestor_codes.
    dispatchers = staff_at(
        [code for _id, code in chain(unit.code)], DISPATCH_ROLES - {Role.DISTRICT_STAFF}
    )
    response_due = add_working_hours(at, category.response_hours)
    if closure_due is not None and closure_due < at:
        raise InvalidInput(_("The closure deadline is before the report."), field="closure_due")
    closure_due = closure_due or add_working_days(at, category.closure_days)
    if work_order is not None and not (staff and work_order_hooks):
        raise NotAllowed(_("Only staff record another system's order number."))
    # Taken on its own (events.numbering): a caller that holds a transaction takes it first and
    # passes it as `ident`, so that the day's counter row is not locked for its whole report.
    event_id, number = ident or numbering.take(at)
    with transaction.atomic():
        event = Event(
            id=event_id,
            unit=unit,
            number=number,
            title=title[:100],
            description=plain_text(description).strip(),
            category=category,
            source=source,
            priority=priority,
            reporter=actor,
            reporter_name=plain_text(reporter_name or getattr(actor, "full_name", "")).strip()[:50],
            **REPORTER_PHONE.values(phone),
            anonymous=bool(anonymous),
            lon=lon,
            lat=lat,
            address=plain_text(address).strip()[:200],
            attributes=answers,
            reported_at=at,
            response_due=response_due,
            closure_due=closure_due,
        )
        if on_the_spot:
            _handled_on_the_spot(event, actor=actor, unit=unit, at=at, spot_check=spot_check)
        event.save(force_insert=True)
        if on_the_spot:
            step = EVENTS.start(
                event,
                A.REPORT_HANDLED,
                actor=actor,
                now=at,
                note=resolution,
                details={"source": source, "spot_check": event.spot_check},
            )
            _save_photos(event, step, cleaned_after, PhotoStage.AFTER)
        else:
            details: dict[str, Any] = {"source": source}
            if media_url:
                details["media_url"] = media_url
            step = EVENTS.start(event, A.REPORT, actor=actor, now=at, details=details)
        _save_photos(event, step, cleaned_photos, PhotoStage.BEFORE)
        if work_order is not None:
            for hook in work_order_hooks:
                hook(event, *work_order)
        if not on_the_spot:
            notify(
                users=dispatchers,
                text=_("New event %(number)s: %(title)s")
                % {"number": event.number, "title": title},
                link=event.get_absolute_url(),
            )
        elif event.spot_check:
            notify(
                users=dispatchers,
                text=_("Spot check, please verify: %(number)s") % {"number": number},
                link=event.get_absolute_url(),
            )
        # Last, so that the shared rows (the district's, the street's) stay locked
        # for as short a time as possible.
        rollups.apply(rollups.contributions(event), chain)
        worker_rollups.apply(worker_rollups.contributions(event))
        return event


def spot_check_drawn(number: str, share: float | None = None) -> bool:
    """Whether the on-the-spot event numbered `number` is drawn for the community's spot check:
    a keyed hash of the number, so the draw is reproducible but the reporter cannot foresee it;
    over many events `share` of them (CIVICGRID_SPOT_CHECK_SHARE) are drawn."""
    share = settings.SPOT_CHECK_SHARE if share is None else share
    if share <= 0:
        return False
    if share >= 1:
        return True
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"spot-check:" + number.encode(), hashlib.sha256
    ).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _handled_on_the_spot(
    event: Event, *, actor, unit: OrgUnit, at: dt.datetime, spot_check: bool | None
) -> None:
    """The fields of an event reported already handled: accepted, dispatched to and answered by
    its reporter at once, resolved; closed unless drawn for a spot check."""
    event.on_the_spot = True
    event.spot_check = spot_check_drawn(event.number) if spot_check is None else spot_check
    event.handler_unit = unit
    event.handler_user = actor
    event.accepted_at = event.dispatched_at = event.responded_at = event.resolved_at = at
    event.response_due = event.response_due or at
    if event.spot_check:
        event.status = S.RESOLVED
    else:
        event.status = S.CLOSED
        event.closed_at = at


# An API client may retry a report after a timeout: the same Idempotency-Key within this time
# answers the event the first attempt created.
REPORT_KEY_TTL = dt.timedelta(hours=24)


def _check_report_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > 100 or not key.isprintable():
        raise InvalidInput(
            _("An Idempotency-Key is 1 to 100 printable characters."), field="Idempotency-Key"
        )
    return key


def report_event_once(*, actor, key: str, fingerprint: str, **fields) -> tuple[Event, bool]:
    """`report_event` at most once per `actor` and client-chosen `key` (for REPORT_KEY_TTL).
    Returns the event and whether it was reported before (a replay). The same key with other
    content (`fingerprint`, a hash of the request) is a Conflict. Two requests with one key at
    the same moment: the key's row is written first, so the unique constraint lets one report
    through; the other waits for it, then answers its event."""
    key = _check_report_key(key)
    for _attempt in range(3):
        earlier = (
            ReportKey.objects.select_related("event")
            .filter(user=actor, key=key, created_at__gte=_now() - REPORT_KEY_TTL)
            .first()
        )
        if earlier is not None and earlier.event is not None:
            if earlier.fingerprint != fingerprint:
                raise Conflict(
                    _("This Idempotency-Key was already used for a different report."),
                    field="Idempotency-Key",
                )
            return earlier.event, True
        ident = numbering.take(fields.get("at") or _now())  # before the transaction
        try:
            with transaction.atomic():
                ReportKey.objects.filter(
                    user=actor, key=key, created_at__lt=_now() - REPORT_KEY_TTL
                ).delete()
                claim = ReportKey.objects.create(
                    user=actor, key=key, fingerprint=fingerprint, created_at=_now()
                )
                event = report_event(actor=actor, ident=ident, **fields)
                claim.event = event
                claim.save(update_fields=["event"])
            # Read back, so that the first answer is exactly what a replay will answer.
            event.refresh_from_db()
            return event, False
        except IntegrityError:
            # The same key was claimed at the same moment: read what that request made.
            continue
    raise Conflict(_("This report is being made right now. Try again in a moment."))


def purge_report_keys() -> int:
    """Forget Idempotency-Keys older than REPORT_KEY_TTL (a periodic job)."""
    return ReportKey.objects.filter(created_at__lt=_now() - REPORT_KEY_TTL).delete()[0]


# ---- the main line -----------------------------------------------------------------------------


def accept_event(
    *,
    actor,
    event,
    version=None,
    note: str = "",
    cross_boundary: str = "",
    at: dt.datetime | None = None,
) -> Event:
    """受理. Dispatchers of the event's unit."""
    if cross_boundary not in CrossBoundary.values:
        raise InvalidInput(_("Unknown cross-boundary reason."), field="cross_boundary")

    def change(e: Event, now: dt.datetime) -> None:
        e.accepted_at = now
        if cross_boundary:
            e.cross_boundary = cross_boundary

    return step_event(
        event, A.ACCEPT, actor=actor, version=version, note=note, change=change, at=at
    )


def reject_event(
    *, actor, event, reason: str, duplicate_of: Event | None = None, version=None
) -> Event:
    """Reject as invalid, or as a duplicate of another event (which must be visible to the
    actor; the caller fetches it through the selectors)."""
    reason = _require_note(reason, _("Say why the event is rejected."))
    pk = event.pk if isinstance(event, Event) else event
    if duplicate_of is not None and duplicate_of.pk == pk:
        raise InvalidInput(_("An event cannot duplicate itself."), field="duplicate_of")

    def change(e: Event, now: dt.datetime) -> None:
        e.duplicate_of = duplicate_of

    details = {"duplicate_of": duplicate_of.number} if duplicate_of else {}
    return step_event(
        event, A.REJECT, actor=actor, version=version, note=reason, details=details, change=change
    )


def _department_for(event: Event) -> OrgUnit | None:
    """The category's default department nearest the event: its street's, else its district's."""
    kind = event.category.department_kind
    if not kind:
        return None
    return (
        departments_serving(event.unit_code).filter(subkind=kind).order_by("-parent__code").first()
    )


def _check_target_unit(actor, event: Event, unit: OrgUnit) -> None:
    if not unit.active:
        raise InvalidInput(_("That unit is no longer active."), field="handler_unit")
    if unit.kind == Kind.DEPARTMENT:
        # Departments of the event's street or district, even outside the dispatcher's tree.
        if unit.parent is None or not is_under(event.unit_code, unit.parent.code):
            raise InvalidInput(
                _("That department does not serve this place."), field="handler_unit"
            )
        return
    if not holds(actor, unit.code, WRITING_ROLES | frozenset(DISPATCH_ROLES)):
        raise NotAllowed(_("You may only dispatch to units you work for."))


def dispatch_event(
    *,
    actor,
    event,
    handler_unit: OrgUnit | None = None,
    handler_user=None,
    version=None,
    note: str = "",
    cross_boundary: str | None = None,
    at: dt.datetime | None = None,
) -> Event:
    """派遣 to a person (a grid worker), a unit, or — when neither is given — the category's
    default department. Re-dispatching moves the task. Notifies the new handler."""
    if cross_boundary is not None and cross_boundary not in CrossBoundary.values:
        raise InvalidInput(_("Unknown cross-boundary reason."), field="cross_boundary")
    current = Event.objects.select_related("category").get(
        pk=event.pk if isinstance(event, Event) else event
    )
    if handler_user is not None:
        postings = Posting.objects.filter(user=handler_user, active=True).select_related("unit")
        if not any(
            holds(actor, posting.unit.code, WRITING_ROLES | frozenset(DISPATCH_ROLES))
            for posting in postings
        ):
            raise InvalidInput(_("That person does not work under your units."), field="handler")
        if handler_unit is None:
            handler_unit = postings[0].unit
    if handler_unit is None:
        handler_unit = _department_for(current)
        if handler_unit is None:
            raise InvalidInput(_("Choose whom to dispatch the event to."), field="handler_unit")
    _check_target_unit(actor, current, handler_unit)

    def change(e: Event, now: dt.datetime) -> None:
        e.handler_unit = handler_unit
        e.handler_user = handler_user
        if cross_boundary is not None:
            e.cross_boundary = cross_boundary
        if e.dispatched_at is None:
            e.dispatched_at = now
            e.response_due = add_working_hours(now, e.category.response_hours)
        if e.accepted_at is None:
            e.accepted_at = now

    result = step_event(
        event,
        A.DISPATCH,
        actor=actor,
        version=version,
        note=note,
        change=change,
        details={"unit": handler_unit.code, "user": getattr(handler_user, "pk", None)},
        at=at,
    )
    recipients = [handler_user] if handler_user else staff_at([handler_unit.code], WRITING_ROLES)
    notify(
        users=recipients,
        text=_("Dispatched to you: %(number)s") % {"number": result.number},
        link=result.get_absolute_url(),
    )
    return result


def mediate_event(
    *, actor, event, unit: OrgUnit, case: str, version=None, at: dt.datetime | None = None
) -> Event:
    """A dispute taken on as a mediation case (civicgrid.mediation, which calls this in the
    case's transaction): the case's unit handles it, and it resolves when the case closes."""

    def change(e: Event, now: dt.datetime) -> None:
        e.handler_unit, e.handler_user = unit, None
        e.accepted_at = e.accepted_at or now
        e.dispatched_at = e.dispatched_at or now
        e.responded_at = e.responded_at or now

    return step_event(
        event,
        A.MEDIATE,
        actor=actor,
        version=version,
        note=_("Taken on as mediation case %(number)s.") % {"number": case},
        change=change,
        details={"mediation_case": case, "unit": unit.code},
        at=at,
    )


def recategorize_event(
    *,
    actor,
    event,
    category: Category | None,
    note: str = "",
    version=None,
    model: str = "",
    confidence: float | None = None,
    at: dt.datetime | None = None,
) -> Event:
    """改类: a dispatcher of the event's unit corrects its category (an active sub-category other
    than the current one). Status and deadlines stay; the rollups move with the category. The
    step's details are {"from": old code, "to": new code}, plus {"suggested": True, "model",
    "confidence"} when the change accepts a suggestion (`model` given): civicgrid.routing reads
    these steps as corrections, so their keys stay as they are."""
    category = _check_category(category)
    details: dict[str, Any] = {"from": "", "to": category.code}
    if model:
        details |= {"suggested": True, "model": model, "confidence": confidence}

    def change(e: Event, now: dt.datetime) -> None:
        if e.category_id == category.pk:
            raise InvalidInput(
                _("The event already has the category “%(category)s”.")
                % {"category": category.name},
                field="category",
            )
        details["from"] = e.category.code
        e.category = category

    return step_event(
        event,
        A.RECATEGORIZE,
        actor=actor,
        version=version,
        note=note,
        change=change,
        details=details,
        at=at,
    )


def route_automatically(event: Event, *, at: dt.datetime | None = None) -> Event | None:
    """智能分拨 at intake: send a report that came in through the API or Open311 straight to the
    suggested department, when its category sets `auto_route_confidence` and the best
    department's confidence reaches it. The system takes the ROUTE step (accepted, dispatched,
    response deadline from now, like `dispatch_event`), in its own transaction, and the
    department's staff are told. Returns the routed event, or None when it was not routed.

    The report stands whatever happens here: a failure of the suggester or of the step is
    logged and the event waits for a dispatcher as before."""
    try:
        with transaction.atomic():
            return _route(event, at=at)
    except Exception:
        logger.exception("automatic routing of event %s failed", event.number)
        return None


def _route(event: Event, *, at: dt.datetime | None) -> Event | None:
    current = Event.objects.select_related("category").get(pk=event.pk)
    threshold = current.category.auto_route_confidence
    if threshold is None or current.status != S.REPORTED:
        return None
    found = suggestions.suggest(
        suggestions.report_text(current.title, current.description), current.lon, current.lat
    )
    best = found.department if found is not None else None
    if found is None or best is None or best.department is None:
        return None
    unit = best.department
    if best.confidence < threshold or unit.kind != Kind.DEPARTMENT:
        return None
    try:
        _check_target_unit(None, current, unit)
    except InvalidInput:
        return None  # the suggester named a department that does not serve the place

    def change(e: Event, now: dt.datetime) -> None:
        e.handler_unit = unit
        e.handler_user = None
        e.accepted_at = e.accepted_at or now
        e.dispatched_at = now
        e.response_due = add_working_hours(now, e.category.response_hours)

    result = step_event(
        current,
        A.ROUTE,
        actor=None,
        change=change,
        details={
            "unit": unit.code,
            "model": found.model,
            "confidence": best.confidence,
            "kind": best.department_kind or unit.subkind,
        },
        at=at,
    )
    notify(
        users=staff_at([unit.code], WRITING_ROLES),
        text=_("Dispatched to you: %(number)s") % {"number": result.number},
        link=result.get_absolute_url(),
    )
    return result


def accept_suggestion(
    *, actor, event: Event, found: suggestions.Suggestions, version=None
) -> Event:
    """One tap on the dispatch board: take the suggested category (改类, marked as suggested)
    when it differs, then — when a department serving the place is suggested — accept the event
    if it is still only reported and dispatch it there. All or nothing, in one transaction."""
    best_category = found.category
    department = found.department
    target = department.department if department is not None else None
    category = best_category.category if best_category is not None else None
    with transaction.atomic():
        current = Event.objects.select_for_update().get(pk=event.pk)
        if version is not None and current.version != version:
            raise Conflict(
                _("This %(thing)s was changed by someone else meanwhile. Reload it and try again.")
                % {"thing": Event._meta.verbose_name},
                field="version",
                details={"version": current.version},
            )
        if current.status not in (S.REPORTED, S.ACCEPTED):
            raise Conflict(
                _("This event is no longer waiting for dispatch."),
                details={"status": current.status},
            )
        changed = False
        if category is not None and category.pk != current.category_id:
            current = recategorize_event(
                actor=actor,
                event=current,
                category=category,
                model=found.model,
                confidence=best_category.confidence if best_category else None,
            )
            changed = True
        if target is not None:
            if current.status == S.REPORTED:
                current = accept_event(actor=actor, event=current)
            note = _("Suggested department (%(model)s, %(percent)s%%).") % {
                "model": found.model,
                "percent": department.percent if department else 0,
            }
            current = dispatch_event(actor=actor, event=current, handler_unit=target, note=note)
            changed = True
        if not changed:
            raise InvalidInput(_("There is no suggestion to accept."), field="category")
        return current


REPORT_IN_DEADLINES: dict[str, tuple[str, int]] = {
    # Hours to report in: working hours for routine and tough cases, clock hours in emergencies.
    WhistleKind.ROUTINE: ("working", 8),
    WhistleKind.TOUGH_CASE: ("working", 4),
    WhistleKind.EMERGENCY: ("clock", 1),
}


def report_in_due(kind: str, at: dt.datetime) -> dt.datetime:
    clock, hours = REPORT_IN_DEADLINES[kind]
    return at + dt.timedelta(hours=hours) if clock == "clock" else add_working_hours(at, hours)


def whistle_event(
    *, actor, event, kind: str, departments: Sequence[OrgUnit], note: str = "", version=None
) -> Event:
    """吹哨: the community or street calls one or more departments, which must each report in
    by the deadline of the whistle's kind. Marks the event cross-department unless it already
    has a cross-boundary reason."""
    if kind not in WhistleKind.values:
        raise InvalidInput(_("Choose the kind of whistle."), field="kind")
    departments = list({unit.pk: unit for unit in departments}.values())
    if not departments:
        raise InvalidInput(_("Choose at least one department."), field="departments")
    current = Event.objects.get(pk=event.pk if isinstance(event, Event) else event)
    for unit in departments:
        if unit.kind != Kind.DEPARTMENT:
            raise InvalidInput(
                _("%(unit)s is not a department.") % {"unit": unit}, field="departments"
            )
        _check_target_unit(actor, current, unit)

    def change(e: Event, now: dt.datetime) -> None:
        due = report_in_due(kind, now)
        whistle = Whistle.objects.create(
            event=e, kind=kind, raised_by=actor, note=note, report_in_due=due, created_at=now
        )
        WhistleTarget.objects.bulk_create(
            WhistleTarget(whistle=whistle, department=unit) for unit in departments
        )
        if e.whistled_at is None:
            e.whistled_at = now
        if e.dispatched_at is None:
            e.dispatched_at = now
            e.response_due = due
        e.accepted_at = e.accepted_at or now
        e.cross_boundary = e.cross_boundary or CrossBoundary.DEPARTMENT
        e.handler_unit = departments[0]
        e.handler_user = None

    result = step_event(
        event,
        A.WHISTLE,
        actor=actor,
        version=version,
        note=note,
        change=change,
        details={"kind": kind, "departments": [unit.code for unit in departments]},
    )
    notify(
        users=staff_at([unit.code for unit in departments], WRITING_ROLES),
        text=_("Whistle: report in to %(number)s") % {"number": result.number},
        link=result.get_absolute_url(),
    )
    return result


def report_in(
    *, actor, event, note: str = "", version=None, at: dt.datetime | None = None
) -> Event:
    """报到: a whistled department answers. The first answer starts the handling."""

    def change(e: Event, now: dt.datetime) -> None:
        targets = WhistleTarget.objects.filter(
            whistle__event=e, reported_in_at=None
        ).select_related("department")
        mine = [t for t in targets if superuser(actor) or roles_over(actor, t.department.code)]
        if not mine:
            raise Conflict(_("Your department has already reported in."))
        for target in mine:
            target.reported_in_at = now
            target.reported_in_by = actor
            target.save(update_fields=["reported_in_at", "reported_in_by"])
        if e.responded_at is None:
            e.responded_at = now

    return step_event(
        event, A.REPORT_IN, actor=actor, version=version, note=note, change=change, at=at
    )


def start_handling(
    *, actor, event, note: str = "", version=None, at: dt.datetime | None = None
) -> Event:
    """Report in when the actor's department was whistled and has not answered yet, else
    sign for the event (what a department's own system means by "in progress")."""
    pending = WhistleTarget.objects.filter(
        whistle__event_id=event.pk, reported_in_at=None
    ).values_list("department__code", flat=True)
    if any(roles_over(actor, code) & WRITING_ROLES for code in pending):
        return report_in(actor=actor, event=event, note=note, version=version, at=at)
    return sign_event(actor=actor, event=event, note=note, version=version, at=at)


def sign_event(
    *, actor, event, version=None, note: str = "", at: dt.datetime | None = None
) -> Event:
    """签收: the handler takes the task; the response clock stops here."""

    def change(e: Event, now: dt.datetime) -> None:
        if e.responded_at is None:
            e.responded_at = now
        if e.handler_user_id is None:
            e.handler_user = actor

    return step_event(event, A.SIGN, actor=actor, version=version, note=note, change=change, at=at)


def return_event(*, actor, event, reason: str, version=None) -> Event:
    """退回: the handler sends the task back to the dispatchers, saying why."""
    reason = _require_note(reason, _("Say why the event is returned."))

    def change(e: Event, now: dt.datetime) -> None:
        e.handler_unit = None
        e.handler_user = None

    result = step_event(event, A.RETURN, actor=actor, version=version, note=reason, change=change)
    notify(
        users=_dispatchers_of(result),
        text=_("Returned: %(number)s") % {"number": result.number},
        link=result.get_absolute_url(),
    )
    return result


def transfer_event(*, actor, event, unit: OrgUnit, reason: str, version=None) -> Event:
    """转办: the event belongs to another unit of the same district; it starts over there."""
    reason = _require_note(reason, _("Say why the event is transferred."))
    if unit.kind == Kind.DEPARTMENT or not unit.active:
        raise InvalidInput(_("Transfer to an active grid, community or street."), field="unit")

    def change(e: Event, now: dt.datetime) -> None:
        district = district_of(e.unit_code) or e.unit_code
        if not is_under(unit.code, district) or unit.pk == e.unit_id:
            raise InvalidInput(_("Transfer to another unit of the same district."), field="unit")
        e.unit = unit
        e.handler_unit = None
        e.handler_user = None
        e.escalation_level = 0

    result = step_event(
        event,
        A.TRANSFER,
        actor=actor,
        version=version,
        note=reason,
        change=change,
        details={"unit": unit.code},
    )
    notify(
        users=_dispatchers_of(result),
        text=_("Transferred to you: %(number)s") % {"number": result.number},
        link=result.get_absolute_url(),
    )
    return result


def resolve_event(
    *,
    actor,
    event,
    note: str,
    photos: Iterable = (),
    version=None,
    at: dt.datetime | None = None,
    media_urls: Sequence[str] = (),
) -> Event:
    """办结: the handler says it is done, with after-photos where the category asks for them.
    `media_urls` are links to after-photos kept in the handler's own system (Open311's
    `media_url`): kept in the step's details, never fetched, and they stand for the photo a
    category asks for."""
    note = _require_note(note, _("Say what was done."))
    cleaned = read_photos(photos)
    category = (
        Event.objects.select_related("category")
        .get(pk=event.pk if isinstance(event, Event) else event)
        .category
    )
    if category.after_photo_required and not cleaned and not media_urls:
        raise InvalidInput(
            _("This category needs a photo of the result (before and after)."), field="photos"
        )

    def change(e: Event, now: dt.datetime) -> None:
        e.resolved_at = now

    result = step_event(
        event,
        A.RESOLVE,
        actor=actor,
        version=version,
        note=note,
        change=change,
        photos=cleaned,
        details={"media_url": list(media_urls)} if media_urls else None,
        at=at,
    )
    verifiers = set(staff_at(ancestor_codes(result.unit_code), VERIFY_ROLES))
    if result.reporter_id and handled_by_department(result):
        verifiers.add(result.reporter_id)
    notify(
        users=sorted(verifiers - {getattr(actor, "pk", None)}),
        text=_("Resolved, please verify: %(number)s") % {"number": result.number},
        link=result.get_absolute_url(),
    )
    return result


def verify_event(
    *,
    actor,
    event,
    passed: bool,
    note: str = "",
    photos: Iterable = (),
    version=None,
    at: dt.datetime | None = None,
) -> Event:
    """核查 on site: passing moves it on to closure; failing sends it back to the handler.
    Never by whoever resolved it: the community's people verify, or — when a department did the
    work — also the grid worker who reported it."""
    cleaned = read_photos(photos)
    if actor is not None and actor.pk in resolvers(_event_row(event)):
        raise NotAllowed(
            _(
                "You resolved this event yourself: its verification goes to the community "
                "(or to the grid worker who reported it, when a department handled it)."
            )
        )
    if passed:

        def change(e: Event, now: dt.datetime) -> None:
            e.verified_at = now

        return step_event(
            event,
            A.VERIFY,
            actor=actor,
            version=version,
            note=note,
            change=change,
            photos=cleaned,
            photo_stage=PhotoStage.CHECK,
            at=at,
        )
    note = _require_note(note, _("Say what is still wrong."))

    def fail(e: Event, now: dt.datetime) -> None:
        e.resolved_at = None
        e.reopen_count += 1

    result = step_event(
        event,
        A.FAIL_VERIFICATION,
        actor=actor,
        version=version,
        note=note,
        change=fail,
        photos=cleaned,
        photo_stage=PhotoStage.CHECK,
        at=at,
    )
    notify(
        users=[result.handler_user],
        text=_("Verification failed: %(number)s") % {"number": result.number},
        link=result.get_absolute_url(),
    )
    return result


def close_event(
    *, actor, event, note: str = "", version=None, at: dt.datetime | None = None
) -> Event:
    """结案. Asks the reporter to rate it (回访)."""

    def change(e: Event, now: dt.datetime) -> None:
        e.closed_at = now
        e.follow_up_asks = 1

    result = step_event(
        event, A.CLOSE, actor=actor, version=version, note=note, change=change, at=at
    )
    # Only a resident is asked to rate: staff who reported it are told it is closed.
    rates = result.reporter is not None and is_resident(result.reporter)
    notify(
        users=[result.reporter_id],
        text=(_("Closed, please rate: %(number)s") if rates else _("Closed: %(number)s"))
        % {"number": result.number},
        link=result.get_absolute_url(),
    )
    return result


def rate_event(
    *,
    actor,
    event,
    solved: bool,
    satisfaction: str,
    comment: str = "",
    token: str = "",
    reporting_browser: bool = False,
    channel: str = "",
    version=None,
) -> Event:
    """评价: solved or not, and satisfied / basically satisfied / dissatisfied. Only the reporter
    gives it — on their tracking page (`actor=None`, `token`) in the browser they reported from
    (`reporting_browser`, which the page proves with a signed cookie set when the report was
    made), or logged in with their own resident account — or it is the answer of a follow-up
    call (回访, `channel=FOLLOW_UP_CALL`) that the community's staff record: the step names who
    called. Staff never rate as if they were the resident, nor grade an event they reported or
    resolved. "Not solved and dissatisfied" reopens the event."""
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(_("Choose how satisfied you are."), field="satisfaction")
    if not isinstance(solved, bool):
        raise InvalidInput(_("Say whether the problem is solved."), field="solved")
    staff = actor is not None and not is_resident(actor)
    if staff:
        current = _event_row(event)
        if channel != FOLLOW_UP_CALL:
            raise NotAllowed(
                _(
                    "Staff do not rate on the resident's behalf: record the answers of a "
                    "follow-up call instead."
                )
            )
        if current.reporter_id == actor.pk:
            raise NotAllowed(
                _(
                    "You reported this event: its rating comes from residents or from a "
                    "follow-up call by the community."
                )
            )
        if actor.pk in resolvers(current):
            raise NotAllowed(_("You handled this event: someone else makes the follow-up call."))
    channel = FOLLOW_UP_CALL if staff else RatingChannel.RESIDENT

    def change(e: Event, now: dt.datetime) -> None:
        e.rated_at = now
        e.solved = solved
        e.satisfaction = satisfaction
        e.rating_comment = plain_text(comment).strip()[:300]
        e.rating_channel = channel

    details: dict[str, Any] = {"solved": solved, "satisfaction": satisfaction, "channel": channel}
    if staff:
        details["caller"] = actor.pk
    result = step_event(
        event,
        A.RATE,
        actor=actor,
        version=version,
        note=comment,
        change=change,
        extra={"token": token, "reporting_browser": reporting_browser, "channel": channel},
        details=details,
    )
    if not solved and satisfaction == Satisfaction.DISSATISFIED:
        result = _reopen(result, actor=None, reason=_("The reporter says it is not solved."))
    return result


def _reopen(event, *, actor, reason: str, version=None) -> Event:
    def change(e: Event, now: dt.datetime) -> None:
        e.closed_at = None
        e.verified_at = None
        e.resolved_at = None
        e.reopen_count += 1

    result = step_event(event, A.REOPEN, actor=actor, version=version, note=reason, change=change)
    notify(
        users=[result.handler_user] if result.handler_user_id else _dispatchers_of(result),
        text=_("Reopened: %(number)s") % {"number": result.number},
        link=result.get_absolute_url(),
    )
    return result


def reopen_event(*, actor, event, reason: str, version=None) -> Event:
    """重办: dispatchers send a closed or rated event back to its handler."""
    reason = _require_note(reason, _("Say why the event is reopened."))
    return _reopen(event, actor=actor, reason=reason, version=version)


def suspend_event(*, actor, event, reason: str, version=None) -> Event:
    """挂起 with a reason (waiting for a court, for the season…); deadlines keep running."""
    reason = _require_note(reason, _("Say why the event is suspended."))

    def change(e: Event, now: dt.datetime) -> None:
        e.suspended_from = e.status

    return step_event(event, A.SUSPEND, actor=actor, version=version, note=reason, change=change)


def resume_event(*, actor, event, note: str = "", version=None) -> Event:
    def change(e: Event, now: dt.datetime) -> None:
        e.status = e.suspended_from or S.ACCEPTED
        e.suspended_from = ""

    return step_event(event, A.RESUME, actor=actor, version=version, note=note, change=change)


def supervise_event(*, actor, event, note: str, version=None) -> Event:
    """督办: a street or district urges a slow event; the handler and dispatchers are told."""
    note = _require_note(note, _("Say what you urge."))
    result = step_event(event, A.SUPERVISE, actor=actor, version=version, note=note)
    notify(
        users=[result.handler_user, *_dispatchers_of(result)],
        text=_("Supervised: %(number)s — %(note)s") % {"number": result.number, "note": note[:100]},
        link=result.get_absolute_url(),
    )
    return result


# ---- one entry point for the pages and the API -------------------------------------------------

# Steps whose note is their reason: refused without one.
NOTE_REQUIRED = frozenset(
    {
        A.REJECT,
        A.RETURN,
        A.TRANSFER,
        A.SUSPEND,
        A.REOPEN,
        A.SUPERVISE,
        A.RESOLVE,
        A.FAIL_VERIFICATION,
    }
)
# The steps a person may ask for by name (escalation and reminders are the system's).
PERSON_STEPS = tuple(
    action
    for action in A.values
    if action
    not in {A.REPORT, A.REPORT_HANDLED, A.ESCALATE, A.ASK_RATING, A.ROUTE, *TAKEN_ELSEWHERE}
)


def _unit_by_code(code: str | None, field: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first() if code else None
    if unit is None:
        raise InvalidInput(_("Choose a unit."), field=field)
    return unit


# A step sent without a version is refused if the same person took the same step on the event
# this recently: long enough for a double click or a client's retry, short enough not to stand
# in the way of a real second supervision.
REPEAT_WINDOW = dt.timedelta(seconds=60)


def _refuse_repeat(actor, event: Event, action: str) -> None:
    if actor is None:
        return
    last = event.steps.order_by("-id").values("actor_id", "action", "at").first()
    if (
        last is not None
        and last["actor_id"] == actor.pk
        and last["action"] == action
        and _now() - last["at"] < REPEAT_WINDOW
    ):
        raise Conflict(
            _(
                "You took this step a moment ago; it is not taken twice. To take it again, "
                "send the event's current version."
            ),
            field="version",
            details={"version": event.version},
        )


@dataclass(frozen=True)
class StepInput:
    """A step's plain fields as a form or a JSON body gives them (units by code, people by
    id). `duplicate_of` is an event the caller found through the selectors."""

    note: str = ""
    photos: Iterable = ()
    handler_user_id: int | None = None
    handler_unit: str | None = None
    unit: str | None = None
    kind: str = ""
    departments: Sequence[str] = ()
    duplicate_of: Event | None = None
    cross_boundary: str | None = None
    solved: bool | None = None
    satisfaction: str = ""
    channel: str = ""
    category: str | None = None


def _dispatch(common: dict, given: StepInput) -> Event:
    person = None
    if given.handler_user_id is not None:
        person = get_user_model().objects.filter(pk=given.handler_user_id).first()
        if person is None:
            raise InvalidInput(_("Unknown person."), field="handler_user")
    unit = _unit_by_code(given.handler_unit, "handler_unit") if given.handler_unit else None
    return dispatch_event(
        **common,
        note=given.note,
        handler_user=person,
        handler_unit=unit,
        cross_boundary=given.cross_boundary,
    )


def _recategorize(common: dict, given: StepInput) -> Event:
    code = (given.category or "").strip()
    if not code:
        raise InvalidInput(_("Choose a category."), field="category")
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise InvalidInput(
            _("Unknown category “%(code)s”.") % {"code": code[:20]}, field="category"
        )
    return recategorize_event(**common, category=category, note=given.note)


def _whistle(common: dict, given: StepInput) -> Event:
    units = list(OrgUnit.objects.filter(code__in=list(given.departments), kind=Kind.DEPARTMENT))
    return whistle_event(**common, note=given.note, kind=given.kind, departments=units)


def _rate(common: dict, given: StepInput) -> Event:
    if given.solved is None:
        raise InvalidInput(_("Say whether the problem is solved."), field="solved")
    return rate_event(
        **common,
        solved=given.solved,
        satisfaction=given.satisfaction,
        comment=given.note,
        channel=given.channel,
    )


# Each step a person may ask for by name, and the service that takes it.
STEP_SERVICES: dict[str, Callable[[dict, StepInput], Event]] = {
    A.ACCEPT: lambda common, given: accept_event(
        **common, note=given.note, cross_boundary=given.cross_boundary or ""
    ),
    A.REJECT: lambda common, given: reject_event(
        **common, reason=given.note, duplicate_of=given.duplicate_of
    ),
    A.TRANSFER: lambda common, given: transfer_event(
        **common, unit=_unit_by_code(given.unit, "unit"), reason=given.note
    ),
    A.DISPATCH: _dispatch,
    A.WHISTLE: _whistle,
    A.REPORT_IN: lambda common, given: report_in(**common, note=given.note),
    A.SIGN: lambda common, given: sign_event(**common, note=given.note),
    A.RETURN: lambda common, given: return_event(**common, reason=given.note),
    A.RESOLVE: lambda common, given: resolve_event(**common, note=given.note, photos=given.photos),
    A.VERIFY: lambda common, given: verify_event(
        **common, note=given.note, photos=given.photos, passed=True
    ),
    A.FAIL_VERIFICATION: lambda common, given: verify_event(
        **common, note=given.note, photos=given.photos, passed=False
    ),
    A.CLOSE: lambda common, given: close_event(**common, note=given.note),
    A.RATE: _rate,
    A.REOPEN: lambda common, given: reopen_event(**common, reason=given.note),
    A.SUSPEND: lambda common, given: suspend_event(**common, reason=given.note),
    A.RESUME: lambda common, given: resume_event(**common, note=given.note),
    A.SUPERVISE: lambda common, given: supervise_event(**common, note=given.note),
    A.RECATEGORIZE: _recategorize,
}


def take_step(
    *, actor, event: Event, action: str, version: int | None = None, **fields: Any
) -> Event:
    """Take the step named `action` with plain fields (`StepInput`) as a form or a JSON body
    gives them.

    Without `version` (API clients may leave it out) a step is still applied once: it is taken
    against the version `event` had when the caller read it, so two identical requests racing
    each other apply once (the other gets a 409), and the same step by the same person is
    refused within `REPEAT_WINDOW` of the first (a double click, a retry after a timeout)."""
    service = STEP_SERVICES.get(action)
    if service is None:
        raise InvalidInput(_("Unknown step."), field="action")
    if version is None:
        version = event.version
        _refuse_repeat(actor, event, action)
    return service({"actor": actor, "event": event, "version": version}, StepInput(**fields))


def attributes_from_form(data) -> dict[str, Any]:
    """Answers to a category's extra questions from form fields named `attribute[code]`
    (the pages and Open311 both send them so). A multi-value answer comes as the field repeated,
    or as `attribute[code][]` (Open311 clients, PHP style): both give a list."""
    answers: dict[str, Any] = {}
    for key in data:
        if not (key.startswith("attribute[") and key.endswith("]")):
            continue
        values = data.getlist(key)
        if key.endswith("[]"):
            code = key[10:-3]
            earlier = answers.get(code, [])
            answers[code] = [*(earlier if isinstance(earlier, list) else [earlier]), *values]
        else:
            code = key[10:-1]
            value = values if len(values) > 1 else values[0]
            if code in answers:  # also sent as attribute[code][]
                earlier = answers[code]
                value = [*(earlier if isinstance(earlier, list) else [earlier]), *values]
            answers[code] = value
    return answers
