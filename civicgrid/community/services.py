"""Every write to community services: needs and their matching to resources, projects,
partners and their activities, tasks and their claims.

Needs, tasks and projects run on the workflow engine through their tables in `workflow.py`: a
step locks the row, checks the table and the actor, applies the change, appends a log row and
adds to `CommunityRollup` for its month, in one transaction (`rollups.rebuild_rollups` recounts
the rollup from the rows; the tests check the two agree). Matching a need takes one unit of a
resource's capacity under the resource's row lock, so a resource is never matched beyond its
capacity; meeting the need (or dropping it) gives it back.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.alliances.models import MemberUnit, Resolution
from civicgrid.community import rollups
from civicgrid.community.models import (
    Category,
    Need,
    NeedAction,
    NeedSource,
    Partner,
    PartnerActivity,
    Project,
    ProjectAction,
    ProjectKind,
    ProviderKind,
    Resource,
    Task,
    TaskAction,
    Terms,
    Urgency,
)
from civicgrid.community.workflow import NEEDS, PROJECTS, TASKS, member_of, member_unit_of
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed, choice, required
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds, require
from civicgrid.org.selectors import code_prefixes, on_one_branch
from civicgrid.org.tree import is_under, neighbourhood_of, street_of
from civicgrid.party import services as party
from civicgrid.party.models import PartyMember, PointKind
from civicgrid.party.roles import PARTY_ROLES
from civicgrid.people.models import Building, Household, Organisation
from civicgrid.people.roles import LEDGER_ROLES


def check_keeper(actor: Any, code: str) -> None:
    require(actor, code, PARTY_ROLES, _("You may not keep the community's lists here."))


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
    household: Household | None = None
    building: Building | None = None
    organisation: Organisation | None = None


@transaction.atomic
def record_need(*, actor: Any, unit: OrgUnit, data: NeedData) -> Need:
    """Put a need on the list: from a door-to-door survey, a resident, a grid worker, a
    meeting. Grid workers and staff of the unit may record."""
    if not holds(actor, unit.code, LEDGER_ROLES):
        raise NotAllowed(_("You may not record needs here."))
    if data.people is None or data.people < 1:
        raise InvalidInput(_("At least one person is concerned."), field="people")
    # A need of a grid concerns its community's households; one of a street, the street's.
    neighbourhood = neighbourhood_of(unit.code) or unit.code
    for subject, field in (
        (data.household, "household"),
        (data.building, "building"),
        (data.organisation, "organisation"),
    ):
        if subject is not None and not is_under(subject.unit_code, neighbourhood):
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
    NEEDS.start(need, NeedAction.RECORD, actor=actor, now=need.created_at)
    rollups.add(need)
    return need


def nearness(
    resource: Resource, need: Need, *, neighbourhood: str | None, street: str | None
) -> int:
    """3: kept at the need's own unit (its grid); 2: in its community (`neighbourhood_of` the
    need); 1: in its `street`; 0: above (the district's)."""
    if resource.unit_code == need.unit_code:
        return 3
    for level, root in ((2, neighbourhood), (1, street)):
        if root is not None and is_under(resource.unit_code, root):
            return level
    return 0


def serving(need: Need) -> QuerySet[Resource]:
    """Resources that may serve a need: kept at the need's unit or above it, or anywhere in
    the need's community."""
    return Resource.objects.filter(
        Q(unit_code__in=code_prefixes(need.unit_code))
        | Q(unit_code__under=neighbourhood_of(need.unit_code) or need.unit_code)
    )


def serves(resource: Resource, need: Need) -> bool:
    """Whether `resource` is one of those `serving` the need."""
    return serving(need).filter(pk=resource.pk).exists()


def usable_resources(need: Need) -> list[Resource]:
    """Available resources with free capacity that may serve `need`."""
    return [r for r in serving(need).filter(available=True) if r.free_capacity > 0]


def suggest(need: Need) -> list[tuple[Resource, list[str]]]:
    """Resources for a need, best first: the need's category before "other" (others are not
    offered);
    then the nearest (same grid, then anywhere in the community, then the street); then free
    before low-fee; then the most capacity left. Each comes with the reasons shown to staff."""

    levels = {
        "neighbourhood": neighbourhood_of(need.unit_code),
        "street": street_of(need.unit_code),
    }

    def rank(resource: Resource):
        fit = (
            2 if resource.category == need.category else (1 if resource.category == "other" else 0)
        )
        return (
            -fit,
            -nearness(resource, need, **levels),
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
        near = nearness(resource, need, **levels)
        if near == 3:
            reasons.append(_("same grid"))
        elif near == 2:
            reasons.append(_("same community"))
        reasons.append(str(Terms(resource.terms).label))
        reasons.append(_("%(n)s free") % {"n": resource.free_capacity})
        out.append((resource, reasons))
    return out


def _release(need: Need) -> None:
    """Give back the capacity a matched need held."""
    if need.resource_id:
        resource = Resource.objects.select_for_update().get(pk=need.resource_id)
        Resource.objects.filter(pk=resource.pk).update(in_use=max(resource.in_use - 1, 0))


def match_need(*, actor: Any, need: Need, resource: Resource, note: str = "") -> Need:
    """Staff confirm a resource for a need; it takes one unit of the resource's capacity."""

    def change(locked: Need, now: dt.datetime) -> None:
        # The resource's row is locked after the need's, like every step's related rows.
        held = Resource.objects.select_for_update().get(pk=resource.pk)
        if not serves(held, locked):
            raise InvalidInput(
                _("This resource does not serve this need's area."), field="resource"
            )
        if not held.available or held.free_capacity <= 0:
            raise Conflict(
                _("%(resource)s has no capacity left (%(n)s in use).")
                % {"resource": held, "n": held.in_use},
                field="resource",
            )
        Resource.objects.filter(pk=held.pk).update(in_use=held.in_use + 1)
        locked.resource = held

    note = (note or str(resource))[:300]
    return NEEDS.run(need, NeedAction.MATCH, actor=actor, note=note, change=change)


def meet_need(*, actor: Any, need: Need, answer: str) -> Need:
    """Staff say what was done; the resource's capacity comes back."""
    answer = required(answer, "answer", _("What was done"))[:300]

    def change(locked: Need, now: dt.datetime) -> None:
        locked.answer, locked.closed_at = answer, now
        _release(locked)

    return NEEDS.run(need, NeedAction.MEET, actor=actor, note=answer, change=change)


def drop_need(*, actor: Any, need: Need, answer: str) -> Need:
    """Say a need cannot be met, and why (the resident is told)."""
    answer = required(answer, "answer", _("Reason"))[:300]

    def change(locked: Need, now: dt.datetime) -> None:
        locked.answer, locked.closed_at = answer, now
        _release(locked)

    return NEEDS.run(need, NeedAction.NOT_FEASIBLE, actor=actor, note=answer, change=change)


# ---- resources, projects ---------------------------------------------------------------------


@transaction.atomic
def save_resource(
    *,
    actor: Any,
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
    *,
    actor: Any,
    unit: OrgUnit,
    title: str,
    kind: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
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
    PROJECTS.start(project, ProjectAction.PLAN, actor=actor, now=project.created_at)

    def join(locked: Need, now: dt.datetime) -> None:
        locked.project = project

    for need in needs:
        if not is_under(need.unit_code, unit.code):
            raise InvalidInput(
                _("%(need)s is not under this unit.") % {"need": need}, field="needs"
            )
        joined = NEEDS.run(
            need, NeedAction.START, actor=actor, note=project.title[:300], change=join
        )
        if joined.resource_id:
            project.resources.add(joined.resource_id)
    if not project.beneficiaries:
        project.beneficiaries = sum(n.people for n in project.needs.all())
        project.save(update_fields=["beneficiaries"])
    return project


@transaction.atomic
def finish_project(*, actor: Any, project: Project, outcome: str, beneficiaries: int) -> Project:
    """Close a project with its outcome; its needs are met (民生实事 done)."""
    if beneficiaries is None or beneficiaries < 0:
        raise InvalidInput(_("Give the number of beneficiaries."), field="beneficiaries")
    outcome = required(outcome, "outcome", _("Outcome"))

    def change(locked: Project, now: dt.datetime) -> None:
        locked.done_at, locked.outcome, locked.beneficiaries = now, outcome, beneficiaries

    done = PROJECTS.run(project, ProjectAction.FINISH, actor=actor, note=outcome, change=change)
    meetable = NEEDS.transitions[NeedAction.MEET].sources
    for need in done.needs.filter(status__in=meetable):
        meet_need(actor=actor, need=need, answer=done.title)
    return done


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
    organisation: Organisation | None = None


@transaction.atomic
def save_partner(
    *, actor: Any, unit: OrgUnit, data: PartnerData, partner: Partner | None = None
) -> Partner:
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
    *,
    actor: Any,
    partner: Partner,
    title: str,
    held_on: dt.date | None,
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
    rollups.add(activity)
    return activity


# ---- tasks -----------------------------------------------------------------------------------


@transaction.atomic
def create_task(
    *,
    actor: Any,
    unit: OrgUnit,
    title: str,
    due_on: dt.date | None,
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
    TASKS.start(task, TaskAction.CREATE, actor=actor, now=task.created_at)
    rollups.add(task)
    return task


@transaction.atomic
def task_from_resolution(
    *, actor: Any, resolution: Resolution, unit: OrgUnit, title: str, due_on: dt.date | None
) -> Task:
    """Decompose a joint meeting's resolution into a task for member units or party members to
    claim, at the committee's unit or a unit under it. Keepers of the unit only (create_task)."""
    meeting = resolution.meeting
    if not is_under(unit.code, meeting.unit_code):
        raise InvalidInput(_("Choose a unit under the committee."), field="unit")
    task = create_task(
        actor=actor,
        unit=unit,
        title=title or resolution.text,
        due_on=due_on,
        source=f"{meeting}：{resolution.text}",
    )
    task.resolution = resolution
    task.save(update_fields=["resolution"])
    return task


def claim_task(
    *,
    actor: Any,
    task: Task,
    member: PartyMember | None = None,
    member_unit: MemberUnit | None = None,
) -> Task:
    """A party member or a member unit claims a task for itself; staff record a claim by a
    member unit or a member. First come: a claimed task cannot be claimed again."""
    if member is None and member_unit is None:
        member = member_of(actor)
        member_unit = member_unit_of(actor) if member is None else None
    if (member is None) == (member_unit is None):
        raise InvalidInput(
            _("A task is claimed by one member or one member unit."), field="claimant"
        )

    def change(locked: Task, now: dt.datetime) -> None:
        if member_unit is not None and not (
            member_unit.active and _near(locked.unit_code, member_unit.unit_code)
        ):
            raise InvalidInput(
                _("Only a member unit of this community's committee may claim it."),
                field="member_unit",
            )
        if member is not None and not (member.active and _near(locked.unit_code, member.unit_code)):
            raise InvalidInput(
                _("Only an active member of this community may claim it."), field="member"
            )
        locked.claimed_at, locked.member, locked.member_unit = now, member, member_unit

    return TASKS.run(
        task,
        TaskAction.CLAIM,
        actor=actor,
        note=str(member or member_unit),
        change=change,
        extra={"member": member, "member_unit": member_unit},
    )


def _near(code: str, other: str) -> bool:
    """In the same community, or on one branch of the tree (a street's member unit)."""
    return is_under(other, neighbourhood_of(code) or code) or on_one_branch(code, other)


@transaction.atomic
def report_task(*, actor: Any, task: Task, report: str) -> Task:
    """The claimant (or staff) report the task done; a party member earns the task points."""
    report = required(report, "report", _("Completion report"))[:300]

    def change(locked: Task, now: dt.datetime) -> None:
        locked.report, locked.done_at = report, now

    done = TASKS.run(task, TaskAction.REPORT, actor=actor, note=report, change=change)
    if done.member is not None:
        party.award_points(
            member=done.member,
            kind=PointKind.TASK,
            source=f"task:{done.pk}",
            actor=actor,
            note=done.title,
        )
    return done


def close_task(*, actor: Any, task: Task, reason: str) -> Task:
    """Staff close a task nobody needs to do any more, and say why."""
    reason = required(reason, "reason", _("Reason"))[:300]

    def change(locked: Task, now: dt.datetime) -> None:
        locked.report = reason

    return TASKS.run(task, TaskAction.CLOSE, actor=actor, note=reason, change=change)
