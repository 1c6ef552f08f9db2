"""Reads of the org tree. Every function takes the acting user and returns only what they may
see; a unit outside their scope is answered like a missing one (404)."""

from collections.abc import Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404
from shapely.geometry import mapping, shape

from civicgrid.core.types import Actor, user_of
from civicgrid.org import scoping
from civicgrid.org.geo import (
    IndexedUnit,
    UnitIndex,
    gcj02_to_wgs84,
    process_index,
    transform_geometry,
    wgs84_to_gcj02,
)
from civicgrid.org.kinds import FINENESS, Kind
from civicgrid.org.models import OrgUnit, Posting, TreeRevision
from civicgrid.org.scoping import covers, scope, sees_everything, visible_prefixes

_M = TypeVar("_M", bound=Model)


def units_for(user: Actor) -> QuerySet[OrgUnit]:
    return scope(OrgUnit.objects.all(), user, field="code")


def unit_for(user: Actor, code: str) -> OrgUnit:
    """The unit with `code` if the user may see it; Http404 otherwise (missing or not theirs)."""
    try:
        return units_for(user).select_related("parent").get(code=code)
    except OrgUnit.DoesNotExist:
        raise Http404 from None


def unit_or_home(user: Actor, code: str | None = None) -> OrgUnit:
    """The unit named by `code` (404 outside the user's scope), else the user's first unit."""
    if code:
        return unit_for(user, code)
    units = top_units_for(user)
    if not units:
        raise Http404
    return units[0]


def top_units_for(user: Actor) -> list[OrgUnit]:
    """The roots of what the user sees: their posted units, or the top of the tree."""
    if sees_everything(user):
        return list(OrgUnit.objects.filter(parent__isnull=True))
    prefixes = visible_prefixes(user)
    return list(OrgUnit.objects.filter(code__in=prefixes, active=True))


def children_for(user: Actor, unit: OrgUnit) -> list[OrgUnit]:
    """Sub-units of a visible unit, each with `child_count`."""
    return list(
        units_for(user)
        .filter(parent=unit)
        .annotate(child_count=Count("children", filter=Q(children__active=True)))
        .order_by("kind", "code")
    )


def unit_by_code(code: str) -> OrgUnit | None:
    """An active unit by its code, not scoped: for places given by code (an Open311
    address_id), whose unit is public like the divisions are."""
    return OrgUnit.objects.filter(code=code, active=True).first() if code else None


def code_prefixes(code: str) -> list[str]:
    """Every code a unit at or above `code` could have, shortest first (the code included)."""
    return [code[:length] for length in range(2, len(code) + 1)]


def on_one_branch(code: str, other: str) -> bool:
    """Whether one code lies at or under the other (a street's room serves its communities, a
    grid's volunteer its community)."""
    return code.startswith(other) or other.startswith(code)


def shared_down(queryset: QuerySet[_M], user: Actor, unit: OrgUnit) -> QuerySet[_M]:
    """Rows the user may see in `unit`'s subtree, and those kept by the units above it: a
    street's teacher pool, venues, resources, shop and committee serve its communities."""
    above = queryset.filter(unit_code__in=code_prefixes(unit.code)[:-1])
    return (scope(queryset, user).filter(unit_code__under=unit.code) | above).distinct()


def units_above(code: str) -> QuerySet[OrgUnit]:
    """The units at and above `code`, top first (not scoped: the chain of a visible row)."""
    return OrgUnit.objects.filter(code__in=code_prefixes(code)).order_by("code")


def departments_serving(code: str) -> QuerySet[OrgUnit]:
    """Active departments hanging on the units at and above `code` (the street's police
    station, the district's housing bureau…): those an event there may be sent to."""
    return OrgUnit.objects.filter(
        kind=Kind.DEPARTMENT, active=True, parent__code__in=code_prefixes(code)
    ).order_by("code")


def ancestors_of(unit: OrgUnit) -> list[OrgUnit]:
    """Units above `unit`, top first. Their names are shown in breadcrumbs to everyone who may
    see `unit`: a grid worker knows which community and street the grid is in."""
    return list(units_above(unit.code).exclude(pk=unit.pk))


def subtree_counts(user: Actor, unit: OrgUnit) -> list[tuple[str, int]]:
    """(kind label, number) of the active units of each kind under `unit`, coarse kinds first."""
    rows = (
        units_for(user)
        .filter(code__under=unit.code, active=True)
        .exclude(pk=unit.pk)
        .values("kind")
        .annotate(n=Count("id"))
    )
    counts = {row["kind"]: row["n"] for row in rows}
    return [(str(Kind(kind).label), counts[kind]) for kind in Kind.values if kind in counts]


def manages_any_unit(user: Actor) -> bool:
    """Whether the user may manage the tree somewhere: opens the scoped admin."""
    return scoping.manages_any_unit(user)


def may_manage(user: Actor, unit: OrgUnit) -> bool:
    """Whether the user may change the tree and postings at and below `unit`."""
    return covers(user, unit.code, manage=True)


def staff_of(user: Actor, unit: OrgUnit) -> QuerySet[Posting]:
    """Active postings directly at `unit`."""
    return (
        scope(Posting.objects.all(), user)
        .filter(unit=unit, active=True)
        .select_related("user")
        .order_by("role", "user__full_name")
    )


def postings_of(user: Actor) -> QuerySet[Posting]:
    """The user's own active postings."""
    return Posting.objects.filter(
        user=user_of(user), active=True, unit__active=True
    ).select_related("unit")


# --- map -----------------------------------------------------------------------------------

MAP_KINDS = [Kind.STREET, Kind.COMMUNITY, Kind.GRID, Kind.DEDICATED_GRID, Kind.MICRO_GRID]


def map_settings() -> dict[str, Any]:
    """What the map scripts need: the tiles (none on an intranet without a tile server), their
    coordinate system, and where to start (the first district's centre)."""
    centre = (
        OrgUnit.objects.filter(kind=Kind.DISTRICT, active=True, centre_lat__isnull=False)
        .order_by("code")
        .values_list("centre_lat", "centre_lon")
        .first()
    )
    return {
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "crs": settings.MAP_TILE_CRS,
        "centre": list(centre) if centre else None,
    }


def map_point(lon: float, lat: float) -> tuple[float, float]:
    """A stored WGS-84 point as the configured tiles draw it."""
    return wgs84_to_gcj02(lon, lat) if settings.MAP_TILE_CRS == "gcj02" else (lon, lat)


def _features(units: QuerySet[OrgUnit]) -> dict[str, Any]:
    shift = wgs84_to_gcj02 if settings.MAP_TILE_CRS == "gcj02" else None
    features = []
    for unit in units.only("code", "name", "short_name", "kind", "subkind", "polygon").iterator(
        chunk_size=2000
    ):
        geometry = unit.polygon
        if shift is not None:
            geometry = mapping(transform_geometry(shape(geometry), shift))
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "code": unit.code,
                    "name": unit.display_name,
                    "kind": unit.kind,
                    "kind_label": str(Kind(unit.kind).label),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def map_features(
    user: Actor, *, kinds: Sequence[str] = (), parent: OrgUnit | None = None
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the visible units with polygons, of the given kinds or
    directly under `parent`. Shifted to GCJ-02 when the configured tiles need it."""
    units = units_for(user).filter(polygon__isnull=False, active=True)
    if parent is not None:
        units = units.filter(Q(parent=parent) | Q(pk=parent.pk))
    if kinds:
        units = units.filter(kind__in=kinds)
    return _features(units)


def own_features(user: Actor) -> dict[str, Any]:
    """The polygons of the units the user is posted to (the roots of what they see): every
    map opens on them."""
    codes = [unit.code for unit in top_units_for(user)]
    return _features(OrgUnit.objects.filter(code__in=codes, polygon__isnull=False))


def public_outlines() -> dict[str, Any]:
    """Every active community's outline, for anyone: communities are public divisions, and a
    resident reporting a problem needs something to find their place on."""
    return _features(
        OrgUnit.objects.filter(kind=Kind.COMMUNITY, active=True, polygon__isnull=False)
    )


def outlines_below(unit: OrgUnit) -> dict[str, Any]:
    """The outlines of `unit` and its active children, whoever asks: for a caller that has
    already granted `unit` (the cockpit's big screen opened by its secret link)."""
    return _features(
        OrgUnit.objects.filter(Q(parent=unit) | Q(pk=unit.pk), active=True, polygon__isnull=False)
    )


# --- point → unit ----------------------------------------------------------------------------


def _build_index(revision: object) -> UnitIndex:
    rows = (
        OrgUnit.objects.filter(active=True, polygon__isnull=False)
        .exclude(kind=Kind.DEPARTMENT)
        .values_list("id", "code", "kind", "polygon")
    )
    return UnitIndex(
        [
            IndexedUnit(id=pk, rank=FINENESS[kind] * 64 + len(code), geometry=shape(polygon))
            for pk, code, kind, polygon in rows.iterator(chunk_size=2000)
        ],
        revision=revision,
    )


def unit_index() -> UnitIndex:
    """This process's point → unit index, rebuilt when the tree revision has moved on."""
    revision = TreeRevision.objects.filter(pk=1).values_list("revision", flat=True).first()
    return process_index.get(revision, _build_index)


def unit_at(lon: float, lat: float, *, gcj02: bool = False) -> OrgUnit | None:
    """The finest active unit whose polygon holds the WGS-84 point (or GCJ-02 when `gcj02`);
    None outside every polygon. Not scoped: a resident's report must land in its grid whoever
    sends it; callers show the result only to whom may see it."""
    if gcj02:
        lon, lat = gcj02_to_wgs84(lon, lat)
    unit_id = unit_index().locate(lon, lat)
    return OrgUnit.objects.get(pk=unit_id) if unit_id is not None else None


def units_at(points: Sequence[tuple[float, float]]) -> list[OrgUnit | None]:
    """`unit_at` for many points in one vectorised pass and one query."""
    if not points:
        return []
    lons, lats = zip(*points, strict=True)
    ids = unit_index().locate_many(lons, lats)
    units = OrgUnit.objects.in_bulk([int(i) for i in set(ids.tolist()) if i >= 0])
    return [units.get(int(i)) for i in ids]


def units_of_kinds(user: Actor, prefixes: list[str], kinds: frozenset[str]) -> QuerySet[OrgUnit]:
    """Active units of `kinds` under any of `prefixes`, within the user's scope, parent joined
    (a unit picker that names a grid with its community)."""
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= Q(code__under=prefix)
    return (
        units_for(user)
        .filter(condition, kind__in=kinds, active=True)
        .select_related("parent")
        .order_by("code")
    )


def postings_under(user: Actor, roles: frozenset[str]) -> QuerySet[Posting]:
    """Active postings with `roles` under the user's units, newest first, user and unit joined."""
    return scope(
        Posting.objects.filter(active=True, role__in=roles).select_related("user", "unit__parent"),
        user,
    ).order_by("-id")
