"""Reads of community services, scoped through org.scoping."""

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

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
from civicgrid.org.scoping import scope, scope_under
from civicgrid.org.selectors import shared_down
from civicgrid.org.tree import is_under, neighbourhood_of
from civicgrid.party import selectors as party_selectors
from civicgrid.volunteers import selectors as volunteer_selectors

ACTIVE_NEEDS = (NeedStatus.OPEN, NeedStatus.MATCHED, NeedStatus.IN_PROGRESS)

may_keep = party_selectors.may_keep


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
    return get_object_or_404(scope(Partner.objects.select_related("unit"), user), pk=pk)


def tasks_for(user, unit: OrgUnit, status: str = "") -> QuerySet[Task]:
    tasks = scope_under(Task.objects.select_related("member", "member_unit", "project"), user, unit)
    return tasks.filter(status=status) if status else tasks


def task_for(user, pk: int) -> Task:
    """A task the user may see: in their scope, or near them as a party member."""
    task = get_object_or_404(Task.objects.select_related("member", "member_unit"), pk=pk)
    own = getattr(user, "party_member", None) if user.is_authenticated else None
    if own is not None and (
        task.member_id == own.pk
        or is_under(task.unit_code, neighbourhood_of(own.unit_code) or own.unit_code)
    ):
        return task
    return get_object_or_404(scope(Task.objects.filter(pk=pk), user))


def tasks_near(member) -> dict[str, QuerySet[Task]]:
    """A party member's tasks: open ones in their community (or their own unit where it lies
    in none: a street, a dedicated grid hanging on a street), and those they claimed."""
    return {
        "open": Task.objects.filter(
            unit_code__under=neighbourhood_of(member.unit_code) or member.unit_code,
            status=TaskStatus.OPEN,
        ).order_by("due_on"),
        "mine": Task.objects.filter(member=member)
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
