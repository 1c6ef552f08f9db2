"""Every write to party records and points.

Points move only through `award_points` (earning, with the kind's rule and caps), `correct_points`
and the shop's `redeem` / `cancel_redemption`. Each appends ledger entries and changes the
member's balance under the member's row lock, in one transaction, and adds to the monthly
rollup; so the balance always equals the ledger's sum and can never go below zero, whatever runs
at the same time. Other apps (classes, services, volunteering) call `award_points` and
`credit_study` with a `source` naming what earned them, which makes a repeated call harmless.
A redemption is handed over or cancelled only through its machine (`workflow.py`), which logs
each step.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed, choice, required
from civicgrid.core.rollups import RollupDelta, add_to_rollups
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds, require
from civicgrid.org.tree import is_under
from civicgrid.party.models import (
    EARNING_KINDS,
    Branch,
    BranchKind,
    LifeKind,
    MemberKind,
    OrganisationalLife,
    PartyMember,
    PointEntry,
    PointKind,
    PointRule,
    PointsRollup,
    Position,
    Redemption,
    RedemptionAction,
    RewardItem,
    ShockTeam,
    StudyCredit,
)
from civicgrid.party.roles import PARTY_ROLES
from civicgrid.party.workflow import REDEMPTIONS

if TYPE_CHECKING:
    from civicgrid.people.models import Person


def check_keeper(actor: Any, code: str) -> None:
    require(actor, code, PARTY_ROLES, _("You may not keep party records here."))


# ---- branches and members ---------------------------------------------------------------------


@transaction.atomic
def save_branch(*, actor: Any, unit: OrgUnit, name: str, kind: str, branch: Branch | None = None):
    check_keeper(actor, unit.code)
    branch = branch or Branch()
    if branch.pk:
        check_keeper(actor, branch.unit_code)
    branch.unit = unit
    branch.name = required(name, "name", _("Name"))
    branch.kind = choice(kind, BranchKind, "kind")
    if Branch.objects.filter(unit=unit, name=branch.name).exclude(pk=branch.pk).exists():
        raise InvalidInput(_("This unit already has a branch of that name."), field="name")
    branch.save()
    return branch


@dataclass
class MemberData:
    name: str
    branch: Branch
    kind: str = MemberKind.SELF_MANAGED
    position: str = Position.MEMBER
    # None keeps the current number on edit; "" clears it.
    phone: str | None = None
    person: "Person | None" = None
    employer: str = ""
    joined_party_on: dt.date | None = None
    responsibility_area: str = ""
    model_post: str = ""
    active: bool = True


@transaction.atomic
def save_member(*, actor: Any, data: MemberData, member: PartyMember | None = None) -> PartyMember:
    """Add or change a party member. A member hangs on their branch's unit; a dual-registered
    member names the employer they come from."""
    check_keeper(actor, data.branch.unit_code)
    member = member or PartyMember()
    if member.pk:
        check_keeper(actor, member.unit_code)
    member.name = required(data.name, "name", _("Name"))
    member.branch = data.branch
    member.unit = data.branch.unit
    member.kind = choice(data.kind, MemberKind, "kind")
    member.position = choice(data.position, Position, "position")
    member.employer = data.employer.strip()
    if member.kind == MemberKind.DUAL_REGISTERED and not member.employer:
        raise InvalidInput(
            _("A dual-registered member needs the employer they report from."), field="employer"
        )
    if data.phone is not None:
        member.set_phone(data.phone)
    member.person = data.person or _resident_with_phone(member)
    member.joined_party_on = data.joined_party_on
    member.responsibility_area = data.responsibility_area.strip()
    member.model_post = data.model_post.strip()
    member.active = data.active
    clash = PartyMember.objects.exclude(pk=member.pk)
    if member.phone_hash and clash.filter(phone_hash=member.phone_hash).exists():
        raise InvalidInput(_("Another party member has this phone number."), field="phone")
    if member.person_id and clash.filter(person_id=member.person_id).exists():
        raise InvalidInput(_("This person is already a party member."), field="person")
    member.save()
    return member


def _resident_with_phone(member: PartyMember):
    """The resident record under the member's unit with the member's phone, if exactly one: a
    member entered by phone is linked to their basic data without a search."""
    from civicgrid.people.models import Person

    if member.person_id or not member.phone_hash:
        return member.person
    found = list(
        Person.objects.filter(phone_hash=member.phone_hash, unit_code__under=member.unit_code)[:2]
    )
    return found[0] if len(found) == 1 else None


def member_for(*, person=None, phone_hash: str = "") -> PartyMember | None:
    """The active party member behind a person record or a phone (keyed hash), if any."""
    members = PartyMember.objects.filter(active=True)
    if person is not None:
        found = members.filter(person=person).first()
        if found:
            return found
    if phone_hash:
        return members.filter(phone_hash=phone_hash).first()
    return None


@transaction.atomic
def save_shock_team(
    *, actor: Any, unit: OrgUnit, name: str, purpose: str = "", leader=None, members=(), team=None
) -> ShockTeam:
    check_keeper(actor, unit.code)
    team = team or ShockTeam()
    team.unit = unit
    team.name = required(name, "name", _("Name"))
    team.purpose = purpose.strip()
    members = list(members)
    if leader is not None and leader not in members:
        members.append(leader)
    for member in members:
        if not is_under(member.unit_code, unit.code):
            raise InvalidInput(
                _("%(name)s is not a member under this unit.") % {"name": member.name},
                field="members",
            )
    team.leader = leader
    team.save()
    team.members.set(members)
    return team


# ---- organisational life and study hours ------------------------------------------------------


def credit_study(*, member: PartyMember, hours: Decimal, source: str, label: str, day: dt.date):
    """Credit class hours (学时) to a member once per `source`; None when already credited or
    nothing to credit."""
    if hours <= 0:
        return None
    try:
        with transaction.atomic():
            return StudyCredit.objects.create(
                member=member,
                year=day.year,
                earned_on=day,
                hours=hours,
                source=source,
                label=label[:200],
            )
    except IntegrityError:
        return None


@transaction.atomic
def record_meeting(
    *,
    actor: Any,
    branch: Branch,
    kind: str,
    held_on: dt.date,
    topic: str,
    attendees: Iterable[PartyMember],
    minutes: str = "",
    class_hours: Decimal = Decimal(0),
) -> OrganisationalLife:
    """Record one meeting of 三会一课 or a theme party day. Attendees earn the organisational-
    life points; a party lecture's class hours count as study hours."""
    check_keeper(actor, branch.unit_code)
    kind = choice(kind, LifeKind, "kind")
    if held_on > timezone.localdate():
        raise InvalidInput(_("A meeting is recorded after it is held."), field="held_on")
    attendees = list(attendees)
    if not attendees:
        raise InvalidInput(_("Tick the members who attended."), field="attendees")
    strangers = [m.name for m in attendees if m.branch_id != branch.pk]
    if strangers:
        raise InvalidInput(
            _("Not members of this branch: %(names)s.") % {"names": "、".join(strangers)},
            field="attendees",
        )
    if class_hours < 0 or class_hours > 8:
        raise InvalidInput(_("Class hours lie between 0 and 8."), field="class_hours")
    meeting = OrganisationalLife.objects.create(
        unit=branch.unit,
        branch=branch,
        kind=kind,
        held_on=held_on,
        topic=required(topic, "topic", _("Topic")),
        minutes=minutes.strip(),
        class_hours=class_hours,
        recorded_by=actor,
    )
    meeting.attendees.set(attendees)
    source = f"meeting:{meeting.pk}"
    label = meeting.topic
    for member in attendees:
        credit_study(member=member, hours=class_hours, source=source, label=label, day=held_on)
        award_points(
            member=member,
            kind=PointKind.ORGANISATIONAL_LIFE,
            source=source,
            actor=actor,
            note=label,
            day=held_on,
        )
    return meeting


# ---- points ----------------------------------------------------------------------------------


def _lock(pk: int) -> PartyMember:
    return PartyMember.objects.select_for_update().get(pk=pk)


def _append(
    member: PartyMember,
    kind: str,
    points: int,
    *,
    day: dt.date,
    source: str = "",
    note: str = "",
    actor=None,
    corrects: PointEntry | None = None,
) -> PointEntry:
    """Append one entry to a locked member's ledger, move the balance and the rollup."""
    if member.balance + points < 0:
        raise Conflict(
            _("%(name)s has %(balance)s points; this needs %(points)s.")
            % {"name": member.name, "balance": member.balance, "points": -points},
            field="points",
        )
    entry = PointEntry.objects.create(
        member=member,
        unit_id=member.unit_id,
        unit_code=member.unit_code,
        kind=kind,
        points=points,
        day=day,
        source=source,
        note=note[:200],
        actor=actor,
        corrects=corrects,
    )
    earned = points if kind in EARNING_KINDS or kind == PointKind.CORRECTION else 0
    redeemed = points - earned  # redemptions negative, refunds positive
    member.balance += points
    member.earned += earned
    member.redeemed -= redeemed
    PartyMember.objects.filter(pk=member.pk).update(
        balance=member.balance, earned=member.earned, redeemed=member.redeemed
    )
    # A correction may take points back in a month of its own: these counters may go negative.
    key = {"unit_id": member.unit_id, "month": day.replace(day=1)}
    deltas = {"earned": earned, "redeemed": -redeemed}
    add_to_rollups([RollupDelta(PointsRollup, key, member.unit_code, deltas)], signed=True)
    return entry


def _earned(member: PartyMember, kind: str, first: dt.date, last: dt.date) -> int:
    entries = PointEntry.objects.filter(member=member, kind=kind, day__gte=first, day__lte=last)
    return entries.aggregate(total=Sum("points"))["total"] or 0


def allowance(member: PartyMember, rule: PointRule, day: dt.date, wanted: int) -> int:
    """How many of `wanted` points of `rule`'s kind the member may still earn on `day`."""
    left = wanted
    if rule.daily_cap:
        left = min(left, rule.daily_cap - _earned(member, rule.kind, day, day))
    if rule.yearly_cap:
        year = (day.replace(month=1, day=1), day.replace(month=12, day=31))
        left = min(left, rule.yearly_cap - _earned(member, rule.kind, *year))
    return max(left, 0)


@transaction.atomic
def award_points(
    *,
    member: PartyMember,
    kind: str,
    source: str = "",
    actor=None,
    note: str = "",
    day: dt.date | None = None,
    points: int | None = None,
) -> PointEntry | None:
    """The one way points are earned: the kind's rule says how many (`points` overrides it for
    kinds awarded by hand, capped all the same), its daily and yearly caps cut it down. Returns
    the entry, or None when the rule is off, the caps are reached or `source` was already paid."""
    if kind not in EARNING_KINDS:
        raise InvalidInput(_("Points of this kind are not earned."), field="kind")
    rule = PointRule.objects.filter(kind=kind, active=True).first()
    if rule is None:
        return None
    day = day or timezone.localdate()
    member = _lock(member.pk)
    if not member.active:
        return None
    if source and PointEntry.objects.filter(member=member, kind=kind, source=source).exists():
        return None
    wanted = rule.points if points is None else points
    if wanted <= 0:
        raise InvalidInput(_("Points awarded are more than zero."), field="points")
    granted = allowance(member, rule, day, wanted)
    if granted <= 0:
        return None
    return _append(member, kind, granted, day=day, source=source, note=note, actor=actor)


@transaction.atomic
def award_by_hand(*, actor: Any, member: PartyMember, points: int, note: str) -> PointEntry | None:
    """Staff award points for another merit (kind "other"), with a reason, under its caps."""
    check_keeper(actor, member.unit_code)
    note = required(note, "note", _("Reason"))
    return award_points(member=member, kind=PointKind.OTHER, actor=actor, note=note, points=points)


@transaction.atomic
def correct_points(*, actor: Any, entry: PointEntry, points: int, note: str) -> PointEntry:
    """Correct an entry by appending another (never by changing it): `points` is the change,
    e.g. -5 to take back five points given in error. The balance may not go below zero."""
    check_keeper(actor, entry.unit_code)
    note = required(note, "note", _("Reason"))
    if points == 0:
        raise InvalidInput(_("A correction changes the points."), field="points")
    if entry.kind == PointKind.REDEMPTION or entry.kind == PointKind.REFUND:
        raise InvalidInput(_("Cancel the redemption instead."), field="entry")
    member = _lock(entry.member_id)
    return _append(
        member,
        PointKind.CORRECTION,
        points,
        day=timezone.localdate(),
        note=note,
        actor=actor,
        corrects=entry,
    )


# ---- the shop ---------------------------------------------------------------------------------


@transaction.atomic
def save_item(
    *,
    actor: Any,
    unit: OrgUnit,
    name: str,
    points: int,
    stock: int,
    description: str = "",
    active: bool = True,
    item: RewardItem | None = None,
) -> RewardItem:
    check_keeper(actor, unit.code)
    if points is None or points <= 0:
        raise InvalidInput(_("An item costs at least one point."), field="points")
    if stock is None or stock < 0:
        raise InvalidInput(_("Stock cannot be negative."), field="stock")
    if item is not None:
        check_keeper(actor, item.unit_code)
        item = RewardItem.objects.select_for_update().get(pk=item.pk)
    else:
        item = RewardItem()
    item.unit = unit
    item.name = required(name, "name", _("Name"))
    item.description = description.strip()
    item.points = points
    item.stock = stock
    item.active = active
    item.save()
    return item


def _may_redeem(actor: Any, member: PartyMember, item: RewardItem) -> bool:
    own = getattr(actor, "party_member", None) if actor is not None else None
    return holds(actor, item.unit_code, PARTY_ROLES) or (own is not None and own.pk == member.pk)


@transaction.atomic
def redeem(*, actor: Any, member: PartyMember, item: RewardItem, quantity: int = 1) -> Redemption:
    """Exchange points for `quantity` of `item`: the member's row is locked first, then the
    item's, so concurrent redemptions queue; neither balance nor stock can go below zero."""
    if quantity is None or quantity < 1:
        raise InvalidInput(_("Redeem at least one."), field="quantity")
    if not is_under(member.unit_code, item.unit_code):
        raise InvalidInput(_("This shop does not serve this member's unit."), field="item")
    if not _may_redeem(actor, member, item):
        raise NotAllowed(_("You may not redeem points for this member."))
    member = _lock(member.pk)
    item = RewardItem.objects.select_for_update().get(pk=item.pk)
    if not item.active:
        raise Conflict(_("%(item)s is no longer offered.") % {"item": item.name}, field="item")
    if item.stock < quantity:
        raise Conflict(
            _("Only %(stock)s of %(item)s left.") % {"stock": item.stock, "item": item.name},
            field="quantity",
        )
    if not member.active:
        raise Conflict(_("%(name)s is no longer an active member.") % {"name": member.name})
    cost = item.points * quantity
    now = timezone.now()
    entry = _append(
        member,
        PointKind.REDEMPTION,
        -cost,
        day=timezone.localdate(now),
        note=f"{item.name} × {quantity}",
        actor=actor,
    )
    RewardItem.objects.filter(pk=item.pk).update(stock=item.stock - quantity)
    redemption = Redemption.objects.create(
        unit=item.unit,
        member=member,
        item=item,
        quantity=quantity,
        points=cost,
        entry=entry,
        requested_by=actor,
    )
    REDEMPTIONS.start(redemption, RedemptionAction.REDEEM, actor=actor, now=now)
    return redemption


def hand_over(*, actor: Any, redemption: Redemption) -> Redemption:
    """Staff of the shop's unit hand the item over."""

    def change(r: Redemption, now: dt.datetime) -> None:
        r.closed_at, r.closed_by = now, actor

    return REDEMPTIONS.run(
        redemption, RedemptionAction.HAND_OVER, actor=actor, now=timezone.now(), change=change
    )


@transaction.atomic
def cancel_redemption(*, actor: Any, redemption: Redemption, reason: str) -> Redemption:
    """Staff of the shop's unit cancel before hand-over: the points come back as a refund
    entry, the stock returns. The member's row is locked before the redemption's, as a
    redemption locks it before the item's."""
    reason = required(reason, "reason", _("Reason"))
    member = _lock(redemption.member_id)

    def change(r: Redemption, now: dt.datetime) -> None:
        item = RewardItem.objects.select_for_update().get(pk=r.item_id)
        r.refund = _append(
            member,
            PointKind.REFUND,
            r.points,
            day=timezone.localdate(now),
            note=reason,
            actor=actor,
        )
        RewardItem.objects.filter(pk=item.pk).update(stock=item.stock + r.quantity)
        r.closed_at, r.closed_by = now, actor

    return REDEMPTIONS.run(
        redemption,
        RedemptionAction.CANCEL,
        actor=actor,
        now=timezone.now(),
        note=reason,
        change=change,
    )
