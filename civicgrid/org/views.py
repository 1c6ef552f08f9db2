from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicgrid.org import picker, selectors
from civicgrid.org.kinds import Kind


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    roots = selectors.top_units_for(request.user)
    return render(request, "org/tree.html", {"roots": roots})


@login_required
@require_GET
def tree_children(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.unit_for(request.user, code)
    children = selectors.children_for(request.user, unit)
    return render(request, "org/_tree_children.html", {"children": children})


@login_required
@require_GET
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = selectors.unit_for(user, code)
    context = {
        "unit": unit,
        "ancestors": selectors.ancestors_of(unit),
        "children": selectors.children_for(user, unit),
        "staff": selectors.staff_of(user, unit),
        "counts": selectors.subtree_counts(user, unit),
        "may_manage": selectors.may_manage(user, unit),
        "map_settings": selectors.map_settings(),
    }
    return render(request, "org/unit_detail.html", context)


@login_required
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    layers = [(kind, Kind(kind).label) for kind in selectors.MAP_KINDS]
    return render(
        request, "org/map.html", {"layers": layers, "map_settings": selectors.map_settings()}
    )


@login_required
@require_GET
def map_geojson(request: HttpRequest) -> JsonResponse:
    """Polygons the user may see: `?kind=grid` (repeatable), `?parent=<code>` for one unit and
    its sub-units, or `?top=1` for the units the user is posted to."""
    if request.GET.get("top"):
        # The user's own units (their postings): where their maps open.
        return JsonResponse(selectors.own_features(request.user))
    kinds = [k for k in request.GET.getlist("kind") if k in Kind.values]
    parent_code = request.GET.get("parent")
    parent = selectors.unit_for(request.user, parent_code) if parent_code else None
    return JsonResponse(selectors.map_features(request.user, kinds=kinds, parent=parent))


@require_GET
def unit_search(request: HttpRequest) -> JsonResponse:
    """The unit picker's results: `?q=` (name, pinyin initials or code), `kind=` (repeatable),
    `under=<code>`, `scope=mine|district|public`. Anonymous visitors get the public scope
    (communities and grids, which the public report page also draws)."""
    scope = request.GET.get("scope", "mine")
    if scope not in ("mine", "district", "public") or not request.user.is_authenticated:
        scope = "public"
    kinds = [k for k in request.GET.getlist("kind") if k in Kind.values]
    hits = picker.search_units(
        request.user,
        request.GET.get("q", "")[:50],
        kinds=kinds,
        under=request.GET.get("under", "")[:30],
        scope=scope,
    )
    return JsonResponse({"results": [hit.as_dict() for hit in hits]})
