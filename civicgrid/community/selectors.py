"""Reads of community services, scoped through org.scoping."""

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from civicgrid.alliances.models import MemberUnit
from civicgrid.community.models import (
    CommunityRollup,
    Need,
    NeedStatus,
    Partner,
    Project,
    Resource,
    Task,
    TaskStatus,
)
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import postings_of_user, scope, scope_under
from civicgrid.org.selectors import shared_down
from civicgrid.org.tree import is_under, neighbourhood_of
from civicgrid.party import selectors as party_selectors
from civicgrid.party.models import PartyMember
from civicgrid.volunteers import selectors as volunteer_selectors

ACTIVE_NEEDS = (NeedStatus.OPEN, NeedStatus.MATCHED, NeedStatus.IN_PROGRESS)

may_keep = party_selectors.may_keep


def list_status(query, choices) -> str:
    """A list's status filter (?status=) among `choices`; blank for all or unknown."""
    status = query.get("status") or ""
    return status if status in choices.values else ""


def needs_for(user, unit: OrgUnit, *, active: bool = True) -> QuerySet[Need]:
    needs = scope_under(Need.objects.select_related("resource", "project", "unit"), user, unit)
    return needs.filter(status__in=ACTIVE_NEEDS) if active else needs


def need_for(user, pk: int) -> Need:
    return get_object_or_404(
        scope(Need.objects.select_related("resource", "project", "unit"), user), pk=pk
    )


def resources_for(user, unit: OrgUnit) -> QuerySet[Resource]:
    """The unit's resources and those of the units above it (a street's serve its communities)."""
    return shared_down(Resource.objects.filter(available=True), user, unit).order_by(
        "category", "title"
    )


def projects_for(user, unit: OrgUnit) -> QuerySet[Project]:
    return scope_under(Project.objects.all(), user, unit).annotate(
        need_count=Count("needs", distinct=True), task_count=Count("tasks", distinct=True)
    )


def project_for(user, pk: int) -> Project:
    return get_object_or_404(scope(Project.objects.select_related("owner", "unit"), user), pk=pk)


def partners_for(user, unit: OrgUnit) -> QuerySet[Partner]:
    return scope_under(Partner.objects.filter(active=True), user, unit).annotate(
        activity_count=Count("activities"), served=Sum("activities__people_served")
    )


def partner_for(user, pk: int) -> Partner:
    """A partner in the user's scope, or the partner whose own login the user is."""
    partners = Partner.objects.select_related("unit")
    found = scope(partners, user).filter(pk=pk).first()
    if found is not None:
        return found
    own = getattr(user, "community_partner", None)  # asked only of one outside the scope
    if own is not None and own.pk == pk:
        return get_object_or_404(partners, pk=pk)
    raise Http404


def tasks_for(user, unit: OrgUnit, status: str = "") -> QuerySet[Task]:
    tasks = scope_under(Task.objects.select_related("member", "member_unit", "project"), user, unit)
    return tasks.filter(status=status) if status else tasks


def claimant_of(user) -> PartyMember | MemberUnit | None:
    """Who a login claims tasks as: its party member, else its member unit, else nobody."""
    if not user.is_authenticated:
        return None
    member = getattr(user, "party_member", None)
    if member is not None or postings_of_user(user):
        return member  # a member unit's login is no posted staff member's
    return getattr(user, "member_unit", None)


def _near_code(claimant: PartyMember | MemberUnit) -> str:
    """Where a claimant's tasks lie: a party member's community (or their own unit where it
    lies in none: a street, a dedicated grid hanging on a street); a member unit's committee's
    unit (a community, or a street for a street's committee)."""
    if isinstance(claimant, MemberUnit):
        return claimant.unit_code
    return neighbourhood_of(claimant.unit_code) or claimant.unit_code


def _claimed_by(claimant: PartyMember | MemberUnit) -> Q:
    if isinstance(claimant, MemberUnit):
        return Q(member_unit=claimant)
    return Q(member=claimant)


def claimed_by(task: Task, claimant: PartyMember | MemberUnit | None) -> bool:
    if isinstance(claimant, MemberUnit):
        return task.member_unit_id == claimant.pk
    return claimant is not None and task.member_id == claimant.pk


def task_for(user, pk: int) -> Task:
    """A task the user may see: in their scope, or near them as a claimant."""
    task = get_object_or_404(Task.objects.select_related("member", "member_unit"), pk=pk)
    own = claimant_of(user)
    if own is not None and (claimed_by(task, own) or is_under(task.unit_code, _near_code(own))):
        return task
    return get_object_or_404(scope(Task.objects.filter(pk=pk), user))


def tasks_near(claimant: PartyMember | MemberUnit) -> dict[str, QuerySet[Task]]:
    """A claimant's tasks: the open ones near them (_near_code), and those they claimed."""
    return {
        "open": Task.objects.filter(
            unit_code__under=_near_code(claimant), status=TaskStatus.OPEN
        ).order_by("due_on"),
        "mine": Task.objects.filter(_claimed_by(claimant))
        .exclude(status=TaskStatus.CLOSED)
        .order_by("status", "due_on"),
    }


def figures(unit: OrgUnit, first: dt.date, last: dt.date) -> dict:
    """A unit's community services over months: needs recorded and met (and open now),
    projects done, partner activities and people served, tasks created, claimed and done,
    volunteer orders and hours."""
    rows = CommunityRollup.objects.filter(
        unit_code__under=unit.code, month__gte=first.replace(day=1), month__lte=last
    ).aggregate(
        **{
            name: Sum(name)
            for name in (
                "needs",
                "needs_met",
                "projects_done",
                "activities",
                "people_served",
                "tasks",
                "tasks_claimed",
                "tasks_done",
            )
        }
    )
    out = {name: value or 0 for name, value in rows.items()}
    out["needs_open"] = Need.objects.filter(
        Q(unit_code__under=unit.code), status__in=ACTIVE_NEEDS
    ).count()
    out["volunteering"] = volunteer_selectors.figures(unit, first, last)
    return out


def figures_below(
    unit: OrgUnit, children: list[OrgUnit], first: dt.date, last: dt.date
) -> list[tuple[OrgUnit, dict]]:
    """What the figures page ranks of each of `children` (units under `unit`): needs met,
    projects done, people served, tasks done and volunteer hours, as (child, figures) in two
    queries for all of them, each child counted by a filter."""
    if not children:
        return []
    names = ("needs_met", "projects_done", "people_served", "tasks_done")
    sums = CommunityRollup.objects.filter(
        unit_code__under=unit.code, month__gte=first.replace(day=1), month__lte=last
    ).aggregate(
        **{
            f"{name}_{i}": Sum(name, filter=Q(unit_code__under=child.code))
            for i, child in enumerate(children)
            for name in names
        }
    )
    hours = volunteer_selectors.hours_below(unit, children, first, last)
    return [
        (
            child,
            {
                **{name: sums[f"{name}_{i}"] or 0 for name in names},
                "volunteering": {"hours": hours[i]},
            },
        )
        for i, child in enumerate(children)
    ]
