"""Basic-data pages: thin views that parse input, call a service or selector, and render."""

import datetime as dt
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.core import limits
from civicgrid.core.cleaning import redirect_back
from civicgrid.core.errors import CivicgridError, InvalidInput
from civicgrid.core.forms import parse_date, parse_int
from civicgrid.core.views import posted
from civicgrid.org import selectors as org_selectors
from civicgrid.org.geo import posted_point
from civicgrid.org.kinds import Kind
from civicgrid.org.scoping import covers
from civicgrid.people import ledgers, selectors, services
from civicgrid.people.models import (
    DATA_UNIT_KINDS,
    FacilityKind,
    FacilityState,
    Gender,
    ImportKind,
    Relation,
    ResidenceKind,
    SituationKind,
)


def _ip(request: HttpRequest) -> str | None:
    """The address written to the access log: the real client's, behind trusted proxies."""
    return limits.client_ip(request) or None


def with_errors(view):
    """Turn a CivicgridError from a POST into a message and a redirect back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except CivicgridError as error:
            messages.error(request, error.message)
            return redirect_back(request, "people:home")

    return wrapper


# ---- search (提户知人) -------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    found, status = [], 200
    try:
        found = (
            services.search_persons(actor=request.user, query=query, ip=_ip(request))
            if query
            else []
        )
    except CivicgridError as error:
        messages.error(request, error.message)
        status = error.status
    context = {
        "query": query,
        "found": [(p, selectors.tags_for(request.user, p)) for p in found],
        "units": org_selectors.top_units_for(request.user),
        "today": timezone.localdate(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "people/_found.html", context, status=status)
    return render(request, "people/home.html", context, status=status)


# ---- units, buildings, households ----------------------------------------------------------


@login_required
@require_GET
def unit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """A unit's basic data: buildings (on a grid; above, a street's would be thousands),
    the units below with their completeness, the checks."""
    user = request.user
    unit = org_selectors.unit_or_home(user, code)
    on_grid = unit.kind in DATA_UNIT_KINDS
    context = {
        "unit": unit,
        # Units above are named to everyone; linked for those who may open them.
        "ancestors": [(a, covers(user, a.code)) for a in org_selectors.ancestors_of(unit)],
        "buildings": selectors.buildings_of(user, unit) if on_grid else [],
        "children": selectors.completeness_below(
            user,
            unit,
            [
                child
                for child in org_selectors.children_for(user, unit)
                if child.kind != Kind.DEPARTMENT  # departments keep no basic data
            ],
        ),
        "completeness": selectors.completeness(user, unit),
        "occupancy": selectors.occupancy(user, unit),
        "follow_ups": selectors.open_follow_ups(user, unit)[:20],
        "left": selectors.persons_left(user, unit)[:50],
        "tags": selectors.tag_choices(user, unit.code),
        "may_keep": selectors.may_keep(user, unit.code),
        "personal": selectors.may_see_personal(user, unit.code),
    }
    return render(request, "people/unit.html", context)


@login_required
@require_GET
def building(request: HttpRequest, pk: int) -> HttpResponse:
    building = selectors.building_for(request.user, pk)
    context = {
        "building": building,
        "houses": selectors.houses_of(request.user, building),
        "today": timezone.localdate(),
        "personal": selectors.may_see_personal(request.user, building.unit_code),
    }
    return render(request, "people/building.html", context)


@login_required
@require_GET
def household(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_for(request.user, pk)
    members = selectors.members_of(household)
    context = {
        "household": household,
        "members": [(p, selectors.tags_for(request.user, p)) for p in members],
        "visits": selectors.visits_of(household),
        "today": timezone.localdate(),
        "personal": selectors.may_see_personal(request.user, household.unit_code),
        "may_keep": selectors.may_keep(request.user, household.unit_code),
    }
    return render(request, "people/household.html", context)


@login_required
@require_POST
@with_errors
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_for(request.user, pk)
    visited_on = request.POST.get("visited_on") or None
    try:
        day = dt.date.fromisoformat(visited_on) if visited_on else None
    except ValueError:
        raise InvalidInput(_("That is not a date."), field="visited_on") from None
    services.record_visit(
        actor=request.user,
        household=household,
        findings=request.POST.get("findings", ""),
        visited_on=day,
        follow_up=request.POST.get("follow_up", ""),
    )
    messages.success(request, _("Visit recorded."))
    return redirect("people:household", pk=household.pk)


@login_required
@require_POST
@with_errors
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_for(request.user, pk)
    services.finish_follow_up(actor=request.user, visit=visit)
    return redirect("people:household", pk=visit.household_id)


# ---- persons -----------------------------------------------------------------------------------


@login_required
@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_for(request.user, pk)
    return render(request, "people/person.html", _person_context(request, person))


def _person_context(request: HttpRequest, person, **extra) -> dict:
    return {
        "person": person,
        "tags": selectors.tags_for(request.user, person),
        "today": timezone.localdate(),
        "personal": selectors.may_see_personal(request.user, person.unit_code),
        "may_keep": selectors.may_keep(request.user, person.unit_code),
        **extra,
    }


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one number in full, logged. htmx swaps the masked number for it."""
    person = selectors.person_for(request.user, pk)
    field = request.POST.get("field", "")
    try:
        value = services.reveal(
            actor=request.user,
            person=person,
            field=field,
            reason=request.POST.get("reason", ""),
            ip=_ip(request),
        )
    except CivicgridError as error:
        status = error.status
        if request.headers.get("HX-Request"):
            return render(request, "people/_reveal_error.html", {"error": error}, status=status)
        messages.error(request, error.message)
        return redirect("people:person", pk=pk)
    context = {"field": field, "value": value, "person": person}
    if request.headers.get("HX-Request"):
        return render(request, "people/_revealed.html", context)
    revealed = {field: value}
    return render(
        request, "people/person.html", _person_context(request, person, revealed=revealed)
    )


@login_required
@require_POST
@with_errors
def export_person(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_for(request.user, pk)
    data = services.export_person(
        actor=request.user, person=person, reason=request.POST.get("reason", ""), ip=_ip(request)
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
    return response


@login_required
@require_POST
@with_errors
def delete_person(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_for(request.user, pk)
    household_id = person.household_id
    services.delete_person(
        actor=request.user, person=person, reason=request.POST.get("reason", ""), ip=_ip(request)
    )
    messages.success(request, _("The person's record was deleted."))
    if household_id:
        return redirect("people:household", pk=household_id)
    return redirect("people:home")


@login_required
@require_POST
@with_errors
def person_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """迁出/注销: the record ends but is kept (out of lists and counts)."""
    person = selectors.person_for(request.user, pk)
    household_id = person.household_id
    left_on = parse_date(request.POST.get("left_on"), "left_on")
    person = services.record_departure(
        actor=request.user, person=person, status=request.POST.get("status", ""), left_on=left_on
    )
    messages.success(
        request,
        _("%(name)s: %(status)s.") % {"name": person.name, "status": person.get_status_display()},
    )
    if household_id:
        return redirect("people:household", pk=household_id)
    return redirect("people:person", pk=person.pk)


def _person_data(post, editing: bool) -> services.PersonData:
    """The form's person. Editing, a number left blank keeps the current one."""
    birth = post.get("birth_date") or None
    try:
        birth_date = dt.date.fromisoformat(birth) if birth else None
    except ValueError:
        raise InvalidInput(_("That is not a date."), field="birth_date") from None
    return services.PersonData(
        name=post.get("name", ""),
        gender=post.get("gender", ""),
        birth_date=birth_date,
        id_number=post.get("id_number", "") or (None if editing else ""),
        phone=post.get("phone", "") or (None if editing else ""),
        relation=post.get("relation", ""),
        former_name=post.get("former_name", ""),
        ethnicity=post.get("ethnicity", ""),
        political_status=post.get("political_status", ""),
        education=post.get("education", ""),
        marital_status=post.get("marital_status", ""),
        occupation=post.get("occupation", ""),
        employer=post.get("employer", ""),
        registered_address=post.get("registered_address", ""),
        residence_kind=post.get("residence_kind", ""),
        note=post.get("note", ""),
        tags=tuple(post.getlist("tags")),
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_form(request: HttpRequest, household: int | None = None, pk: int | None = None):
    """Add a member to a household, or change a person. Numbers are typed anew to change
    them; left empty, an existing number stays."""
    person = selectors.person_for(request.user, pk) if pk else None
    if person is not None:
        if person.household is None:
            raise Http404  # the form keeps household members; a record that ended has none
        home = person.household
    else:
        assert household is not None  # the add page names the household
        home = selectors.household_for(request.user, household)
    code = person.unit_code if person else home.unit_code
    error = None
    if request.method == "POST":
        try:
            data = _person_data(request.POST, editing=person is not None)
            services.note_typed_number(
                actor=request.user,
                id_number=data.id_number or "",
                unit_code=code,
                exclude=person.pk if person else None,
                ip=_ip(request),
            )
            saved = services.save_person(
                actor=request.user, data=data, household=home, person=person
            )
        except CivicgridError as exc:
            error = exc
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": saved.name})
            return redirect("people:person", pk=saved.pk)
    if request.method == "POST":
        chosen = set(request.POST.getlist("tags"))
    else:
        chosen = {tag.code for tag in person.tags.all()} if person else set()
    context = {
        "person": person,
        "household": home,
        "values": request.POST if request.method == "POST" else None,
        "error": error,
        "genders": Gender.choices,
        "relations": Relation.choices,
        "residence_kinds": ResidenceKind.choices,
        "tag_choices": selectors.tag_choices(request.user, code),
        "chosen_tags": chosen,
        "birth_hidden": bool(person and person.id_hash)
        and not selectors.may_see_personal(request.user, code),
    }
    return render(
        request, "people/person_form.html", context, status=error.status if error else 200
    )


# ---- organisations, facilities, situations ------------------------------------------------------


@login_required
@require_GET
def organisations(request: HttpRequest, code: str) -> HttpResponse:
    unit = org_selectors.unit_for(request.user, code)
    rows = selectors.under(selectors.organisations_for(request.user), unit)
    context = {
        "unit": unit,
        "organisations": rows[:500],
        "count": rows.count(),
        "personal": selectors.may_see_personal(request.user, unit.code),
        "places": selectors.under(selectors.places_for(request.user), unit)[:500],
    }
    return render(request, "people/organisations.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def facilities(request: HttpRequest, code: str) -> HttpResponse:
    unit = org_selectors.unit_for(request.user, code)
    if request.method == "POST":
        post = request.POST
        lon, lat = posted_point(post)
        return posted(
            request,
            lambda: services.save_facility(
                actor=request.user,
                unit=org_selectors.unit_for(request.user, post.get("unit") or code),
                kind=post.get("kind", ""),
                lon=lon,
                lat=lat,
                code=post.get("code", ""),
                description=post.get("description", ""),
                state=post.get("state", "good"),
            ),
            _("Facility recorded."),
            "people:facilities",
            code=code,
        )
    rows = selectors.under(selectors.facilities_for(request.user), unit)
    context = {
        "unit": unit,
        "facilities": rows[:500],
        "count": rows.count(),
        "kinds": FacilityKind.choices,
        "states": FacilityState.choices,
        "grids": selectors.has_data_units(request.user, unit),
        "data_kinds": ",".join(sorted(DATA_UNIT_KINDS)),
        "map": org_selectors.map_settings(),
    }
    return render(request, "people/facilities.html", context)


@login_required
@require_GET
def facilities_geojson(request: HttpRequest, code: str) -> JsonResponse:
    unit = org_selectors.unit_for(request.user, code)
    return JsonResponse(selectors.facility_features(request.user, unit))


# Row panels that apps above people add to the situations list: each hook(user, situations)
# returns the context of its panel, with the "template" rendered in each row, or None.
situation_panels: list[Callable[[Any, list], dict | None]] = []


@login_required
@require_http_methods(["GET", "POST"])
def situations(request: HttpRequest, code: str) -> HttpResponse:
    unit = org_selectors.unit_for(request.user, code)
    if request.method == "POST":
        post = request.POST
        return posted(
            request,
            lambda: services.record_situation(
                actor=request.user,
                unit=org_selectors.unit_for(request.user, post.get("unit") or code),
                kind=post.get("kind", ""),
                topic=post.get("topic", ""),
                description=post.get("description", ""),
                place=post.get("place", ""),
                people_concerned=parse_int(post.get("people_concerned"), "people_concerned", 1),
                follow_up=post.get("follow_up", ""),
            ),
            _("Situation recorded."),
            "people:situations",
            code=code,
        )
    rows = list(selectors.under(selectors.situations_for(request.user), unit)[:200])
    context = {
        "unit": unit,
        "situations": rows,
        # What apps above people add to each row (mediation's one-click case button).
        "row_panels": [
            panel for hook in situation_panels if (panel := hook(request.user, rows)) is not None
        ],
        "kinds": SituationKind.choices,
        "grids": selectors.has_data_units(request.user, unit),
        "data_kinds": ",".join(sorted(DATA_UNIT_KINDS)),
    }
    return render(request, "people/situations.html", context)


@login_required
@require_POST
@with_errors
def situation_close(request: HttpRequest, pk: int) -> HttpResponse:
    situation = selectors.situation_for(request.user, pk)
    services.close_situation(
        actor=request.user, situation=situation, follow_up=request.POST.get("follow_up", "")
    )
    messages.success(request, _("Follow-up recorded."))
    return redirect("people:situations", code=situation.unit_code)


# ---- ledgers: import and export ---------------------------------------------------------------


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ImportKind.values:
        raise Http404
    return _xlsx(ledgers.template(kind), f"civicgrid-{kind}-template.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_ledger(request: HttpRequest, code: str) -> HttpResponse:
    unit = org_selectors.unit_for(request.user, code)
    error = None
    if request.method == "POST":
        try:
            job = ledgers.start_import(
                actor=request.user,
                unit=unit,
                kind=request.POST.get("kind", ""),
                upload=request.FILES.get("file"),
            )
        except CivicgridError as exc:
            error = exc
        else:
            return redirect("people:import_job", pk=job.pk)
    context = {
        "unit": unit,
        "kinds": ImportKind.choices,
        "error": error,
        "jobs": selectors.import_jobs(request.user, unit)[:10],
    }
    return render(request, "people/import.html", context, status=400 if error else 200)


@login_required
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_for(request.user, pk)
    template_name = "people/_job.html" if request.headers.get("HX-Request") else "people/job.html"
    return render(request, template_name, {"job": job})


@login_required
@require_POST
@with_errors
def export_persons(request: HttpRequest, code: str) -> HttpResponse:
    """The persons under a unit (optionally with one tag) as .xlsx, masked as on screen; for
    roles that may reveal numbers, with a reason, logged."""
    unit = org_selectors.unit_for(request.user, code)
    data = ledgers.export_unit_persons(
        actor=request.user,
        unit=unit,
        tag=request.POST.get("tag", ""),
        reason=request.POST.get("reason", ""),
        ip=_ip(request),
    )
    return _xlsx(data, f"persons-{unit.code}.xlsx")


@login_required
@require_POST
@with_errors
def export_organisations(request: HttpRequest, code: str) -> HttpResponse:
    """The organisations under a unit as .xlsx (contacts masked); like export_persons."""
    unit = org_selectors.unit_for(request.user, code)
    data = ledgers.export_unit_organisations(
        actor=request.user, unit=unit, reason=request.POST.get("reason", ""), ip=_ip(request)
    )
    return _xlsx(data, f"organisations-{unit.code}.xlsx")


@login_required
@require_GET
def context_geojson(request: HttpRequest) -> JsonResponse:
    """The maps' context layer: `?bbox=west,south,east,north` (WGS-84, at most ~0.1° a side,
    the view of a street or less), buildings, places and facilities the user may see."""
    try:
        west, south, east, north = (float(v) for v in request.GET.get("bbox", "").split(","))
    except ValueError:
        return JsonResponse({"error": _("Give the box as west,south,east,north.")}, status=400)
    if not (west < east and south < north) or east - west > 0.12 or north - south > 0.12:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    return JsonResponse(
        selectors.context_features(request.user, west=west, south=south, east=east, north=north)
    )
