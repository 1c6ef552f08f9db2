"""Reads of joint committees, scoped through org.scoping."""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from civicgrid.alliances.models import JointCommittee, JointMeeting
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import scope, scope_under
from civicgrid.org.selectors import shared_down


def committees_for(user, unit: OrgUnit) -> QuerySet[JointCommittee]:
    """Committees at the unit, under it, and above it (a street's committee serves its
    communities)."""
    committees = JointCommittee.objects.filter(active=True)
    return shared_down(committees, user, unit).prefetch_related("members")


def meetings_for(user, unit: OrgUnit) -> QuerySet[JointMeeting]:
    meetings = scope_under(JointMeeting.objects.select_related("committee"), user, unit)
    return meetings.annotate(attendee_count=Count("attendees"))[:50]


def committee_for(user, pk: int) -> JointCommittee:
    return get_object_or_404(scope(JointCommittee.objects.select_related("unit"), user), pk=pk)


def meeting_for(user, pk: int) -> JointMeeting:
    return get_object_or_404(
        scope(JointMeeting.objects.select_related("committee", "unit"), user), pk=pk
    )
