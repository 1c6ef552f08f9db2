"""Joint committee pages: a unit's committees and meetings; a meeting with its resolutions
and the tasks made of them (made by community.views.resolution_task: community builds on
the committees, not the other way round)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.alliances import selectors, services
from civicgrid.alliances.models import CommitteeKind, MeetingKind, MemberKind
from civicgrid.core.forms import parse_date, parse_id, parse_ids
from civicgrid.core.views import posted
from civicgrid.org import selectors as org_selectors
from civicgrid.party import selectors as party_selectors


@login_required
@require_http_methods(["GET", "POST"])
def unit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    user = request.user
    found = org_selectors.unit_or_home(user, code)
    if request.method == "POST":
        post = request.POST
        action = post.get("action")
        if action == "committee":
            call = lambda: services.save_committee(  # noqa: E731
                user, unit=found, name=post.get("name", ""), kind=post.get("kind", "")
            )
        elif action == "member":
            committee = selectors.committee_for(user, parse_id(post.get("committee"), "committee"))
            call = lambda: services.add_member_unit(  # noqa: E731
                user,
                committee=committee,
                name=post.get("name", ""),
                kind=post.get("kind", ""),
                contact=post.get("contact", ""),
                offer=post.get("offer", ""),
            )
        else:
            committee = selectors.committee_for(user, parse_id(post.get("committee"), "committee"))
            call = lambda: services.record_meeting(  # noqa: E731
                user,
                committee=committee,
                kind=post.get("kind", ""),
                held_on=parse_date(post.get("held_on"), "held_on"),
                topic=post.get("topic", ""),
                attendees=committee.members.filter(
                    pk__in=parse_ids(post.getlist("attendees"), "attendees")
                ),
                minutes=post.get("minutes", ""),
                resolutions=post.get("resolutions", "").splitlines(),
            )
        return posted(request, call, _("Saved."), "alliances:unit", code=found.code)
    context = {
        "unit": found,
        "committees": selectors.committees_for(user, found),
        "meetings": selectors.meetings_for(user, found),
        "committee_kinds": CommitteeKind.choices,
        "member_kinds": MemberKind.choices,
        "meeting_kinds": MeetingKind.choices,
        "may_keep": party_selectors.may_keep(user, found),
        "today": timezone.localdate(),
    }
    return render(request, "alliances/unit.html", context)


@login_required
@require_GET
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.meeting_for(user, pk)
    context = {
        "meeting": found,
        "resolutions": found.resolutions.prefetch_related("tasks__member", "tasks__member_unit"),
        "attendees": found.attendees.all(),
        "absent": found.committee.members.exclude(pk__in=found.attendees.all()),
        "units": [found.unit, *org_selectors.children_for(user, found.unit)],
        "may_keep": party_selectors.may_keep(user, found.unit),
        "week": timezone.localdate() + dt.timedelta(days=7),
    }
    return render(request, "alliances/meeting.html", context)
