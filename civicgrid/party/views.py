"""Party pages: a unit's branches and members, a branch's organisational life and study hours,
a member's points ledger, the points shop."""

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.core.errors import CivicgridError
from civicgrid.core.forms import (
    parse_date,
    parse_decimal,
    parse_id,
    parse_ids,
    parse_int,
    parse_optional_id,
    parse_year,
)
from civicgrid.core.views import posted
from civicgrid.org import selectors as org_selectors
from civicgrid.party import selectors, services
from civicgrid.party.models import BranchKind, LifeKind, MemberKind, PointEntry, Position


@login_required
@require_http_methods(["GET", "POST"])
def unit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """A unit's party organisations: branches, members (searchable), shock teams, who is
    behind on study hours, and the shop's open redemptions."""
    user = request.user
    found = org_selectors.unit_or_home(user, code)
    if request.method == "POST":
        post = request.POST
        if post.get("action") == "team":
            members = selectors.members_for(user, found)
            call = lambda: services.save_shock_team(  # noqa: E731
                actor=user,
                unit=found,
                name=post.get("name", ""),
                purpose=post.get("purpose", ""),
                leader=members.filter(pk=parse_optional_id(post.get("leader"), "leader")).first(),
                members=members.filter(pk__in=parse_ids(post.getlist("members"), "members")),
            )
            return posted(request, call, _("Shock team saved."), "party:unit", code=found.code)
        return posted(
            request,
            lambda: services.save_branch(
                actor=user, unit=found, name=post.get("name", ""), kind=post.get("kind", "")
            ),
            _("Branch saved."),
            "party:unit",
            code=found.code,
        )
    query = selectors.member_query(request.GET)
    members = selectors.members_for(user, found, query=query)
    year = timezone.localdate().year
    context = {
        "unit": found,
        "branches": selectors.branches_for(user, found),
        "members": members[:200],
        "member_count": members.count(),
        "query": query,
        "behind": [row for row in selectors.study_hours(members, year) if row["short"]][:20],
        "year": year,
        "teams": selectors.shock_teams_for(user, found),
        "open_redemptions": selectors.redemptions_for(user, found).count(),
        "kinds": BranchKind.choices,
        "may_keep": selectors.may_keep(user, found),
    }
    return render(request, "party/unit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def branch(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.branch_for(user, pk)
    today = timezone.localdate()
    year = parse_year(request.GET.get("year"), "year", today.year)
    if request.method == "POST":
        post = request.POST

        def record():
            services.record_meeting(
                actor=user,
                branch=found,
                kind=post.get("kind", ""),
                held_on=parse_date(post.get("held_on"), "held_on") or today,
                topic=post.get("topic", ""),
                minutes=post.get("minutes", ""),
                attendees=found.members.filter(
                    pk__in=parse_ids(post.getlist("attendees"), "attendees")
                ),
                class_hours=parse_decimal(post.get("class_hours"), "class_hours") or Decimal(0),
            )

        return posted(request, record, _("Meeting recorded."), "party:branch", pk=pk)
    members = found.members.filter(active=True)
    context = {
        "branch": found,
        "year": year,
        "today": today,
        "members": members,
        "meetings": selectors.meetings_for(user, found, year),
        "completeness": selectors.life_completeness(found, year, today),
        "hours": selectors.study_hours(members, year),
        "kinds": LifeKind.choices,
        "member_kinds": MemberKind.choices,
        "positions": Position.choices,
        "may_keep": selectors.may_keep(user, found.unit),
    }
    return render(request, "party/branch.html", context)


def _member_data(post, found_branch) -> services.MemberData:
    phone = post.get("phone", "")
    return services.MemberData(
        name=post.get("name", ""),
        branch=found_branch,
        kind=post.get("kind", ""),
        position=post.get("position", ""),
        phone=phone if phone.strip() else None,
        employer=post.get("employer", ""),
        joined_party_on=parse_date(post.get("joined_party_on"), "joined_party_on"),
        responsibility_area=post.get("responsibility_area", ""),
        model_post=post.get("model_post", ""),
        active=post.get("active", "1") == "1",
    )


@login_required
@require_POST
def member_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.branch_for(request.user, pk)
    return posted(
        request,
        lambda: services.save_member(actor=request.user, data=_member_data(request.POST, found)),
        _("Member added."),
        "party:branch",
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.member_for(user, pk)
    if request.method == "POST":
        post = request.POST
        action = post.get("action")
        try:
            if action == "edit":
                data = _member_data(post, found.branch)
                data.person = found.person
                services.save_member(actor=user, data=data, member=found)
                messages.success(request, _("Member saved."))
            elif action == "award":
                entry = services.award_by_hand(
                    actor=user,
                    member=found,
                    points=parse_int(post.get("points"), "points"),
                    note=post.get("note", ""),
                )
                if entry is None:
                    messages.warning(
                        request, _("No points given: the caps for today or this year are reached.")
                    )
                else:
                    messages.success(request, _("%(n)s points given.") % {"n": entry.points})
            elif action == "correct":
                entry = get_object_or_404(
                    PointEntry, pk=parse_id(post.get("entry"), "entry"), member=found
                )
                services.correct_points(
                    actor=user,
                    entry=entry,
                    points=parse_int(post.get("points"), "points"),
                    note=post.get("note", ""),
                )
                messages.success(request, _("Correction added."))
            elif action == "redeem":
                item = get_object_or_404(
                    selectors.shop_for(found), pk=parse_id(post.get("item"), "item")
                )
                services.redeem(
                    actor=user,
                    member=found,
                    item=item,
                    quantity=parse_int(post.get("quantity") or "1", "quantity"),
                )
                messages.success(request, _("Redeemed: hand the item over at the counter."))
        except CivicgridError as error:
            messages.error(request, error.message)
        return redirect("party:member", pk=pk)
    year = timezone.localdate().year
    credits = selectors.credits_of(found, year)
    context = {
        "member": found,
        "year": year,
        "credits": credits,
        "hours": sum((c.hours for c in credits), Decimal(0)),
        "ledger": selectors.ledger_of(found)[:100],
        "redemptions": found.redemptions.select_related("item")[:20],
        "shop": selectors.shop_for(found),
        "kinds": MemberKind.choices,
        "positions": Position.choices,
        "may_keep": selectors.may_keep(user, found.unit),
    }
    return render(request, "party/member.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def shop(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    found = org_selectors.unit_for(user, code)
    if request.method == "POST":
        post = request.POST
        action = post.get("action")
        call: Callable[[], object]
        if action == "item":
            call = lambda: services.save_item(  # noqa: E731
                actor=user,
                unit=found,
                name=post.get("name", ""),
                points=parse_int(post.get("points"), "points"),
                stock=parse_int(post.get("stock"), "stock"),
                description=post.get("description", ""),
            )
            success = _("Item saved.")
        else:
            redemption = selectors.redemption_for(
                user, parse_id(post.get("redemption"), "redemption")
            )
            if action == "hand_over":
                call = lambda: services.hand_over(actor=user, redemption=redemption)  # noqa: E731
                success = _("Handed over.")
            else:
                call = lambda: services.cancel_redemption(  # noqa: E731
                    actor=user, redemption=redemption, reason=post.get("reason", "")
                )
                success = _("Cancelled; the points are back.")
        return posted(request, call, success, "party:shop", code=code)
    context = {
        "unit": found,
        "items": selectors.items_for(user, found),
        "redemptions": selectors.redemptions_for(user, found),
        "may_keep": selectors.may_keep(user, found),
    }
    return render(request, "party/shop.html", context)


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """A party member's own page, for a member with a login."""
    own = getattr(request.user, "party_member", None)
    if own is None:
        messages.info(request, _("Your login is not linked to a party member."))
        return redirect("home")
    return member(request, own.pk)
