"""Volunteer service pages: staff's unit page, an order, a volunteer's record and certificate;
a volunteer's phone page; the residents' public menu, their order and the honour wall."""

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.core.errors import CivicgridError, InvalidInput
from civicgrid.core.forms import (
    parse_date,
    parse_decimal,
    parse_id,
    parse_ids,
    parse_int,
    parse_optional_id,
)
from civicgrid.core.photos import serve as serve_photo
from civicgrid.core.views import kept_form, limited, posted, take_kept_form
from civicgrid.messaging.models import CodePurpose
from civicgrid.messaging.services import require_code
from civicgrid.org import selectors as org_selectors
from civicgrid.org.models import OrgUnit
from civicgrid.volunteers import selectors, services
from civicgrid.volunteers.models import OrderPhoto, RecordKind, ServiceCategory, Terms


@login_required
@require_http_methods(["GET", "POST"])
def unit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """A unit's volunteer services: orders by status, the menu, teams, volunteers, figures."""
    user = request.user
    if code is None and selectors.volunteer_of(user) and not org_selectors.top_units_for(user):
        return redirect("volunteers:mine")
    found = org_selectors.unit_or_home(user, code)
    if request.method == "POST":
        post = request.POST
        teams = selectors.teams_for(user, found)
        action = post.get("action")
        if action == "team":
            call: Callable[[], object] = lambda: services.save_team(  # noqa: E731
                actor=user, unit=found, name=post.get("name", ""), purpose=post.get("purpose", "")
            )
        elif action == "volunteer":
            call = lambda: services.register_volunteer(  # noqa: E731
                actor=user,
                unit=found,
                data=services.VolunteerData(
                    name=post.get("name", ""),
                    phone=post.get("phone", ""),
                    id_number=post.get("id_number", ""),
                    skills=post.get("skills", ""),
                    teams=teams.filter(pk__in=parse_ids(post.getlist("teams"), "teams")),
                ),
            )
        else:
            call = lambda: services.save_item(  # noqa: E731
                actor=user,
                unit=found,
                name=post.get("name", ""),
                category=post.get("category", ""),
                description=post.get("description", ""),
                team=teams.filter(pk=parse_optional_id(post.get("team"), "team")).first(),  # type: ignore[misc]  # pk=None: a blank choice, no row
                terms=post.get("terms", Terms.FREE),
                price=parse_decimal(post.get("price"), "price"),
            )
        return posted(request, call, _("Saved."), "volunteers:unit", code=found.code)
    today = timezone.localdate()
    context = {
        "unit": found,
        "waiting": selectors.orders_for(user, found, "ordered").order_by("created_at")[:50],
        "taken": selectors.orders_for(user, found, "taken").order_by("taken_at")[:50],
        "done": selectors.orders_for(user, found, "done").order_by("-done_at")[:20],
        "menu": selectors.menu_for(found),
        "teams": selectors.teams_for(user, found),
        "volunteers": selectors.volunteers_for(user, found).order_by("-hours")[:100],
        "figures": selectors.figures(found, today.replace(month=1, day=1), today),
        "categories": ServiceCategory.choices,
        "terms": Terms.choices,
        "may_keep": selectors.may_keep(user, found),
    }
    return render(request, "volunteers/unit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def order(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.order_for(user, pk)
    if request.method == "POST":
        post = request.POST
        step = post.get("step")
        calls = {
            "take": (
                lambda: services.take_order(actor=user, order=found),
                _("You took the order."),
            ),
            "assign": (
                lambda: services.assign_order(
                    actor=user,
                    order=found,
                    volunteer=get_object_or_404(
                        selectors.volunteers_for(user, found.unit),
                        pk=parse_id(post.get("volunteer"), "volunteer"),
                    ),
                ),
                _("Order assigned."),
            ),
            "complete": (
                lambda: services.complete_order(
                    actor=user,
                    order=found,
                    hours=parse_decimal(post.get("hours"), "hours"),
                    report=post.get("report", ""),
                    photos=request.FILES.getlist("photos"),
                ),
                _("Well done: the service is recorded."),
            ),
            "cancel": (
                lambda: services.cancel_order(
                    actor=user, order=found, reason=post.get("reason", "")
                ),
                _("Order cancelled."),
            ),
        }
        if step not in calls:
            raise Http404
        call, success = calls[step]
        return posted(request, call, success, "volunteers:order", pk=pk)
    own = selectors.volunteer_of(user)
    context = {
        "order": found,
        "steps": found.steps.select_related("actor"),
        "photos": found.photos.all(),
        "is_mine": own is not None and found.volunteer_id == own.pk,
        "may_take": own is not None and found.status == "ordered",
        "may_keep": selectors.may_keep(user, found.unit),
        "volunteers": selectors.volunteers_for(user, found.unit),
    }
    return render(request, "volunteers/order.html", context)


@limited("read", methods=["GET"])
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A photo of a finished service, to whoever may see its order (the resident by token)."""
    item = get_object_or_404(OrderPhoto.objects.select_related("order"), pk=pk)
    if request.GET.get("t") != item.order.token:
        if not request.user.is_authenticated:
            raise Http404
        selectors.order_for(request.user, item.order_id)
    return serve_photo(item.image)


@login_required
@require_http_methods(["GET", "POST"])
def volunteer(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.volunteer_for(user, pk)
    if request.method == "POST":
        post = request.POST
        if post.get("action") == "certificate":
            try:
                made = services.issue_certificate(actor=user, volunteer=found)
            except CivicgridError as error:
                messages.error(request, error.message)
                return redirect("volunteers:volunteer", pk=pk)
            return redirect("volunteers:certificate", number=made.number)
        return posted(
            request,
            lambda: services.add_record(
                actor=user,
                volunteer=found,
                kind=post.get("kind", ""),
                day=parse_date(post.get("day"), "day") or timezone.localdate(),
                content=post.get("content", ""),
                hours=parse_decimal(post.get("hours"), "hours") or Decimal(0),
            ),
            _("Record added."),
            "volunteers:volunteer",
            pk=pk,
        )
    context = {
        "volunteer": found,
        "records": found.records.select_related("order")[:200],
        "certificates": found.certificates.all(),
        "kinds": RecordKind.choices,
        "may_keep": selectors.may_keep(user, found.unit),
        "today": timezone.localdate(),
    }
    return render(request, "volunteers/volunteer.html", context)


@login_required
@require_GET
def certificate(request: HttpRequest, number: str) -> HttpResponse:
    found = selectors.certificate_for(request.user, number)
    return render(request, "volunteers/certificate.html", {"certificate": found})


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """A volunteer's phone page: orders waiting near them, the ones they took, their hours."""
    own = selectors.volunteer_of(request.user)
    if own is None:
        messages.info(request, _("Your login is not linked to a volunteer."))
        return redirect("home")
    context = {
        "volunteer": own,
        "open": selectors.open_near(own)[:30],
        "taken": own.orders.filter(status="taken").select_related("item"),
        "done": own.orders.filter(status="done").select_related("item")[:10],
    }
    return render(request, "volunteers/mine.html", context)


# ---- public ------------------------------------------------------------------------------------


@limited("read", methods=["GET"])
@limited("order", phone_field="phone")
@require_http_methods(["GET", "POST"])
def public(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's service menu on a phone; ordering needs no login."""
    found = get_object_or_404(OrgUnit, code=code, active=True)
    menu = selectors.menu_for(found)
    if request.method == "POST":
        post = request.POST
        try:
            item = menu.filter(pk=parse_optional_id(post.get("item"), "item")).first()  # type: ignore[misc]  # pk=None: a blank choice, no row
            if item is None:
                raise InvalidInput(_("Choose a service from the menu."), field="item")
            require_code(
                request.user,
                phone=post.get("phone", ""),
                purpose=CodePurpose.ORDER,
                code=post.get("code", ""),
            )
            made = services.place_order(
                actor=request.user if request.user.is_authenticated else None,
                unit=found,
                item=item,
                name=post.get("name", ""),
                phone=post.get("phone", ""),
                address=post.get("address", ""),
                wanted_on=parse_date(post.get("wanted_on"), "wanted_on"),
                note=post.get("note", ""),
            )
        except CivicgridError as error:
            # The menu again with the order form open and filled in (the code left out).
            messages.error(request, error.message)
            context = {"unit": found, "menu": menu, "today": timezone.localdate()}
            context["kept"] = kept_form(post)
            return render(request, "volunteers/public.html", context, status=400)
        return redirect("volunteers:track", token=made.token)
    return render(
        request,
        "volunteers/public.html",
        {
            "unit": found,
            "menu": menu,
            "today": timezone.localdate(),
            "kept": take_kept_form(request),
        },
    )


@limited("read", methods=["GET"])
@limited("track")
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, token: str) -> HttpResponse:
    """A resident's own order by its secret link: status, cancel, rate."""
    found = selectors.order_by_token(token)
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("action") == "cancel":
                services.cancel_order(
                    actor=None, order=found, reason=post.get("reason", "") or "—", token=token
                )
            else:
                services.rate_order(
                    actor=None,
                    order=found,
                    token=token,
                    rating=parse_int(post.get("rating"), "rating", 0),
                    comment=post.get("comment", ""),
                )
            messages.success(request, _("Thank you."))
        except CivicgridError as error:
            messages.error(request, error.message)
        return redirect("volunteers:track", token=token)
    return render(
        request,
        "volunteers/track.html",
        {"order": found, "photos": found.photos.all(), "ratings": range(1, 6)},
    )


@limited("read", methods=["GET"])
@require_GET
def wall(request: HttpRequest, code: str) -> HttpResponse:
    """The honour wall (志愿服务风采墙): teams and volunteers by hours and ratings."""
    found = get_object_or_404(OrgUnit, code=code, active=True)
    return render(request, "volunteers/wall.html", {"unit": found, **selectors.honour_wall(code)})
