"""Reads of joint committees, scoped through org.scoping."""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from civicgrid.alliances.models import JointCommittee, JointMeeting
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import scope
from civicgrid.org.selectors import code_prefixes


def committees_for(user, unit: OrgUnit) -> QuerySet[JointCommittee]:
    """Committees at the unit, under it, and above it (a street's committee serves its
    communities)."""
    return (
        (
            scope(JointCommittee.objects.all(), user).filter(unit_code__startswith=unit.code)
            | JointCommittee.objects.filter(unit_code__in=code_prefixes(unit.code)[:-1])
        )
        .filter(active=True)
        .prefetch_related("members")
        .distinct()
    )


def meetings_for(user, unit: OrgUnit) -> QuerySet[JointMeeting]:
    return (
        scope(JointMeeting.objects.all(), user)
        .filter(unit_code__startswith=unit.code)
        .select_related("committee")
        .annotate(attendee_count=Count("attendees"))[:50]
    )


def committee_for(user, pk: int) -> JointCommittee:
    return get_object_or_404(scope(JointCommittee.objects.select_related("unit"), user), pk=pk)


def meeting_for(user, pk: int) -> JointMeeting:
    return get_object_or_404(
        scope(JointMeeting.objects.select_related("committee", "unit"), user), pk=pk
    )
