"""Event pages: thin views that parse input, call a service or a selector, and render."""

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.core.errors import CivicgridError, InvalidInput
from civicgrid.core.forms import parse_int, parse_optional_id
from civicgrid.core.photos import serve as serve_photo
from civicgrid.core.views import limited, posted
from civicgrid.events import patrols, selectors, services, suggestions, tracking
from civicgrid.events.models import (
    OPEN_STATUSES,
    CrossBoundary,
    PatrolKind,
    Priority,
    Satisfaction,
    Source,
    Status,
    StepAction,
    WhistleKind,
)
from civicgrid.events.workflow import EVENTS, is_resident
from civicgrid.org import selectors as org_selectors
from civicgrid.org.geo import posted_point
from civicgrid.org.kinds import Kind
from civicgrid.org.scoping import covers

A = StepAction

# Panels that apps above events add to an event's page (mediation's case link and its one-click
# button): each hook(user, event) returns the context of one panel, with the "template" that
# renders it, or None. A hook must cost no query for an event it has nothing to say about.
detail_panels: list[Callable[[Any, Any], dict[str, Any] | None]] = []


# ---- reporting ---------------------------------------------------------------------------------


# The channels staff record a report as (the others are set by the system itself).
STAFF_CHANNELS = (
    Source.PATROL,
    Source.HOTLINE,
    Source.CITY_APP,
    Source.DEPARTMENT,
    Source.RESIDENT,
)


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, public: bool = False) -> HttpResponse:
    """The phone page. Logged-in staff report as themselves; `public` is the residents' link."""
    if not public and not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    actor = request.user if request.user.is_authenticated and not public else None
    if not services.may_report(actor):
        raise PermissionDenied  # the read-only leader: no form to fill in for nothing
    on_the_spot = services.may_handle_on_the_spot(actor)
    # Staff record what came in by another channel (a 12345 call, a city app, a department):
    # its source, the caller, and the other system's order number (工单号).
    channels = actor is not None and not is_resident(actor)
    error = None
    if request.method == "POST":
        lon, lat = posted_point(request.POST)
        post = request.POST
        order = (post.get("order_system", ""), post.get("order_number", ""))
        try:
            event = services.report_event(
                actor=actor,
                title=request.POST.get("title", ""),
                category=selectors.category_by_code(request.POST.get("category")),
                lon=lon,
                lat=lat,
                description=request.POST.get("description", ""),
                address=request.POST.get("address", ""),
                priority=request.POST.get("priority") or Priority.NORMAL,
                photos=request.FILES.getlist("photos"),
                reporter_name=request.POST.get("reporter_name", ""),
                reporter_phone=request.POST.get("reporter_phone", ""),
                anonymous=request.POST.get("anonymous") == "on",
                attributes=services.attributes_from_form(request.POST),
                on_the_spot=on_the_spot and request.POST.get("on_the_spot") == "on",
                resolution=request.POST.get("resolution", ""),
                after_photos=request.FILES.getlist("after_photos"),
                source=(post.get("source") or None) if channels else None,
                work_order=order if channels and any(v.strip() for v in order) else None,
            )
        except CivicgridError as exc:
            error = exc
        else:
            if actor is None:
                response = redirect("events:track", token=event.token)
                tracking.remember(request, response, event)
                return response
            if event.on_the_spot:
                done = (
                    _("Reported as %(number)s, handled on the spot; drawn for a spot check.")
                    if event.spot_check
                    else _("Reported as %(number)s, handled on the spot and closed.")
                )
            else:
                done = _("Reported as %(number)s.")
            messages.success(request, done % {"number": event.number})
            return redirect("events:detail", number=event.number)
    context = {
        "public": public,
        "categories": selectors.categories_tree(),
        "priorities": Priority.choices,
        "error": error,
        # Errors of these fields are shown under the field itself.
        "field_names": [
            "category",
            "title",
            "photos",
            "location",
            "reporter_phone",
            "source",
            "order",
        ],
        "form": request.POST,
        "map_settings": org_selectors.map_settings(),
        "on_the_spot": on_the_spot,
        "channels": [(v, label) for v, label in Source.choices if v in STAFF_CHANNELS]
        if channels
        else [],
    }
    return render(request, "events/report.html", context, status=400 if error else 200)


@limited("report", phone_field="reporter_phone")
@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest) -> HttpResponse:
    """The residents' report link (no login), limited by address and by phone."""
    return report(request, public=True)


@limited("read", methods=["GET"])
@require_GET
def public_areas(request: HttpRequest) -> JsonResponse:
    """Community outlines for the residents' report page (public divisions)."""
    response = JsonResponse(org_selectors.public_outlines())
    response["Cache-Control"] = "public, max-age=3600"
    return response


@limited("nearby", methods=["GET"])
@require_GET
def nearby(request: HttpRequest) -> HttpResponse:
    """Possible duplicates of the report being written (an htmx fragment): open events of the
    chosen category near the chosen point, and open events of any category that say the same
    as its title and details. Staff see the ones in their scope, with the reason; everyone
    else only a coarse hint about public ones."""
    category = selectors.category_by_code(request.GET.get("category"))
    text = " ".join(request.GET.get(name, "") for name in ("title", "description"))
    text = text.strip()[: selectors.DUPLICATE_TEXT_CHARS]
    try:
        lon, lat = services.checked_point(request.GET.get("lon"), request.GET.get("lat"))
    except InvalidInput:
        return HttpResponse("")  # nan, inf, off the Earth or missing: no hint
    if category is None and not text:
        return HttpResponse("")
    if selectors.reads_events(request.user):
        context: dict[str, object] = {
            "nearby": selectors.nearby_open_events(request.user, category, lon, lat, text=text)[:5]
        }
    else:
        context = {"hints": selectors.nearby_hints(category, lon, lat, text=text)[:5]}
    return render(request, "events/_nearby.html", context)


@limited("suggest", methods=["GET"])
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """智能分拨 as the reporter types (an htmx fragment): the top three categories to choose
    with one tap, the best one pre-selected when the suggester is sure enough (`prefill`), and
    for staff the suggested department. Residents (and the public page, `public=1`) never see
    departments. No suggester, no model or no text: an empty fragment."""
    get = request.GET
    text = get.get("text") or suggestions.report_text(
        get.get("title", "")[: suggestions.MAX_CHARS],
        get.get("description", "")[: suggestions.MAX_CHARS],
    )
    lon: float | None
    lat: float | None
    try:
        lon, lat = services.checked_point(get.get("lon"), get.get("lat"))
    except InvalidInput:
        lon = lat = None  # no place yet: the text alone
    found = suggestions.suggest_quietly(text[: suggestions.MAX_CHARS], lon, lat)
    # Only categories the report form offers: active sub-categories.
    categories = [
        choice
        for choice in (found.categories if found else [])
        if choice.category is not None
        and choice.category.active
        and choice.category.parent_id is not None
    ][:3]
    if found is None or not categories:
        return HttpResponse("")
    user = request.user
    staff = user.is_authenticated and not is_resident(user) and get.get("public") != "1"
    best = categories[0]
    context = {
        "categories": categories,
        "departments": found.departments[:3] if staff else [],
        "prefill": best.category.code if found.prefill and best is found.category else "",  # type: ignore[union-attr]
    }
    return render(request, "events/_suggestions.html", context)


@limited("read", methods=["GET"])
@limited("track")
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, token: str) -> HttpResponse:
    """A resident's own page: status, public timeline, and the rating form after closure."""
    event = selectors.event_by_token(token)
    reported_here = tracking.reported_here(request, event)
    if request.method == "POST":
        try:
            services.rate_event(
                actor=None,
                token=token,
                reporting_browser=reported_here,
                event=event,
                solved=request.POST.get("solved") == "yes",
                satisfaction=request.POST.get("satisfaction", ""),
                comment=request.POST.get("comment", ""),
            )
        except CivicgridError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you for your rating."))
        return redirect("events:track", token=token)
    steps = selectors.public_steps([event]).order_by("id")
    context = {
        "event": event,
        "steps": steps,
        "photos": [(p, selectors.signed_photo_url(p)) for p in event.photos.all()],
        "satisfactions": Satisfaction.choices,
        "reported_here": reported_here,
        "open_statuses": OPEN_STATUSES,
    }
    return render(request, "events/track.html", context)


@limited("lookup", phone_field="phone")
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """查询进度: a resident without the tracking link finds a report by its number and phone.
    It opens the tracking page to read; rating still needs the browser that reported it."""
    not_found = False
    if request.method == "POST":
        event = selectors.event_for_lookup(
            request.POST.get("number", ""), request.POST.get("phone", "")
        )
        if event is not None:
            return redirect("events:track", token=event.token)
        not_found = True  # one answer for a wrong number and a wrong phone: nothing to learn
    context = {"not_found": not_found, "number": request.POST.get("number", "")[:20]}
    return render(request, "events/lookup.html", context, status=404 if not_found else 200)


# ---- lists -------------------------------------------------------------------------------------


@login_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    """A grid worker's day: tasks, events to verify, the open patrol, quick notes."""
    user = request.user
    context = {
        "tasks": selectors.tasks_of(user)[:100],
        "to_verify": selectors.to_verify_for(user)[:50],
        "patrol": selectors.open_patrol_of(user),
        "patrol_kinds": PatrolKind.choices,
        "notes": selectors.notes_to_report(user)[:20],
        "categories": selectors.categories_tree(),
        "now": timezone.now(),
        "may_report": services.may_report(user),
        "may_patrol": patrols.may_patrol(user),
    }
    return render(request, "events/tasks.html", context)


@login_required
@require_GET
def board(request: HttpRequest, code: str | None = None) -> HttpResponse:
    user = request.user
    unit = org_selectors.unit_or_home(user, code)
    filters = selectors.board_filters(request.GET)
    status, overdue, source, system = (
        filters.status,
        filters.overdue,
        filters.source,
        filters.system,
    )
    counts = selectors.status_counts(user, unit, source=source, system=system)
    events = selectors.board_events(user, unit, filters, timezone.now())
    rows = selectors.with_suggestions(list(events[:200]))
    for event in rows:
        # One tap accepts the suggestion: offered to the event's dispatchers.
        event.may_accept = event.suggestion is not None and EVENTS.may(  # type: ignore[attr-defined]
            user, event, A.RECATEGORIZE
        )
    query = filters.query()
    context = {
        "unit": unit,
        "status": "" if overdue else status,
        "overdue": overdue,
        "source": source,
        "system": system,
        "sources": Source.choices,
        "filter_query": urlencode(query),
        "tabs": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        "open_total": sum(n for s, n in counts.items() if s in selectors.OPEN_STATUSES),
        "events": rows,
        "children": org_selectors.children_for(user, unit),
        "now": timezone.now(),
        "may_report": services.may_report(user),
    }
    return render(request, "events/board.html", context)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/inbox.html",
        {"events": selectors.inbox_for(request.user)[:200], "now": timezone.now()},
    )


# ---- one event ---------------------------------------------------------------------------------


# The step the page offers as the main (red) button for each status; the first of these the
# user may take. Everything else sits behind "更多操作".
PRIMARY_STEPS: dict[str, tuple[str, ...]] = {
    Status.REPORTED: (A.ACCEPT,),
    Status.ACCEPTED: (A.DISPATCH,),
    Status.DISPATCHED: (A.SIGN, A.REPORT_IN),
    Status.HANDLING: (A.RESOLVE, A.REPORT_IN),
    Status.RESOLVED: (A.VERIFY,),
    Status.VERIFIED: (A.CLOSE,),
    Status.CLOSED: (A.RATE,),
    Status.SUSPENDED: (A.RESUME,),
}
# Steps that undo or stop work: the page asks to confirm them (a checkbox, checked again here).
CONFIRM_STEPS = frozenset(
    {A.REJECT, A.RETURN, A.TRANSFER, A.SUSPEND, A.REOPEN, A.FAIL_VERIFICATION}
)


def _step_forms(
    event, actions: list[str], failed: str | None, error: CivicgridError | None, form
) -> tuple[dict | None, list[dict]]:
    """The main step and the others, each as what its form needs (a refused one with its error
    and the values that were posted)."""
    preferred = PRIMARY_STEPS.get(event.status, ())
    main = next((action for action in preferred if action in actions), None)
    forms = []
    for action in actions:
        refused = action == failed
        forms.append(
            {
                "action": action,
                "label": A(action).label,
                "note_required": action in services.NOTE_REQUIRED,
                "confirm": action in CONFIRM_STEPS,
                "primary": action == main,
                "error": error if refused else None,
                "field": (error.field or "note") if refused and error else "",
                "posted": form if refused else {},
            }
        )
    primary = next((f for f in forms if f["primary"]), None)
    return primary, [f for f in forms if not f["primary"]]


def _render_detail(
    request: HttpRequest,
    event,
    *,
    failed: str | None = None,
    error: CivicgridError | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    actions = services.allowed_actions(user, event)
    primary, more = _step_forms(event, actions, failed, error, request.POST)
    context = {
        "event": event,
        "steps": selectors.steps_of(event),
        "photos": event.photos.all(),
        "whistles": selectors.whistles_of(event),
        "actions": actions,
        "primary": primary,
        "more": more,
        "more_open": any(f["error"] for f in more),
        # A refusal of a step the page no longer offers (someone else moved the event on).
        "step_error": error if error is not None and failed not in actions else None,
        "phone": selectors.masked_phone(event),
        "nearby": selectors.nearby_open_events(
            user,
            event.category,
            event.lon,
            event.lat,
            exclude=event.pk,
            text=f"{event.title} {event.description}",
            at=event.reported_at,
        )[:10]
        if event.status == Status.REPORTED
        else [],
        "templates": selectors.templates_for(event),
        "whistle_kinds": WhistleKind.choices,
        "cross_boundary": CrossBoundary.choices,
        "satisfactions": Satisfaction.choices,
        "map_settings": org_selectors.map_settings(),
        "map_point": org_selectors.map_point(event.lon, event.lat),
        "now": timezone.now(),
        "panels": [panel for hook in detail_panels if (panel := hook(user, event)) is not None],
    }
    if {A.DISPATCH, A.WHISTLE, A.TRANSFER} & set(actions):
        context |= selectors.dispatch_targets(user, event)
    if A.RECATEGORIZE in actions:
        context["categories"] = selectors.categories_tree()
        # 智能分拨 for a dispatcher, while the event awaits dispatch: one tap accepts.
        if event.status in selectors.AWAITING_DISPATCH:
            context["suggestion"] = selectors.suggestion_for(event)
            event.may_accept = True
    return render(request, "events/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render_detail(request, selectors.event_for(request.user, number))


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version")
    return parse_int(value, "version") if value else None


@login_required
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Take one workflow step from the event page. Done: redirect to the page (POST-redirect-
    GET). Refused: the page again, with the error next to the field and what was typed kept."""
    if action not in services.PERSON_STEPS:
        raise Http404
    user = request.user
    event = selectors.event_for(user, number)
    post = request.POST
    try:
        if action in CONFIRM_STEPS and post.get("confirm") != "on":
            raise InvalidInput(
                _("Tick the box to confirm “%(action)s”.") % {"action": A(action).label},
                field="confirm",
            )
        services.take_step(
            actor=user,
            event=event,
            action=action,
            version=_version(request),
            note=post.get("note", ""),
            photos=request.FILES.getlist("photos"),
            handler_user_id=parse_optional_id(post.get("handler_user"), "handler_user"),
            handler_unit=post.get("handler_unit") or None,
            unit=post.get("unit") or None,
            kind=post.get("kind", ""),
            departments=post.getlist("departments"),
            duplicate_of=selectors.event_to_merge(user, post.get("duplicate_of", "")),
            cross_boundary=post.get("cross_boundary") if "cross_boundary" in post else None,
            solved={"yes": True, "no": False}.get(post.get("solved", "")),
            satisfaction=post.get("satisfaction", ""),
            channel=post.get("channel", ""),
            category=post.get("category") or None,
        )
    except CivicgridError as exc:
        # Read again: a refused step changed nothing, but another may have meanwhile.
        event = selectors.event_for(user, number)
        return _render_detail(request, event, failed=action, error=exc, status=exc.status)
    messages.success(request, _("Done: %(action)s.") % {"action": A(action).label})
    return redirect("events:detail", number=number)


@login_required
@require_POST
def accept_suggestion(request: HttpRequest, number: str) -> HttpResponse:
    """One tap on the dispatch board: the suggested category (改类) and department (派遣), as
    the board showed them for the posted version of the event."""
    user = request.user
    event = selectors.event_for(user, number)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("events:detail", kwargs={"number": number})
    found = selectors.suggestion_for(event)
    try:
        if found is None:
            raise InvalidInput(_("There is no suggestion to accept."), field="category")
        services.accept_suggestion(actor=user, event=event, found=found, version=_version(request))
    except CivicgridError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, _("Suggestion accepted: %(number)s.") % {"number": number})
    return redirect(back)


@limited("read", methods=["GET"])
@require_GET
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A photo, to whoever may see its event (staff by scope), or through a signed link (the
    resident's tracking page, Open311 media of public events)."""
    item = selectors.photo_for(request.user, pk, signed=request.GET.get("s", ""))
    return serve_photo(item.image)


# ---- patrols and quick notes -------------------------------------------------------------------


def _posted(request: HttpRequest, call: Callable, success: str) -> HttpResponse:
    return posted(request, call, success, "events:tasks")


@login_required
@require_POST
def patrol_start(request: HttpRequest) -> HttpResponse:
    post = request.POST
    return _posted(
        request,
        lambda: patrols.start_patrol(
            actor=request.user, kind=post.get("kind", ""), lon=post.get("lon"), lat=post.get("lat")
        ),
        _("Patrol started."),
    )


@login_required
@require_POST
def patrol_point(request: HttpRequest, pk: int) -> HttpResponse:
    post = request.POST
    return _posted(
        request,
        lambda: patrols.add_patrol_point(
            actor=request.user, patrol_id=pk, lon=post.get("lon"), lat=post.get("lat")
        ),
        _("Point recorded."),
    )


@login_required
@require_POST
def patrol_end(request: HttpRequest, pk: int) -> HttpResponse:
    return _posted(
        request,
        lambda: patrols.end_patrol(
            actor=request.user, patrol_id=pk, note=request.POST.get("note", "")
        ),
        _("Patrol ended."),
    )


@login_required
@require_POST
def quick_note(request: HttpRequest) -> HttpResponse:
    post = request.POST
    return _posted(
        request,
        lambda: patrols.add_quick_note(
            actor=request.user,
            text=post.get("text", ""),
            lon=post.get("lon"),
            lat=post.get("lat"),
            photo=request.FILES.get("photo"),
        ),
        _("Quick note saved."),
    )


@login_required
@require_POST
def note_to_event(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(selectors.notes_to_report(request.user), pk=pk)
    try:
        event = patrols.report_from_note(
            actor=request.user,
            note=note,
            category=selectors.category_by_code(request.POST.get("category")),
        )
    except CivicgridError as exc:
        messages.error(request, exc.message)
        return redirect("events:tasks")
    return redirect("events:detail", number=event.number)


# ---- map and dashboard -------------------------------------------------------------------------


@login_required
@require_GET
def event_map(request: HttpRequest) -> HttpResponse:
    context = {
        "statuses": Status.choices,
        "categories": selectors.categories_tree(),
        "map_settings": org_selectors.map_settings(),
    }
    return render(request, "events/map.html", context)


@login_required
@require_GET
def map_geojson(request: HttpRequest) -> JsonResponse:
    """Visible events as GeoJSON points, filtered by `status` (repeatable) and `category`."""
    statuses = [s for s in request.GET.getlist("status") if s in Status.values]
    return JsonResponse(
        selectors.event_features(
            request.user, statuses=statuses, category=request.GET.get("category", "")
        )
    )


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    return selectors.dashboard_period(request.GET)


@login_required
@require_GET
def dashboard(request: HttpRequest, code: str | None = None) -> HttpResponse:
    user = request.user
    unit = org_selectors.unit_or_home(user, code)
    try:
        start, end = _period(request)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        start, end = selectors.default_period()
    figures = selectors.figures_for(unit, start, end)
    trend = selectors.trend_for(unit, start, end)
    # 吹哨报到: a department's own answers to whistles (its unit holds no events, so the four
    # rates above read 0/0 for it), and for a street or district each department's.
    departments: list = []
    if unit.kind == Kind.DEPARTMENT:
        departments = [unit]
    elif unit.kind in (Kind.STREET, Kind.DISTRICT):
        departments = selectors.departments_under(user, unit)
    context = {
        "department_figures": selectors.department_figures(departments, start, end),
        "is_department": unit.kind == Kind.DEPARTMENT,
        "unit": unit,
        # Units above are named to everyone; linked only for those who may open them.
        "ancestors": [(a, covers(user, a.code)) for a in org_selectors.ancestors_of(unit)],
        "figures": figures,
        "start": start,
        "end": end,
        "sources": [(label, figures.counts[f"source_{value}"]) for value, label in Source.choices],
        "statuses": [(label, figures.counts[f"status_{value}"]) for value, label in Status.choices],
        "by_category": selectors.by_category_for(unit, start, end),
        "children": selectors.by_child_for(user, unit, start, end),
        "trend": trend,
        "trend_labels": {
            "reported": _("Reported"),
            "closed": _("Closed"),
            **{rate.key: rate.label for rate in figures.rates},
        },
    }
    return render(request, "events/dashboard.html", context)
