"""Every write to community services: needs and their matching to resources, projects,
partners and their activities, tasks and their claims.

A need and a task each move through a table of allowed steps (`NEED_STEPS`, `TASK_STEPS`); a
step locks the row, checks the table and the actor, and appends a log row (needs) or stamps the
claim (tasks). Matching a need takes one unit of a resource's capacity under the resource's row
lock, so a resource is never matched beyond its capacity; meeting the need (or dropping it)
gives it back. Each step adds to `CommunityRollup` for its month in the same transaction;
`rebuild_rollups` recounts them from the rows (the tests check the two agree).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.community.models import (
    ROLLUP_COUNTERS,
    Category,
    CommunityRollup,
    Need,
    NeedSource,
    NeedStatus,
    NeedStep,
    Partner,
    PartnerActivity,
    Project,
    ProjectKind,
    ProjectStatus,
    ProviderKind,
    Resource,
    Task,
    TaskStatus,
    Terms,
    Urgency,
)
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed, choice, required
from civicgrid.core.rollups import bump
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds, require
from civicgrid.org.selectors import on_one_branch
from civicgrid.party import services as party
from civicgrid.party.models import PointKind
from civicgrid.party.roles import PARTY_ROLES
from civicgrid.people.roles import LEDGER_ROLES

N = NeedStatus
T = TaskStatus
# step → (statuses it may start from, status it leads to)
NEED_STEPS = {
    "match": ({N.OPEN}, N.MATCHED),
    "start": ({N.MATCHED}, N.IN_PROGRESS),
    "meet": ({N.MATCHED, N.IN_PROGRESS}, N.MET),
    "not_feasible": ({N.OPEN, N.MATCHED}, N.NOT_FEASIBLE),
}
TASK_STEPS = {
    "claim": ({T.OPEN}, T.CLAIMED),
    "report": ({T.CLAIMED}, T.DONE),
    "close": ({T.OPEN, T.CLAIMED}, T.CLOSED),
}


def check_keeper(actor, code: str) -> None:
    require(actor, code, PARTY_ROLES, _("You may not keep the community's lists here."))


def _month(moment) -> dt.date:
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    return day.replace(day=1)


def _count(row, moment, **deltas: int) -> None:
    bump(
        CommunityRollup,
        {"unit_id": row.unit_id, "month": _month(moment)},
        row.unit_code,
        {name: value for name, value in deltas.items() if value},
    )


def rebuild_rollups() -> None:
    """Recount every rollup row from the needs, projects, activities and tasks."""
    CommunityRollup.objects.all().delete()
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ROLLUP_COUNTERS, 0))

    def add(row, moment, counter: str, value: int = 1) -> None:
        rows[(row.unit_id, row.unit_code, _month(moment))][counter] += value

    for need in Need.objects.all().iterator():
        add(need, need.created_at, "needs")
        if need.status == N.MET:
            add(need, need.closed_at, "needs_met")
    for project in Project.objects.filter(status=ProjectStatus.DONE).iterator():
        add(project, project.done_at, "projects_done")
    for activity in PartnerActivity.objects.all().iterator():
        add(activity, activity.held_on, "activities")
        add(activity, activity.held_on, "people_served", activity.people_served)
    for task in Task.objects.all().iterator():
        add(task, task.created_at, "tasks")
        if task.claimed_at:
            add(task, task.claimed_at, "tasks_claimed")
        if task.status == T.DONE:
            add(task, task.done_at, "tasks_done")
    for (unit_id, unit_code, month), counters in sorted(rows.items()):
        deltas = {name: value for name, value in counters.items() if value}
        if deltas:
            bump(CommunityRollup, {"unit_id": unit_id, "month": month}, unit_code, deltas)


# ---- needs and matching ------------------------------------------------------------------------


@dataclass
class NeedData:
    title: str
    category: str
    source: str
    urgency: str = Urgency.NORMAL
    description: str = ""
    who: str = ""
    people: int = 1
    household: object | None = None
    building: object | None = None
    organisation: object | None = None


@transaction.atomic
def record_need(actor, *, unit: OrgUnit, data: NeedData) -> Need:
    """Put a need on the list: from a door-to-door survey, a resident, a grid worker, a
    meeting. Grid workers and staff of the unit may record."""
    if not holds(actor, unit.code, LEDGER_ROLES):
        raise NotAllowed(_("You may not record needs here."))
    if data.people is None or data.people < 1:
        raise InvalidInput(_("At least one person is concerned."), field="people")
    for subject, field in (
        (data.household, "household"),
        (data.building, "building"),
        (data.organisation, "organisation"),
    ):
        if subject is not None and not subject.unit_code.startswith(unit.code[:12]):
            raise InvalidInput(
                _("Choose a %(field)s of this community.") % {"field": field}, field=field
            )
    need = Need.objects.create(
        unit=unit,
        title=required(data.title, "title", _("Title"))[:200],
        category=choice(data.category, Category, "category"),
        source=choice(data.source, NeedSource, "source"),
        urgency=choice(data.urgency, Urgency, "urgency"),
        description=data.description.strip(),
        who=data.who.strip()[:100],
        people=data.people,
        household=data.household,
        building=data.building,
        organisation=data.organisation,
        reported_by=actor,
    )
    NeedStep.objects.create(need=need, to_status=need.status, actor=actor)
    _count(need, need.created_at, needs=1)
    return need


def nearness(resource: Resource, need: Need) -> int:
    """3: kept at the need's own unit (its grid); 2: in its community; 1: in its street;
    0: above (the district's)."""
    if resource.unit_code == need.unit_code:
        return 3
    for level, digits in ((2, 12), (1, 9)):
        if (
            len(resource.unit_code) >= digits
            and resource.unit_code[:digits] == need.unit_code[:digits]
        ):
            return level
    return 0


def serves(resource: Resource, need: Need) -> bool:
    """Whether a resource may serve a need: kept at the need's unit or above it, or anywhere in
    the need's community."""
    return need.unit_code.startswith(resource.unit_code) or resource.unit_code.startswith(
        need.unit_code[:12]
    )


def usable_resources(need: Need) -> list[Resource]:
    """Available resources with free capacity that may serve `need`."""
    candidates = Resource.objects.filter(available=True, unit_code__startswith=need.unit_code[:6])
    return [r for r in candidates if r.free_capacity > 0 and serves(r, need)]


def suggest(need: Need) -> list[tuple[Resource, list[str]]]:
    """Resources for a need, best first: the need's category before "other" (others are not
    offered);
    then the nearest (same grid, then anywhere in the community, then the street); then free
    before low-fee; then the most capacity left. Each comes with the reasons shown to staff."""

    def rank(resource: Resource):
        fit = (
            2 if resource.category == need.category else (1 if resource.category == "other" else 0)
        )
        return (
            -fit,
            -nearness(resource, need),
            resource.terms != Terms.FREE,
            -resource.free_capacity,
            resource.pk,
        )

    fitting = [r for r in usable_resources(need) if r.category in {need.category, "other"}]
    ranked = sorted(fitting, key=rank)
    out = []
    for resource in ranked:
        reasons = []
        if resource.category == need.category:
            reasons.append(_("same category"))
        near = nearness(resource, need)
        if near == 3:
            reasons.append(_("same grid"))
        elif near == 2:
            reasons.append(_("same community"))
        reasons.append(str(Terms(resource.terms).label))
        reasons.append(_("%(n)s free") % {"n": resource.free_capacity})
        out.append((resource, reasons))
    return out


def _need_step(actor, need: Need, step: str, note: str = "") -> tuple[Need, str]:
    locked = Need.objects.select_for_update().get(pk=need.pk)
    check_keeper(actor, locked.unit_code)
    sources, target = NEED_STEPS[step]
    if locked.status not in sources:
        raise Conflict(_("This need is %(status)s.") % {"status": locked.get_status_display()})
    before = locked.status
    locked.status = target
    return locked, before


def _log_need(need: Need, before: str, actor, note: str = "") -> None:
    NeedStep.objects.create(
        need=need, from_status=before, to_status=need.status, actor=actor, note=note[:300]
    )


def _release(need: Need) -> None:
    """Give back the capacity a matched need held."""
    if need.resource_id:
        resource = Resource.objects.select_for_update().get(pk=need.resource_id)
        Resource.objects.filter(pk=resource.pk).update(in_use=max(resource.in_use - 1, 0))


@transaction.atomic
def match_need(actor, *, need: Need, resource: Resource, note: str = "") -> Need:
    """Staff confirm a resource for a need; it takes one unit of the resource's capacity."""
    locked, before = _need_step(actor, need, "match")
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not serves(resource, locked):
        raise InvalidInput(_("This resource does not serve this need's area."), field="resource")
    if not resource.available or resource.free_capacity <= 0:
        raise Conflict(
            _("%(resource)s has no capacity left (%(n)s in use).")
            % {"resource": resource, "n": resource.in_use},
            field="resource",
        )
    Resource.objects.filter(pk=resource.pk).update(in_use=resource.in_use + 1)
    locked.resource = resource
    locked.save(update_fields=["status", "resource"])
    _log_need(locked, before, actor, note or str(resource))
    return locked


@transaction.atomic
def meet_need(actor, *, need: Need, answer: str) -> Need:
    locked, before = _need_step(actor, need, "meet")
    locked.answer = required(answer, "answer", _("What was done"))[:300]
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "answer", "closed_at"])
    _release(locked)
    _log_need(locked, before, actor, locked.answer)
    _count(locked, locked.closed_at, needs_met=1)
    return locked


@transaction.atomic
def drop_need(actor, *, need: Need, answer: str) -> Need:
    """Say a need cannot be met, and why (the resident is told)."""
    locked, before = _need_step(actor, need, "not_feasible")
    locked.answer = required(answer, "answer", _("Reason"))[:300]
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "answer", "closed_at"])
    _release(locked)
    _log_need(locked, before, actor, locked.answer)
    return locked


# ---- resources, projects ---------------------------------------------------------------------


@transaction.atomic
def save_resource(
    actor,
    *,
    unit: OrgUnit,
    title: str,
    category: str,
    provider_kind: str,
    provider: str,
    capacity: int = 1,
    schedule: str = "",
    terms: str = Terms.FREE,
    price: Decimal | None = None,
    partner: Partner | None = None,
) -> Resource:
    check_keeper(actor, unit.code)
    if capacity is None or capacity < 1:
        raise InvalidInput(_("A resource serves at least one need."), field="capacity")
    terms = choice(terms, Terms, "terms")
    if terms == Terms.LOW_FEE and (price is None or price <= 0):
        raise InvalidInput(_("A low-fee resource needs its price."), field="price")
    return Resource.objects.create(
        unit=unit,
        title=required(title, "title", _("Title"))[:200],
        category=choice(category, Category, "category"),
        provider_kind=choice(provider_kind, ProviderKind, "provider_kind"),
        provider=required(provider or (partner.name if partner else ""), "provider", _("Provider"))[
            :100
        ],
        partner=partner,
        capacity=capacity,
        schedule=schedule.strip()[:200],
        terms=terms,
        price=price if terms == Terms.LOW_FEE else None,
    )


@transaction.atomic
def start_project(
    actor,
    *,
    unit: OrgUnit,
    title: str,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date,
    needs: Iterable[Need] = (),
    beneficiaries: int = 0,
) -> Project:
    """Turn matched needs into a project (their resources come along); the needs are then in
    progress."""
    check_keeper(actor, unit.code)
    starts_on = required(starts_on, "starts_on", _("Starts on"))
    ends_on = required(ends_on, "ends_on", _("Ends on"))
    if ends_on < starts_on:
        raise InvalidInput(_("A project ends after it starts."), field="ends_on")
    project = Project.objects.create(
        unit=unit,
        title=required(title, "title", _("Title"))[:200],
        kind=choice(kind, ProjectKind, "kind"),
        owner=actor,
        starts_on=starts_on,
        ends_on=ends_on,
        beneficiaries=beneficiaries,
    )
    for need in needs:
        if not need.unit_code.startswith(unit.code):
            raise InvalidInput(
                _("%(need)s is not under this unit.") % {"need": need}, field="needs"
            )
        locked, before = _need_step(actor, need, "start")
        locked.project = project
        locked.save(update_fields=["status", "project"])
        _log_need(locked, before, actor, project.title)
        if locked.resource_id:
            project.resources.add(locked.resource_id)
    if not project.beneficiaries:
        project.beneficiaries = sum(n.people for n in project.needs.all())
        project.save(update_fields=["beneficiaries"])
    return project


@transaction.atomic
def finish_project(actor, *, project: Project, outcome: str, beneficiaries: int) -> Project:
    """Close a project with its outcome; its needs are met (民生实事 done)."""
    check_keeper(actor, project.unit_code)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status in {ProjectStatus.DONE, ProjectStatus.DROPPED}:
        raise Conflict(
            _("This project is already %(status)s.") % {"status": locked.get_status_display()}
        )
    if beneficiaries is None or beneficiaries < 0:
        raise InvalidInput(_("Give the number of beneficiaries."), field="beneficiaries")
    locked.status, locked.done_at = ProjectStatus.DONE, timezone.now()
    locked.outcome = required(outcome, "outcome", _("Outcome"))
    locked.beneficiaries = beneficiaries
    locked.save(update_fields=["status", "done_at", "outcome", "beneficiaries"])
    _count(locked, locked.done_at, projects_done=1)
    for need in locked.needs.filter(status__in=NEED_STEPS["meet"][0]):
        meet_need(actor, need=need, answer=locked.title)
    return locked


# ---- partners -------------------------------------------------------------------------------


@dataclass
class PartnerData:
    name: str
    joined_on: dt.date
    space: bool = False
    operation: bool = False
    governance: bool = False
    space_used: str = ""
    benefit: str = ""
    benefit_yuan: Decimal = Decimal(0)
    offer: str = ""
    contact: str = ""
    organisation: object | None = None


@transaction.atomic
def save_partner(actor, *, unit: OrgUnit, data: PartnerData, partner=None) -> Partner:
    check_keeper(actor, unit.code)
    if not (data.space or data.operation or data.governance):
        raise InvalidInput(_("Tick at least one kind of partnership."), field="kinds")
    if data.benefit_yuan is None or data.benefit_yuan < 0:
        raise InvalidInput(_("The benefit cannot be negative."), field="benefit_yuan")
    partner = partner or Partner()
    if partner.pk:
        check_keeper(actor, partner.unit_code)
    name = required(data.name, "name", _("Name"))[:100]
    if Partner.objects.filter(unit=unit, name=name).exclude(pk=partner.pk).exists():
        raise InvalidInput(_("This unit already has a partner of that name."), field="name")
    for field in (
        "space",
        "operation",
        "governance",
        "space_used",
        "benefit",
        "benefit_yuan",
        "offer",
        "contact",
        "organisation",
        "joined_on",
    ):
        setattr(partner, field, getattr(data, field))
    partner.unit, partner.name = unit, name
    partner.save()
    return partner


@transaction.atomic
def record_activity(
    actor,
    *,
    partner: Partner,
    title: str,
    held_on: dt.date,
    people_served: int,
    terms: str = Terms.FREE,
) -> PartnerActivity:
    """A service or activity a partner ran: the figures the reports quote come from these."""
    check_keeper(actor, partner.unit_code)
    held_on = required(held_on, "held_on", _("Held on"))
    if held_on > timezone.localdate():
        raise InvalidInput(_("An activity is recorded after it is held."), field="held_on")
    if people_served is None or people_served < 0:
        raise InvalidInput(_("Give the number of people served."), field="people_served")
    activity = PartnerActivity.objects.create(
        unit_id=partner.unit_id,
        unit_code=partner.unit_code,
        partner=partner,
        title=required(title, "title", _("Title"))[:200],
        held_on=held_on,
        people_served=people_served,
        terms=choice(terms, Terms, "terms"),
    )
    _count(activity, held_on, activities=1, people_served=people_served)
    return activity


# ---- tasks -----------------------------------------------------------------------------------


@transaction.atomic
def create_task(
    actor,
    *,
    unit: OrgUnit,
    title: str,
    due_on: dt.date,
    description: str = "",
    project: Project | None = None,
    source: str = "",
) -> Task:
    """A task a community decomposes, from a project or a meeting's resolution."""
    check_keeper(actor, unit.code)
    due_on = required(due_on, "due_on", _("Due on"))
    if due_on < timezone.localdate():
        raise InvalidInput(_("The due date has passed."), field="due_on")
    task = Task.objects.create(
        unit=unit,
        title=required(title, "title", _("Title"))[:200],
        description=description.strip(),
        due_on=due_on,
        project=project,
        source=source.strip()[:200],
        created_by=actor,
    )
    _count(task, task.created_at, tasks=1)
    return task


def _task_step(task: Task, step: str) -> Task:
    # The row alone: after waiting for a lock, PostgreSQL re-reads the locked row but not the
    # rows joined to it, so the claimant is loaded afterwards.
    locked = Task.objects.select_for_update().get(pk=task.pk)
    sources, _target = TASK_STEPS[step]
    if locked.status not in sources:
        if step == "claim" and locked.status == T.CLAIMED:
            raise Conflict(_("%(who)s has already claimed this task.") % {"who": locked.claimant})
        raise Conflict(_("This task is %(status)s.") % {"status": locked.get_status_display()})
    return locked


@transaction.atomic
def claim_task(actor, *, task: Task, member=None, member_unit=None) -> Task:
    """A party member claims a task for themselves; staff record a claim by a member unit or
    a member. First come: a claimed task cannot be claimed again."""
    own = getattr(actor, "party_member", None) if actor is not None else None
    staff = holds(actor, task.unit_code, PARTY_ROLES)
    if member is None and member_unit is None:
        member = own
    if (member is None) == (member_unit is None):
        raise InvalidInput(
            _("A task is claimed by one member or one member unit."), field="claimant"
        )
    if not staff and not (own is not None and member is not None and own.pk == member.pk):
        raise NotAllowed(_("You may not claim this task for them."))
    if member_unit is not None and not (
        member_unit.active and _near(task.unit_code, member_unit.unit_code)
    ):
        raise InvalidInput(
            _("Only a member unit of this community's committee may claim it."), field="member_unit"
        )
    if member is not None and not (member.active and _near(task.unit_code, member.unit_code)):
        raise InvalidInput(
            _("Only an active member of this community may claim it."), field="member"
        )
    locked = _task_step(task, "claim")
    locked.status, locked.claimed_at = T.CLAIMED, timezone.now()
    locked.member, locked.member_unit = member, member_unit
    locked.save(update_fields=["status", "claimed_at", "member", "member_unit"])
    _count(locked, locked.claimed_at, tasks_claimed=1)
    return locked


def _near(code: str, other: str) -> bool:
    """In the same community, or on one branch of the tree (a street's member unit)."""
    return code[:12] == other[:12] or on_one_branch(code, other)


@transaction.atomic
def report_task(actor, *, task: Task, report: str) -> Task:
    """The claimant (or staff) report the task done; a party member earns the task points."""
    locked = _task_step(task, "report")
    own = getattr(actor, "party_member", None) if actor is not None else None
    mine = own is not None and locked.member_id == own.pk
    if not mine and not holds(actor, locked.unit_code, PARTY_ROLES):
        raise NotAllowed(_("Only the claimant or staff may report this task."))
    locked.report = required(report, "report", _("Completion report"))[:300]
    locked.status, locked.done_at = T.DONE, timezone.now()
    locked.save(update_fields=["status", "report", "done_at"])
    _count(locked, locked.done_at, tasks_done=1)
    if locked.member_id:
        party.award_points(
            member=locked.member,
            kind=PointKind.TASK,
            source=f"task:{locked.pk}",
            actor=actor,
            note=locked.title,
        )
    return locked


@transaction.atomic
def close_task(actor, *, task: Task, reason: str) -> Task:
    check_keeper(actor, task.unit_code)
    locked = _task_step(task, "close")
    locked.status = T.CLOSED
    locked.report = required(reason, "reason", _("Reason"))[:300]
    locked.save(update_fields=["status", "report"])
    return locked
