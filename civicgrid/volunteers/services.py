"""Every write to volunteer services.

An order's steps run on the workflow engine through the table in `workflow.py`: each step locks
the order's row, checks the table and who acts, moves the status, appends an `OrderStep` and
adds to the monthly rollup, in one transaction — so two volunteers taking one order at once get
one order and one clear error.
Completing an order writes the volunteer's service record and hours and, for a volunteer who is
a party member, earns the volunteering points through `party.services.award_points`.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts import services as accounts
from civicgrid.core import privacy
from civicgrid.core.errors import Conflict, InvalidInput, choice, required
from civicgrid.core.photos import read_photos
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import require
from civicgrid.org.selectors import on_one_branch
from civicgrid.org.tree import is_under
from civicgrid.party import services as party
from civicgrid.party.models import PartyMember, PointKind, ShockTeam
from civicgrid.party.roles import PARTY_ROLES
from civicgrid.people.models import Person
from civicgrid.volunteers import rollups
from civicgrid.volunteers.models import (
    Certificate,
    OrderPhoto,
    OrderStep,
    RecordKind,
    ServiceCategory,
    ServiceItem,
    ServiceOrder,
    Terms,
    Volunteer,
    VolunteerRecord,
    VolunteerTeam,
)
from civicgrid.volunteers.selectors import volunteer_of
from civicgrid.volunteers.workflow import ORDERS

A = OrderStep.Action
MAX_HOURS = Decimal(12)


def check_keeper(actor: Any, code: str) -> None:
    require(actor, code, PARTY_ROLES, _("You may not run volunteer services here."))


# ---- teams, volunteers, the menu -----------------------------------------------------------------


@transaction.atomic
def save_team(
    *, actor: Any, unit: OrgUnit, name: str, purpose: str = "", shock_team: ShockTeam | None = None
) -> VolunteerTeam:
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
    person: Person | None = None
    member: PartyMember | None = None
    skills: str = ""
    teams: Iterable[VolunteerTeam] = ()


def _next_number(unit: OrgUnit) -> str:
    """Volunteer numbers run per unit: V + the unit's code + a sequence."""
    prefix = f"V{unit.code}-"
    last = Volunteer.objects.filter(number__prefix=prefix).aggregate(n=Max("number"))["n"]
    return f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:04d}"


@transaction.atomic
def register_volunteer(*, actor: Any, unit: OrgUnit, data: VolunteerData) -> Volunteer:
    """Register a volunteer. A resident from basic data brings their numbers (not decrypted);
    otherwise name and phone are given. A party member is found by the phone too."""
    check_keeper(actor, unit.code)
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).get()  # numbers in sequence
    volunteer = Volunteer(unit=unit, registered_on=timezone.localdate(), skills=data.skills)
    person = data.person
    if person is not None:
        volunteer.name = data.name or person.name
        volunteer.copy_phone(person)
        privacy.ID_NUMBER.copy(volunteer, person)
    else:
        volunteer.name = required(data.name, "name", _("Name"))
        volunteer.set_phone(required(data.phone, "phone", _("Phone")))
        if data.id_number.strip():
            number, _born = privacy.clean_id_number(data.id_number)
            privacy.ID_NUMBER.write(volunteer, number)
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
    *,
    actor: Any,
    unit: OrgUnit,
    name: str,
    category: str,
    description: str = "",
    team: VolunteerTeam | None = None,
    terms: str = Terms.FREE,
    price: Decimal | None = None,
    active: bool = True,
    item: ServiceItem | None = None,
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


def offered(item: ServiceItem, unit: OrgUnit) -> bool:
    """Whether `unit`'s menu holds `item`: its own items and its ancestors' (a street's)."""
    return item.active and is_under(unit.code, item.unit_code)


@transaction.atomic
def place_order(
    *,
    actor: Any,
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
    ORDERS.start(order, A.ORDER, actor=actor, now=order.created_at)
    rollups.add(order)
    return order


def take_order(*, actor: Any, order: ServiceOrder) -> ServiceOrder:
    """A volunteer takes an order of their unit or a unit near it (抢单): first come; the
    second learns who was quicker."""
    volunteer = volunteer_of(actor)

    def change(locked: ServiceOrder, now: dt.datetime) -> None:
        locked.volunteer, locked.taken_at = volunteer, now

    return ORDERS.run(order, A.TAKE, actor=actor, change=change)


def assign_order(*, actor: Any, order: ServiceOrder, volunteer: Volunteer) -> ServiceOrder:
    """Staff give an order to a volunteer (派单), or to another one."""

    def change(locked: ServiceOrder, now: dt.datetime) -> None:
        if not volunteer.active or not on_one_branch(locked.unit_code, volunteer.unit_code):
            raise InvalidInput(
                _("Choose an active volunteer of this community."), field="volunteer"
            )
        locked.volunteer, locked.taken_at = volunteer, now

    return ORDERS.run(order, A.ASSIGN, actor=actor, note=volunteer.name, change=change)


@transaction.atomic
def complete_order(
    *,
    actor: Any,
    order: ServiceOrder,
    hours: Decimal | None,
    report: str,
    photos: Iterable = (),
) -> ServiceOrder:
    """The volunteer who took the order (or staff) report it done, with the hours, what was
    done and photos. The hours go to the volunteer's record; a volunteer who is a party member
    earns the volunteering points."""
    if hours is None or not Decimal(0) < hours <= MAX_HOURS:
        raise InvalidInput(_("Hours lie between 0.1 and 12."), field="hours")
    report = required(report, "report", _("What was done"))[:300]
    # Photos are re-encoded before the order is locked, not while others wait for it.
    cleaned = read_photos(photos)

    def change(locked: ServiceOrder, now: dt.datetime) -> None:
        locked.done_at, locked.hours, locked.report = now, hours, report

    done = ORDERS.run(order, A.COMPLETE, actor=actor, note=report, change=change)
    for photo in cleaned:
        OrderPhoto.objects.create(
            order=done, image=photo.content, width=photo.width, height=photo.height
        )
    assert done.volunteer_id is not None  # a done order was taken by a volunteer
    volunteer = Volunteer.objects.select_for_update().get(pk=done.volunteer_id)
    day = timezone.localtime(done.done_at).date()
    VolunteerRecord.objects.create(
        volunteer=volunteer,
        kind=RecordKind.SERVICE,
        day=day,
        hours=hours,
        content=f"{done.item.name}：{done.report}"[:300],
        order=done,
        recorded_by=actor,
    )
    Volunteer.objects.filter(pk=volunteer.pk).update(
        hours=volunteer.hours + hours, services=volunteer.services + 1
    )
    if volunteer.member is not None:
        party.award_points(
            member=volunteer.member,
            kind=PointKind.VOLUNTEERING,
            source=f"order:{done.pk}",
            actor=actor,
            note=done.item.name,
            day=day,
        )
    return done


def cancel_order(
    *, actor: Any, order: ServiceOrder, reason: str, token: str | None = None
) -> ServiceOrder:
    """The resident (through their link) or staff call the order off before it is done."""
    reason = required(reason, "reason", _("Reason"))[:300]
    return ORDERS.run(order, A.CANCEL, actor=actor, note=reason, extra={"token": token})


@transaction.atomic
def rate_order(
    *, actor: Any, order: ServiceOrder, token: str, rating: int, comment: str = ""
) -> ServiceOrder:
    """The resident rates the service once, through their link; it counts to the volunteer."""
    if rating not in range(1, 6):
        raise InvalidInput(_("Rate from 1 to 5."), field="rating")
    comment = comment.strip()[:300]

    def change(locked: ServiceOrder, now: dt.datetime) -> None:
        if locked.rating is not None:
            raise Conflict(_("This service is already rated."))
        locked.rating, locked.comment = rating, comment

    rated = ORDERS.run(
        order,
        A.RATE,
        actor=actor,
        note=f"{rating} {comment}"[:300],
        change=change,
        extra={"token": token},
    )
    assert rated.volunteer_id is not None  # a rated order was done by a volunteer
    volunteer = Volunteer.objects.select_for_update().get(pk=rated.volunteer_id)
    Volunteer.objects.filter(pk=volunteer.pk).update(
        rating_total=volunteer.rating_total + rating, ratings=volunteer.ratings + 1
    )
    return rated


# ---- records and certificates -------------------------------------------------------------------


@transaction.atomic
def add_record(
    *,
    actor: Any,
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
def issue_certificate(*, actor: Any, volunteer: Volunteer) -> Certificate:
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
    count = Certificate.objects.filter(number__prefix=prefix).count()
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


@transaction.atomic
def create_volunteer_login(
    *, actor: Any, volunteer: Volunteer, username: str, password: str = ""
) -> tuple[Any, str]:
    """A login for a registered volunteer (their phone page /volunteers/my/), made by the staff
    of a street or community above the volunteer's unit; returns the user and the initial
    password (accounts.services.create_account)."""
    require(
        actor,
        volunteer.unit_code,
        frozenset(accounts.GIVES),
        _("Only the staff of the volunteer's street or community make their login."),
    )
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.user_id is not None:
        raise Conflict(_("%(name)s has a login already.") % {"name": volunteer.name})
    user, password = accounts.create_account(
        actor=actor, username=username, full_name=volunteer.name, password=password
    )
    volunteer.user = user
    volunteer.save(update_fields=["user"])
    return user, password
