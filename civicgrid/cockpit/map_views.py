"""The cockpit's map pages (issue 19): a unit's map with its layers, the service-point
registry for staff, and the public map of service points (no login, rate-limited)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.cockpit import maps, service_points
from civicgrid.cockpit.figures import PERIOD_KINDS
from civicgrid.cockpit.models_maps import ServicePoint, ServicePointKind, ServiceTag
from civicgrid.cockpit.selectors import overview_unit
from civicgrid.core.errors import CivicgridError, InvalidInput
from civicgrid.core.views import limited
from civicgrid.org import selectors as org_selectors
from civicgrid.org.geo import gcj02_to_wgs84

# ---- a unit's map ------------------------------------------------------------------------------


@login_required
@require_GET
def unit_map(request: HttpRequest, code: str) -> HttpResponse:
    unit = overview_unit(request.user, code)
    figure = maps.parse_figure(request.GET.get("figure"))
    period = maps.parse_period(request.GET.get("period"))
    level = maps.parse_level(request.GET.get("level"))
    found = maps.choropleth(request.user, unit, figure, period, level)
    query = f"?period={period.value}"
    context = {
        "unit": unit,
        "ancestors": [u for u in org_selectors.ancestors_of(unit) if u.pk != unit.pk],
        "map": found,
        "figures": maps.MAP_FIGURES.values(),
        "levels": maps.LEVELS.items(),
        "period": period,
        "period_kinds": PERIOD_KINDS.items(),
        "layers": maps.LAYERS.items(),
        "map_settings": org_selectors.map_settings(),
        "outlines_url": reverse("cockpit:map_outlines", args=[unit.code]) + f"?level={found.level}",
        "events_url": reverse("cockpit:map_events", args=[unit.code]) + query,
        "layer_url": reverse("cockpit:map_layer", args=[unit.code, "LAYER"]),
    }
    return render(request, "cockpit/map.html", context)


@login_required
@require_GET
def map_outlines(request: HttpRequest, code: str) -> JsonResponse:
    unit = overview_unit(request.user, code)
    level = maps.parse_level(request.GET.get("level"))
    return JsonResponse(maps.choropleth_outlines(request.user, unit, level))


@login_required
@require_GET
def map_events(request: HttpRequest, code: str) -> JsonResponse:
    unit = overview_unit(request.user, code)
    period = maps.parse_period(request.GET.get("period"))
    return JsonResponse(maps.event_points(request.user, unit, period))


@login_required
@require_GET
def map_layer(request: HttpRequest, code: str, layer: str) -> JsonResponse:
    unit = overview_unit(request.user, code)
    return JsonResponse(maps.layer_features(request.user, unit, layer))


# ---- the public map ----------------------------------------------------------------------------


@limited("service_points", methods=["GET"])
@require_GET
def public_map(request: HttpRequest) -> HttpResponse:
    """服务点地图: every active service point, for anyone, filtered by kind and service."""
    context = {
        "kind": maps.parse_kind(request.GET.get("kind")),
        "service": maps.parse_service(request.GET.get("service")),
        "kinds": ServicePointKind.choices,
        "services": ServiceTag.choices,
        "map_settings": org_selectors.map_settings(),
    }
    return render(request, "cockpit/map_public.html", context)


@limited("service_points", methods=["GET"])
@require_GET
def public_geojson(request: HttpRequest) -> JsonResponse:
    kind = maps.parse_kind(request.GET.get("kind"))
    service = maps.parse_service(request.GET.get("service"))
    response = JsonResponse(maps.public_features(kind=kind, service=service))
    response["Cache-Control"] = "public, max-age=300"
    return response


# ---- the registry (staff) ----------------------------------------------------------------------

PAGE_SIZE = 50


@login_required
@require_GET
def service_points_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    unit = org_selectors.unit_or_home(user, request.GET.get("unit"))
    if not service_points.may_read(user, unit.code):
        raise Http404
    kind = maps.parse_kind(request.GET.get("kind"))
    service = maps.parse_service(request.GET.get("service"))
    points = maps.points_under(user, unit, kind=kind, service=service)
    page = Paginator(points, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "unit": unit,
        "page": page,
        "kind": kind,
        "service": service,
        "kinds": ServicePointKind.choices,
        "services": ServiceTag.choices,
        "may_keep": service_points.may_keep(user, unit.code),
        "children": org_selectors.children_for(user, unit),
    }
    return render(request, "cockpit/service_points.html", context)


def _data(request: HttpRequest) -> service_points.PointData:
    post = request.POST

    def coordinate(name: str) -> float | None:
        value = post.get(name, "").strip()
        if not value:
            return None
        try:
            return float(value)
        except ValueError:
            raise InvalidInput(_("Pick the place on the map."), field="lon") from None

    lon, lat = coordinate("lon"), coordinate("lat")
    if lon is not None and lat is not None and post.get("crs") == "gcj02":
        lon, lat = gcj02_to_wgs84(lon, lat)
    return service_points.PointData(
        kind=post.get("kind", ""),
        name=post.get("name", ""),
        lon=lon,
        lat=lat,
        address=post.get("address", ""),
        hours=post.get("hours", ""),
        services=post.getlist("services"),
        phone=post.get("phone", ""),
        active=bool(post.get("active")),
    )


def _form(
    request: HttpRequest, point: ServicePoint | None, unit_code: str, status: int = 200, **extra
) -> HttpResponse:
    user = request.user
    home = org_selectors.unit_or_home(user, unit_code or None)
    units = (
        org_selectors.units_for(user)
        .filter(code__under=home.code, kind__in=service_points.POINT_UNIT_KINDS, active=True)
        .order_by("code")[:500]
    )
    keepable = [u for u in units if service_points.may_keep(user, u.code)]
    if not keepable:
        # Nowhere to put a point: the form is not for this user (the service refuses a save).
        raise PermissionDenied
    posted = extra.get("posted")
    shown = None
    if posted is None and point is not None:
        shown = org_selectors.map_point(point.lon, point.lat)
    context = {
        "point": point,
        "at": json.dumps(list(shown)) if shown else "",
        "unit_code": unit_code or (point.unit_code if point else ""),
        "home": home,
        "units": keepable,
        "kinds": ServicePointKind.choices,
        "services": ServiceTag.choices,
        "map_settings": org_selectors.map_settings(),
        **extra,
    }
    return render(request, "cockpit/service_points_form.html", context, status=status)


def _save(request: HttpRequest, point: ServicePoint | None) -> HttpResponse:
    code = request.POST.get("unit", "")
    try:
        unit = org_selectors.unit_for(request.user, code) if code else None
        if unit is None:
            raise InvalidInput(_("Choose the community or grid."), field="unit")
        saved = service_points.save_service_point(
            actor=request.user, unit=unit, data=_data(request), point=point
        )
    except CivicgridError as error:
        return _form(request, point, code, status=error.status, error=error, posted=request.POST)
    messages.success(request, _("Service point saved."))
    return redirect(reverse("cockpit:service_points") + f"?unit={saved.unit_code}")


@login_required
@require_http_methods(["GET", "POST"])
def service_point_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    return _form(request, None, request.GET.get("unit", ""))


@login_required
@require_http_methods(["GET", "POST"])
def service_point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = maps.point_for(request.user, pk)
    if request.method == "POST":
        return _save(request, point)
    return _form(request, point, point.unit_code)
