"""Every write to volunteer services.

An order's steps follow `TRANSITIONS`; each step locks the order's row, checks the table and who
acts, moves the status, appends an `OrderStep` and adds to the monthly rollup, in one
transaction — so two volunteers taking one order at once get one order and one clear error.
Completing an order writes the volunteer's service record and hours and, for a volunteer who is
a party member, earns the volunteering points through `party.services.award_points`.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core import privacy
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed, choice, required
from civicgrid.core.rollups import bump
from civicgrid.events.photos import read_photos
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds, require
from civicgrid.org.selectors import on_one_branch
from civicgrid.party import services as party
from civicgrid.party.models import PointKind
from civicgrid.party.roles import PARTY_ROLES
from civicgrid.volunteers.models import (
    Certificate,
    OrderPhoto,
    OrderStatus,
    OrderStep,
    RecordKind,
    ServiceCategory,
    ServiceItem,
    ServiceOrder,
    Terms,
    Volunteer,
    VolunteerRecord,
    VolunteerRollup,
    VolunteerTeam,
)

S = OrderStatus
# action → (statuses it may start from, status it leads to)
TRANSITIONS = {
    "take": ({S.ORDERED}, S.TAKEN),
    "assign": ({S.ORDERED, S.TAKEN}, S.TAKEN),
    "complete": ({S.TAKEN}, S.DONE),
    "cancel": ({S.ORDERED, S.TAKEN}, S.CANCELLED),
    "rate": ({S.DONE}, S.DONE),
}
MAX_HOURS = Decimal(12)


def check_keeper(actor, code: str) -> None:
    require(actor, code, PARTY_ROLES, _("You may not run volunteer services here."))


# ---- teams, volunteers, the menu -----------------------------------------------------------------


@transaction.atomic
def save_team(actor, *, unit: OrgUnit, name: str, purpose: str = "", shock_team=None):
    check_keeper(actor, unit.code)
    name = required(name, "name", _("Name"))
    if VolunteerTeam.objects.filter(unit=unit, name=name).exists():
        raise InvalidInput(_("This unit already has a team of that name."), field="name")
    return VolunteerTeam.objects.create(
        unit=unit, name=name, purpose=purpose.strip(), shock_team=shock_team
    )


@dataclass
class VolunteerData:
    name: str
    phone: str = ""
    id_number: str = ""
    person: object | None = None
    member: object | None = None
    skills: str = ""
    teams: Iterable[VolunteerTeam] = ()


def _next_number(unit: OrgUnit) -> str:
    """Volunteer numbers run per unit: V + the unit's code + a sequence."""
    prefix = f"V{unit.code}-"
    last = Volunteer.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    return f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:04d}"


@transaction.atomic
def register_volunteer(actor, *, unit: OrgUnit, data: VolunteerData) -> Volunteer:
    """Register a volunteer. A resident from basic data brings their numbers (not decrypted);
    otherwise name and phone are given. A party member is found by the phone too."""
    check_keeper(actor, unit.code)
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).get()  # numbers in sequence
    volunteer = Volunteer(unit=unit, registered_on=timezone.localdate(), skills=data.skills)
    person = data.person
    if person is not None:
        volunteer.name = data.name or person.name
        volunteer.copy_phone(person)
        volunteer.id_number, volunteer.id_hash, volunteer.id_masked = (
            person.id_number,
            person.id_hash,
            person.id_masked,
        )
    else:
        volunteer.name = required(data.name, "name", _("Name"))
        volunteer.set_phone(required(data.phone, "phone", _("Phone")))
        if data.id_number.strip():
            number, _born = privacy.clean_id_number(data.id_number)
            volunteer.id_number, volunteer.id_hash, volunteer.id_masked = privacy.seal(
                number, privacy.mask_id
            )
    if volunteer.phone_hash and Volunteer.objects.filter(phone_hash=volunteer.phone_hash).exists():
        raise InvalidInput(_("A volunteer with this phone is already registered."), field="phone")
    volunteer.person = person
    volunteer.member = data.member or party.member_for(
        person=person, phone_hash=volunteer.phone_hash
    )
    volunteer.number = _next_number(unit)
    volunteer.save()
    teams = list(data.teams)
    for team in teams:
        if not on_one_branch(unit.code, team.unit_code):
            raise InvalidInput(_("Choose teams of this unit."), field="teams")
    volunteer.teams.set(teams)
    return volunteer


@transaction.atomic
def save_item(
    actor,
    *,
    unit: OrgUnit,
    name: str,
    category: str,
    description: str = "",
    team=None,
    terms: str = Terms.FREE,
    price: Decimal | None = None,
    active: bool = True,
    item=None,
) -> ServiceItem:
    check_keeper(actor, unit.code)
    item = item or ServiceItem()
    if item.pk:
        check_keeper(actor, item.unit_code)
    item.unit = unit
    item.name = required(name, "name", _("Name"))
    item.category = choice(category, ServiceCategory, "category")
    item.terms = choice(terms, Terms, "terms")
    if item.terms == Terms.LOW_FEE and (price is None or price <= 0):
        raise InvalidInput(_("A low-fee service needs its price."), field="price")
    item.price = price if item.terms == Terms.LOW_FEE else None
    if team is not None and not on_one_branch(unit.code, team.unit_code):
        raise InvalidInput(_("Choose a team of this unit."), field="team")
    item.team = team
    item.description = description.strip()
    item.active = active
    item.save()
    return item


# ---- orders ----------------------------------------------------------------------------------


def _month(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def _count(order: ServiceOrder, **deltas: int) -> None:
    bump(
        VolunteerRollup,
        {"unit_id": order.unit_id, "month": _month(order.created_at)},
        order.unit_code,
        {k: v for k, v in deltas.items() if v},
    )


def rebuild_rollups() -> None:
    """Recount the monthly rows from the orders (after a bulk load, or to check them)."""
    from collections import defaultdict

    VolunteerRollup.objects.all().delete()
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: {"ordered": 0, "done": 0, "minutes": 0})
    for order in ServiceOrder.objects.only(
        "unit_id", "unit_code", "created_at", "status", "hours"
    ).iterator():
        row = rows[(order.unit_id, order.unit_code, _month(order.created_at))]
        row["ordered"] += 1
        if order.status == S.DONE:
            row["done"] += 1
            row["minutes"] += int(order.hours * 60)
    for (unit_id, unit_code, month), counters in sorted(rows.items()):
        bump(
            VolunteerRollup,
            {"unit_id": unit_id, "month": month},
            unit_code,
            {k: v for k, v in counters.items() if v},
        )


def _log(order: ServiceOrder, action: str, before: str, actor=None, note: str = "") -> None:
    OrderStep.objects.create(
        order=order,
        action=action,
        from_status=before,
        to_status=order.status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        note=note[:300],
    )


def offered(item: ServiceItem, unit: OrgUnit) -> bool:
    """Whether `unit`'s menu holds `item`: its own items and its ancestors' (a street's)."""
    return item.active and unit.code.startswith(item.unit_code)


@transaction.atomic
def place_order(
    actor,
    *,
    unit: OrgUnit,
    item: ServiceItem,
    name: str,
    phone: str,
    address: str,
    wanted_on: dt.date | None = None,
    note: str = "",
) -> ServiceOrder:
    """A resident orders a service from their unit's menu (or staff do it for them)."""
    if not offered(item, unit):
        raise InvalidInput(
            _("%(unit)s does not offer %(item)s.") % {"unit": unit.display_name, "item": item.name},
            field="item",
        )
    if wanted_on is not None and wanted_on < timezone.localdate():
        raise InvalidInput(_("The wanted date has passed."), field="wanted_on")
    order = ServiceOrder(
        unit=unit,
        item=item,
        name=required(name, "name", _("Name"))[:40],
        address=required(address, "address", _("Address"))[:200],
        wanted_on=wanted_on,
        note=note.strip()[:300],
        ordered_by=actor if actor is not None and actor.is_authenticated else None,
    )
    order.set_phone(required(phone, "phone", _("Phone")))
    order.save()
    _log(order, "order", "", actor)
    _count(order, ordered=1)
    return order


def _step(order: ServiceOrder, action: str) -> tuple[ServiceOrder, str]:
    """The order locked, checked against the transition table; and its status before."""
    # Lock the order's row alone: after waiting for a lock, PostgreSQL re-reads the locked row
    # but not the rows joined to it, so the volunteer is loaded afterwards.
    locked = ServiceOrder.objects.select_for_update().get(pk=order.pk)
    sources, _target = TRANSITIONS[action]
    if locked.status not in sources:
        if action == "take" and locked.status == S.TAKEN:
            raise Conflict(
                _("%(name)s has already taken this order.") % {"name": locked.volunteer.name}
            )
        raise Conflict(_("This order is %(status)s.") % {"status": locked.get_status_display()})
    return locked, locked.status


def volunteer_of(actor) -> Volunteer | None:
    found = getattr(actor, "volunteer", None) if actor is not None else None
    return found if found is not None and found.active else None


@transaction.atomic
def take_order(actor, *, order: ServiceOrder) -> ServiceOrder:
    """A volunteer takes an order of their unit or a unit near it (抢单): first come."""
    volunteer = volunteer_of(actor)
    if volunteer is None or not on_one_branch(order.unit_code, volunteer.unit_code):
        raise NotAllowed(_("Only a volunteer of this community may take this order."))
    locked, before = _step(order, "take")
    locked.status, locked.volunteer, locked.taken_at = S.TAKEN, volunteer, timezone.now()
    locked.save(update_fields=["status", "volunteer", "taken_at"])
    _log(locked, "take", before, actor)
    return locked


@transaction.atomic
def assign_order(actor, *, order: ServiceOrder, volunteer: Volunteer) -> ServiceOrder:
    """Staff give an order to a volunteer (派单), or to another one."""
    check_keeper(actor, order.unit_code)
    if not volunteer.active or not on_one_branch(order.unit_code, volunteer.unit_code):
        raise InvalidInput(_("Choose an active volunteer of this community."), field="volunteer")
    locked, before = _step(order, "assign")
    locked.status, locked.volunteer, locked.taken_at = S.TAKEN, volunteer, timezone.now()
    locked.save(update_fields=["status", "volunteer", "taken_at"])
    _log(locked, "assign", before, actor, volunteer.name)
    return locked


@transaction.atomic
def complete_order(
    actor, *, order: ServiceOrder, hours: Decimal, report: str, photos: Iterable = ()
) -> ServiceOrder:
    """The volunteer who took the order (or staff) report it done, with the hours, what was
    done and photos. The hours go to the volunteer's record."""
    locked, before = _step(order, "complete")
    own = volunteer_of(actor)
    if not (own is not None and own.pk == locked.volunteer_id) and not holds(
        actor, locked.unit_code, PARTY_ROLES
    ):
        raise NotAllowed(_("Only the volunteer who took the order, or staff, may finish it."))
    if hours is None or not Decimal(0) < hours <= MAX_HOURS:
        raise InvalidInput(_("Hours lie between 0.1 and 12."), field="hours")
    report = required(report, "report", _("What was done"))
    cleaned = read_photos(photos)
    now = timezone.now()
    locked.status, locked.done_at, locked.hours, locked.report = S.DONE, now, hours, report[:300]
    locked.save(update_fields=["status", "done_at", "hours", "report"])
    for photo in cleaned:
        OrderPhoto.objects.create(
            order=locked, image=photo.content, width=photo.width, height=photo.height
        )
    volunteer = Volunteer.objects.select_for_update().get(pk=locked.volunteer_id)
    day = timezone.localtime(now).date()
    VolunteerRecord.objects.create(
        volunteer=volunteer,
        kind=RecordKind.SERVICE,
        day=day,
        hours=hours,
        content=f"{locked.item.name}：{locked.report}"[:300],
        order=locked,
        recorded_by=actor,
    )
    Volunteer.objects.filter(pk=volunteer.pk).update(
        hours=volunteer.hours + hours, services=volunteer.services + 1
    )
    _log(locked, "complete", before, actor, report)
    _count(locked, done=1, minutes=int(hours * 60))
    if volunteer.member_id:
        party.award_points(
            member=volunteer.member,
            kind=PointKind.VOLUNTEERING,
            source=f"order:{locked.pk}",
            actor=actor,
            note=locked.item.name,
            day=day,
        )
    return locked


@transaction.atomic
def cancel_order(actor, *, order: ServiceOrder, reason: str, token: str | None = None):
    """The resident (through their link) or staff call the order off before it is done."""
    if token != order.token:
        check_keeper(actor, order.unit_code)
    reason = required(reason, "reason", _("Reason"))
    locked, before = _step(order, "cancel")
    locked.status = S.CANCELLED
    locked.save(update_fields=["status"])
    _log(locked, "cancel", before, actor, reason)
    return locked


@transaction.atomic
def rate_order(*, order: ServiceOrder, token: str, rating: int, comment: str = ""):
    """The resident rates the service once, through their link; it counts to the volunteer."""
    if token != order.token:
        raise NotAllowed(_("You may not rate this order."))
    if rating not in range(1, 6):
        raise InvalidInput(_("Rate from 1 to 5."), field="rating")
    locked, before = _step(order, "rate")
    if locked.rating is not None:
        raise Conflict(_("This service is already rated."))
    locked.rating, locked.comment = rating, comment.strip()[:300]
    locked.save(update_fields=["rating", "comment"])
    volunteer = Volunteer.objects.select_for_update().get(pk=locked.volunteer_id)
    Volunteer.objects.filter(pk=volunteer.pk).update(
        rating_total=volunteer.rating_total + rating, ratings=volunteer.ratings + 1
    )
    _log(locked, "rate", before, None, f"{rating} {locked.comment}")
    return locked


# ---- records and certificates -------------------------------------------------------------------


@transaction.atomic
def add_record(
    actor,
    *,
    volunteer: Volunteer,
    kind: str,
    day: dt.date,
    content: str,
    hours: Decimal = Decimal(0),
) -> VolunteerRecord:
    """A training, an award, an evaluation — or a service done outside an order, with hours."""
    check_keeper(actor, volunteer.unit_code)
    kind = choice(kind, RecordKind, "kind")
    if day > timezone.localdate():
        raise InvalidInput(_("A record is written after the fact."), field="day")
    if hours < 0 or hours > MAX_HOURS or (kind != RecordKind.SERVICE and hours):
        raise InvalidInput(_("Only a service has hours, at most 12."), field="hours")
    record = VolunteerRecord.objects.create(
        volunteer=volunteer,
        kind=kind,
        day=day,
        hours=hours,
        content=required(content, "content", _("Content"))[:300],
        recorded_by=actor,
    )
    if kind == RecordKind.SERVICE:
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        Volunteer.objects.filter(pk=locked.pk).update(
            hours=locked.hours + hours, services=locked.services + 1
        )
    return record


@transaction.atomic
def issue_certificate(actor, *, volunteer: Volunteer) -> Certificate:
    """A numbered certificate of the volunteer's service to date (hours, services, content)."""
    check_keeper(actor, volunteer.unit_code)
    volunteer = Volunteer.objects.select_for_update().select_related("unit").get(pk=volunteer.pk)
    if not volunteer.hours:
        raise Conflict(_("%(name)s has no service hours yet.") % {"name": volunteer.name})
    today = timezone.localdate()
    kinds = volunteer.records.filter(kind=RecordKind.SERVICE).values_list(
        "order__item__category", flat=True
    )
    labels = sorted({str(ServiceCategory(k).label) for k in kinds if k})
    prefix = f"ZYZM{today:%Y}{volunteer.unit_code}"
    count = Certificate.objects.filter(number__startswith=prefix).count()
    return Certificate.objects.create(
        number=f"{prefix}{count + 1:04d}",
        volunteer=volunteer,
        hours=volunteer.hours,
        services=volunteer.services,
        content="、".join(labels) or _("volunteer service"),
        issuer=volunteer.unit.name,
        issued_on=today,
        issued_by=actor,
    )
