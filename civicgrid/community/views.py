"""Community service pages: a unit's three lists, partners and tasks; a need with its ranked
resources; a project; a partner; a party member's tasks on the phone."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.alliances import selectors as alliances_selectors
from civicgrid.alliances.models import MemberUnit
from civicgrid.community import selectors, services
from civicgrid.community.models import (
    Category,
    NeedSource,
    ProjectKind,
    ProviderKind,
    Terms,
    Urgency,
)
from civicgrid.core.forms import (
    parse_date,
    parse_decimal,
    parse_id,
    parse_int,
    parse_optional_id,
)
from civicgrid.core.views import posted
from civicgrid.org import selectors as org_selectors
from civicgrid.org.tree import neighbourhood_of, street_of
from civicgrid.party.models import PartyMember


@login_required
@require_http_methods(["GET", "POST"])
def unit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    user = request.user
    found = org_selectors.unit_or_home(user, code)
    if request.method == "POST":
        post = request.POST
        action = post.get("action")
        calls = {
            "need": lambda: services.record_need(
                actor=user,
                unit=org_selectors.unit_for(user, post.get("unit") or found.code),
                data=services.NeedData(
                    title=post.get("title", ""),
                    category=post.get("category", ""),
                    source=post.get("source", ""),
                    urgency=post.get("urgency", Urgency.NORMAL),
                    description=post.get("description", ""),
                    who=post.get("who", ""),
                    people=parse_int(post.get("people"), "people", 1),
                ),
            ),
            "resource": lambda: services.save_resource(
                actor=user,
                unit=found,
                title=post.get("title", ""),
                category=post.get("category", ""),
                provider_kind=post.get("provider_kind", ""),
                provider=post.get("provider", ""),
                capacity=parse_int(post.get("capacity"), "capacity", 1),
                schedule=post.get("schedule", ""),
                terms=post.get("terms", Terms.FREE),
                price=parse_decimal(post.get("price"), "price"),
            ),
            "partner": lambda: services.save_partner(
                actor=user,
                unit=found,
                data=services.PartnerData(
                    name=post.get("name", ""),
                    joined_on=timezone.localdate(),
                    space=bool(post.get("space")),
                    operation=bool(post.get("operation")),
                    governance=bool(post.get("governance")),
                    space_used=post.get("space_used", ""),
                    benefit=post.get("benefit", ""),
                    benefit_yuan=parse_decimal(post.get("benefit_yuan"), "benefit_yuan")
                    or Decimal(0),
                    offer=post.get("offer", ""),
                    contact=post.get("contact", ""),
                ),
            ),
            "task": lambda: services.create_task(
                actor=user,
                unit=found,
                title=post.get("title", ""),
                due_on=parse_date(post.get("due_on"), "due_on"),
                description=post.get("description", ""),
                source=post.get("source", ""),
            ),
        }
        if action not in calls:
            raise Http404
        return posted(request, calls[action], _("Saved."), "community:unit", code=found.code)
    today = timezone.localdate()
    context = {
        "unit": found,
        "needs": selectors.needs_for(user, found)[:100],
        "resources": selectors.resources_for(user, found)[:100],
        "projects": selectors.projects_for(user, found)[:30],
        "partners": selectors.partners_for(user, found),
        "tasks": selectors.tasks_for(user, found).exclude(status="closed")[:50],
        "figures": selectors.figures(found, today.replace(month=1, day=1), today),
        "grids": org_selectors.children_for(user, found),
        "choices": {
            "categories": Category.choices,
            "sources": NeedSource.choices,
            "urgencies": Urgency.choices,
            "providers": ProviderKind.choices,
            "terms": Terms.choices,
        },
        "may_keep": selectors.may_keep(user, found),
        "week": today + dt.timedelta(days=7),
    }
    return render(request, "community/unit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def need(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.need_for(user, pk)
    if request.method == "POST":
        post = request.POST
        step = post.get("step")
        call: Callable[[], object]
        if step == "match":
            resource = get_object_or_404(
                selectors.resources_for(user, found.unit),
                pk=parse_id(post.get("resource"), "resource"),
            )
            call = lambda: services.match_need(  # noqa: E731
                actor=user, need=found, resource=resource
            )
        elif step == "meet":
            call = lambda: services.meet_need(  # noqa: E731
                actor=user, need=found, answer=post.get("answer", "")
            )
        elif step == "drop":
            call = lambda: services.drop_need(  # noqa: E731
                actor=user, need=found, answer=post.get("answer", "")
            )
        elif step == "project":
            call = lambda: services.start_project(  # noqa: E731
                actor=user,
                unit=found.unit,
                title=post.get("title", ""),
                kind=post.get("kind", ""),
                starts_on=parse_date(post.get("starts_on"), "starts_on"),
                ends_on=parse_date(post.get("ends_on"), "ends_on"),
                needs=[found],
            )
        else:
            raise Http404
        return posted(request, call, _("Saved."), "community:need", pk=pk)
    context = {
        "need": found,
        "community": neighbourhood_of(found.unit_code) or found.unit_code,
        "suggestions": services.suggest(found) if found.status == "open" else [],
        "steps": found.steps.select_related("actor"),
        "kinds": ProjectKind.choices,
        "may_keep": selectors.may_keep(user, found.unit),
        "today": timezone.localdate(),
    }
    return render(request, "community/need.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.project_for(user, pk)
    if request.method == "POST":
        post = request.POST
        call: Callable[[], object]
        if post.get("action") == "task":
            call = lambda: services.create_task(  # noqa: E731
                actor=user,
                unit=found.unit,
                title=post.get("title", ""),
                due_on=parse_date(post.get("due_on"), "due_on"),
                project=found,
                source=found.title,
                description=post.get("description", ""),
            )
        else:
            call = lambda: services.finish_project(  # noqa: E731
                actor=user,
                project=found,
                outcome=post.get("outcome", ""),
                beneficiaries=parse_int(post.get("beneficiaries"), "beneficiaries", 0),
            )
        return posted(request, call, _("Saved."), "community:project", pk=pk)
    context = {
        "project": found,
        "needs": found.needs.all(),
        "resources": found.resources.all(),
        "tasks": found.tasks.select_related("member", "member_unit"),
        "may_keep": selectors.may_keep(user, found.unit),
        "week": timezone.localdate() + dt.timedelta(days=7),
    }
    return render(request, "community/project.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def partner(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.partner_for(user, pk)
    if request.method == "POST":
        post = request.POST
        return posted(
            request,
            lambda: services.record_activity(
                actor=user,
                partner=found,
                title=post.get("title", ""),
                held_on=parse_date(post.get("held_on"), "held_on"),
                people_served=parse_int(post.get("people_served"), "people_served"),
                terms=post.get("terms", Terms.FREE),
            ),
            _("Activity recorded."),
            "community:partner",
            pk=pk,
        )
    activities = found.activities.all()
    context = {
        "partner": found,
        "activities": activities,
        "served": sum(a.people_served for a in activities),
        "resources": found.resources.all(),
        "terms": Terms.choices,
        "may_keep": selectors.may_keep(user, found.unit),
        "today": timezone.localdate(),
    }
    return render(request, "community/partner.html", context)


@login_required
@require_GET
def my_partner(request: HttpRequest) -> HttpResponse:
    """A partner's login opens its own page (the menu's link, with no id to know)."""
    own = getattr(request.user, "community_partner", None)
    if own is None:
        messages.info(request, _("Your login is not linked to a community partner."))
        return redirect("home")
    return partner(request, own.pk)


@login_required
@require_http_methods(["GET", "POST"])
def task(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.task_for(user, pk)
    if request.method == "POST":
        post = request.POST
        step = post.get("step")
        if step == "claim":
            member_id = parse_optional_id(post.get("member"), "member")
            unit_id = parse_optional_id(post.get("member_unit"), "member_unit")
            member = PartyMember.objects.filter(  # type: ignore[misc]  # pk=None: a blank choice, no row
                unit_code__under=_community_of_task(found), pk=member_id
            ).first()
            member_unit = MemberUnit.objects.filter(  # type: ignore[misc]  # pk=None: a blank choice, no row
                unit_code__under=_street_of_task(found), pk=unit_id
            ).first()
            call = lambda: services.claim_task(  # noqa: E731
                actor=user, task=found, member=member, member_unit=member_unit
            )
        elif step == "report":
            call = lambda: services.report_task(  # noqa: E731
                actor=user, task=found, report=post.get("report", "")
            )
        elif step == "close":
            call = lambda: services.close_task(  # noqa: E731
                actor=user, task=found, reason=post.get("reason", "")
            )
        else:
            raise Http404
        return posted(request, call, _("Saved."), "community:task", pk=pk)
    own = selectors.claimant_of(user)
    may_keep = selectors.may_keep(user, found.unit)
    context = {
        "task": found,
        "own": own,
        "mine": selectors.claimed_by(found, own),
        "may_keep": may_keep,
        "members": PartyMember.objects.filter(
            unit_code__under=_community_of_task(found), active=True
        )
        if may_keep
        else [],
        "member_units": MemberUnit.objects.filter(
            unit_code__under=_street_of_task(found), active=True
        )[:200]
        if may_keep
        else [],
    }
    return render(request, "community/task.html", context)


# A task is claimed by a party member of its community and by a member unit of its street's
# committee; a task kept above those levels takes them from its own subtree.
def _community_of_task(task) -> str:
    return neighbourhood_of(task.unit_code) or task.unit_code


def _street_of_task(task) -> str:
    return street_of(task.unit_code) or task.unit_code


@login_required
@require_POST
def resolution_task(request: HttpRequest, pk: int) -> HttpResponse:
    """A resolution of joint meeting `pk` made a task to claim; back to the meeting's page."""
    user = request.user
    meeting = alliances_selectors.meeting_for(user, pk)
    post = request.POST

    def call() -> None:
        resolution = get_object_or_404(
            meeting.resolutions, pk=parse_id(post.get("resolution"), "resolution")
        )
        services.task_from_resolution(
            actor=user,
            resolution=resolution,
            unit=org_selectors.unit_for(user, post.get("unit") or meeting.unit_code),
            title=post.get("title", ""),
            due_on=parse_date(post.get("due_on"), "due_on"),
        )

    return posted(request, call, _("Task created."), "alliances:meeting", pk=pk)


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """A party member's or a member unit's phone page: open tasks near them and the ones they
    claimed."""
    own = selectors.claimant_of(request.user)
    if own is None:
        messages.info(request, _("Your login is not linked to a party member or a member unit."))
        return redirect("home")
    return render(request, "community/my_tasks.html", {"member": own, **selectors.tasks_near(own)})


@login_required
@require_GET
def figures(request: HttpRequest, code: str) -> HttpResponse:
    found = org_selectors.unit_for(request.user, code)
    today = timezone.localdate()
    first = today.replace(month=1, day=1)
    children = selectors.figures_below(
        found,
        [
            child
            for child in org_selectors.children_for(request.user, found)
            if child.kind != "department"
        ],
        first,
        today,
    )
    return render(
        request,
        "community/figures.html",
        {
            "unit": found,
            "first": first,
            "last": today,
            "figures": selectors.figures(found, first, today),
            "children": children,
        },
    )
