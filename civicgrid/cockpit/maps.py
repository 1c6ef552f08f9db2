"""Reads for the cockpit's maps (issue 19): a unit's grids coloured by a figure (choropleth),
its events as points, facilities, venues and service points; and the public map of service
points. Figures come from rollups (events' counters, the basic-data counts), never rows."""

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.classes.models import Venue
from civicgrid.cockpit.figures import Period
from civicgrid.cockpit.models_maps import ServicePoint, ServicePointKind, ServiceTag
from civicgrid.core.errors import InvalidInput
from civicgrid.events import selectors as event_selectors
from civicgrid.org import selectors as org_selectors
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import scope
from civicgrid.people import selectors as people_selectors

# ---- filters -----------------------------------------------------------------------------------


def parse_period(value: str | None) -> Period:
    """`?period=` (2026-11, 2026-Q4, 2026); this month when blank; InvalidInput otherwise."""
    if not value:
        return Period.containing("month", timezone.localdate())
    try:
        return Period.parse(value)
    except ValueError:
        raise InvalidInput(
            _("Enter a period as 2026-11, 2026-Q4 or 2026."), field="period"
        ) from None


def parse_kind(value: str | None) -> str:
    if not value:
        return ""
    if value not in ServicePointKind.values:
        raise InvalidInput(_("Choose a valid %(field)s.") % {"field": "kind"}, field="kind")
    return value


def parse_service(value: str | None) -> str:
    if not value:
        return ""
    if value not in ServiceTag.values:
        raise InvalidInput(_("Choose a valid %(field)s.") % {"field": "service"}, field="service")
    return value


# ---- service points ----------------------------------------------------------------------------


def points_for(user: Any) -> QuerySet[ServicePoint]:
    return scope(ServicePoint.objects.select_related("unit"), user)


def points_under(
    user: Any, unit: OrgUnit, *, kind: str = "", service: str = ""
) -> QuerySet[ServicePoint]:
    points = points_for(user).filter(unit_code__under=unit.code)
    return _filtered(points, kind, service)


def point_for(user: Any, pk: int) -> ServicePoint:
    """A point the user may see; Http404 otherwise (missing or not theirs)."""
    point = points_for(user).filter(pk=pk).first()
    if point is None:
        raise Http404
    return point


def _filtered(points: QuerySet[ServicePoint], kind: str, service: str) -> QuerySet[ServicePoint]:
    if kind:
        points = points.filter(kind=kind)
    if service:
        # JSON containment is not on SQLite; the tag's quoted form inside the list is.
        points = points.filter(services__icontains=f'"{service}"')
    return points


def public_points(*, kind: str = "", service: str = "") -> QuerySet[ServicePoint]:
    """Every active service point, for anyone: their data is public by nature."""
    return _filtered(ServicePoint.objects.filter(active=True), kind, service).order_by("pk")


def _point_feature(point: ServicePoint) -> dict[str, Any]:
    lon, lat = org_selectors.map_point(point.lon, point.lat)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "layer": "service_point",
            "kind": point.kind,
            "kind_label": str(point.get_kind_display()),
            "name": point.name,
            "address": point.address,
            "hours": point.hours,
            "services": point.service_labels,
            "phone": point.phone,
        },
    }


def public_features(*, kind: str = "", service: str = "") -> dict[str, Any]:
    """The public map's GeoJSON: what a visitor needs (kind, name, address, hours, services,
    the service phone) and nothing about who keeps the point."""
    limit = settings.COCKPIT_MAP_POINTS_LIMIT
    rows = public_points(kind=kind, service=service)[:limit]
    return {"type": "FeatureCollection", "features": [_point_feature(p) for p in rows]}


# ---- a unit's layers ---------------------------------------------------------------------------

LAYERS = {
    "service_points": gettext_lazy("Service points"),
    "facilities": gettext_lazy("Facilities"),
    "venues": gettext_lazy("Venues"),
}


def layer_features(user: Any, unit: OrgUnit, layer: str) -> dict[str, Any]:
    """One point layer under `unit` as GeoJSON, scoped to the user."""
    if layer == "service_points":
        rows = points_under(user, unit).filter(active=True)[: settings.COCKPIT_MAP_POINTS_LIMIT]
        return {"type": "FeatureCollection", "features": [_point_feature(p) for p in rows]}
    if layer == "facilities":
        found = people_selectors.facility_features(user, unit)
        for feature in found["features"]:
            feature["properties"]["layer"] = "facility"
            feature["properties"]["name"] = feature["properties"]["label"]
        return found
    if layer == "venues":
        return _venue_features(user, unit)
    raise InvalidInput(_("Choose a valid %(field)s.") % {"field": "layer"}, field="layer")


def _venue_features(user: Any, unit: OrgUnit) -> dict[str, Any]:
    """Venues have an address but no point: each is drawn at its unit's centre."""
    venues = (
        scope(Venue.objects.filter(active=True), user)
        .filter(unit_code__under=unit.code, unit__centre_lon__isnull=False)
        .select_related("unit")
        .order_by("unit_code", "name")[: settings.COCKPIT_MAP_POINTS_LIMIT]
    )
    features = []
    for venue in venues:
        assert venue.unit.centre_lon is not None and venue.unit.centre_lat is not None
        lon, lat = org_selectors.map_point(venue.unit.centre_lon, venue.unit.centre_lat)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "layer": "venue",
                    "name": venue.name,
                    "kind_label": str(venue.get_kind_display()),
                    "address": venue.address,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def event_points(user: Any, unit: OrgUnit, period: Period) -> dict[str, Any]:
    """Events reported under `unit` in `period` the user may see, newest first, at most
    COCKPIT_MAP_EVENTS_LIMIT: numbers and states only (no descriptions, no reporters)."""
    start = timezone.make_aware(dt.datetime.combine(period.first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.last + dt.timedelta(days=1), dt.time.min))
    limit = settings.COCKPIT_MAP_EVENTS_LIMIT
    events = (
        event_selectors.events_for(user)
        .filter(unit_code__under=unit.code, reported_at__gte=start, reported_at__lt=end)
        .order_by("-reported_at", "-id")
    )
    rows = list(events.values_list("number", "status", "overdue", "lon", "lat")[: limit + 1])
    points = [
        [*org_selectors.map_point(lon, lat), number, status, overdue]
        for number, status, overdue, lon, lat in rows[:limit]
    ]
    return {"points": points, "truncated": len(rows) > limit, "limit": limit}


# ---- choropleth --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapFigure:
    key: str
    label: Any
    measure: str
    better: str  # "up", "down" or "" (neither)


MAP_FIGURES = {
    "overdue": MapFigure("overdue", gettext_lazy("Overdue events"), "件", "down"),
    "completeness": MapFigure("completeness", gettext_lazy("Basic-data completeness"), "%", "up"),
    "events_per_1000": MapFigure(
        "events_per_1000", gettext_lazy("Events per 1,000 residents"), "件/千人", ""
    ),
}
# Bad → good (ColorBrewer RdYlGn), and a neutral sequence (Blues) for figures with no good side.
RAMP_GOOD = ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"]
RAMP_NEUTRAL = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
NO_DATA = "#d1d5db"
# Completeness has fixed classes (the targets the street talks about); counts take quantiles.
FIXED_BREAKS = {"completeness": [60.0, 80.0, 90.0, 95.0]}

GRID_KINDS = (Kind.GRID, Kind.DEDICATED_GRID)
LEVELS = {"grid": gettext_lazy("Grids"), "child": gettext_lazy("Units below")}


@dataclass
class MapClass:
    index: int
    low: float | None  # included
    high: float | None  # excluded
    colour: str
    count: int = 0

    @property
    def label(self) -> str:
        if self.low is None and self.high is None:
            return _("All")
        if self.low is None:
            return f"< {_number(self.high)}"
        if self.high is None:
            return f"≥ {_number(self.low)}"
        return f"{_number(self.low)} – < {_number(self.high)}"

    def holds(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)


@dataclass
class MapRow:
    unit: OrgUnit
    value: float | None
    colour: str
    map_class: int | None  # the legend's index; None for no data


@dataclass
class Choropleth:
    unit: OrgUnit
    period: Period
    figure: MapFigure
    level: str
    rows: list[MapRow]
    legend: list[MapClass]
    no_data: int = 0
    fell_back: bool = False  # too many grids: the units below instead
    colours: dict[str, list[Any]] = field(default_factory=dict)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _ramp(figure: MapFigure, classes: int) -> list[str]:
    ramp = RAMP_NEUTRAL if not figure.better else RAMP_GOOD
    if figure.better == "down":
        ramp = ramp[::-1]
    if classes >= len(ramp):
        return ramp
    # Spread the colours so the ends stay the ends.
    step = (len(ramp) - 1) / max(classes - 1, 1)
    return [ramp[round(i * step)] for i in range(classes)]


def breaks_for(figure: MapFigure, values: list[float]) -> list[float]:
    """Class limits: fixed for completeness; else quintiles of the values, rounded (whole
    numbers for counts), each limit the lowest value of its class."""
    if figure.key in FIXED_BREAKS:
        return FIXED_BREAKS[figure.key]
    found = sorted(values)
    if not found:
        return []
    limits: list[float] = []
    for quintile in (1, 2, 3, 4):
        value = found[min(len(found) - 1, len(found) * quintile // 5)]
        value = float(round(value)) if figure.measure == "件" else round(value, 1)
        if value > found[0] and (not limits or value > limits[-1]):
            limits.append(value)
    return limits


def _units_for_map(user: Any, unit: OrgUnit, level: str) -> tuple[list[OrgUnit], str, bool]:
    """The units to colour: the grids under `unit` (the unit itself for a grid), or the units
    directly below it; grids beyond COCKPIT_MAP_MAX_UNITS give way to the units below."""
    # Outlines are fetched apart (choropleth_outlines): a district's 1,200 polygons stay there.
    visible = org_selectors.units_for(user).filter(active=True).defer("polygon")
    if unit.kind in GRID_KINDS:
        return [unit], "grid", False
    if level == "grid":
        grids = visible.filter(code__under=unit.code, kind__in=GRID_KINDS).order_by("code")
        found = list(grids[: settings.COCKPIT_MAP_MAX_UNITS + 1])
        if len(found) <= settings.COCKPIT_MAP_MAX_UNITS:
            return found, "grid", False
        fell_back = True
    else:
        fell_back = False
    children = visible.filter(parent=unit).exclude(kind=Kind.DEPARTMENT).order_by("code")
    return list(children), "child", fell_back


# Units per call of people's basic_data_below: it counts each unit in a column of its own, and
# SQLite answers at most 2,000 columns.
BASIC_DATA_CHUNK = 300


def _basic_data(unit: OrgUnit, units: list[OrgUnit], key: str) -> list:
    out = []
    for start in range(0, len(units), BASIC_DATA_CHUNK):
        chunk = units[start : start + BASIC_DATA_CHUNK]
        out += [row[key] for row in people_selectors.basic_data_below(unit, chunk)]
    return out


def _values(figure: MapFigure, unit: OrgUnit, units: list[OrgUnit], period: Period) -> list:
    if figure.key == "completeness":
        return _basic_data(unit, units, "completeness")
    counters = event_selectors.counters_for_units([u.pk for u in units], period.first, period.last)
    if figure.key == "overdue":
        return [counters[u.pk]["overdue"] for u in units]
    persons = _basic_data(unit, units, "persons")
    return [
        round(1000 * counters[u.pk]["reported"] / count, 1) if count else None
        for u, count in zip(units, persons, strict=True)
    ]


def parse_figure(value: str | None) -> MapFigure:
    if not value:
        return MAP_FIGURES["overdue"]
    if value not in MAP_FIGURES:
        raise InvalidInput(_("Choose a valid %(field)s.") % {"field": "figure"}, field="figure")
    return MAP_FIGURES[value]


def parse_level(value: str | None) -> str:
    if not value:
        return "grid"
    if value not in LEVELS:
        raise InvalidInput(_("Choose a valid %(field)s.") % {"field": "level"}, field="level")
    return value


def choropleth(
    user: Any, unit: OrgUnit, figure: MapFigure, period: Period, level: str = "grid"
) -> Choropleth:
    """The units to colour under `unit` (visible to the user), each with its value of
    `figure` over `period` and its class; the legend's classes count the units in them, so
    the legend, the table and the map say the same. The caller has checked the user may
    see `unit` (org.selectors.unit_for)."""
    units, level, fell_back = _units_for_map(user, unit, level)
    values = _values(figure, unit, units, period) if units else []
    present = [v for v in values if v is not None]
    limits = breaks_for(figure, present)
    colours = _ramp(figure, len(limits) + 1)
    # One class for values all alike: its lower limit is their lowest ("≥ 0", not "all").
    lowest = min(present) if present and not limits else None
    edges: list[float | None] = [lowest, *limits, None]
    legend = [MapClass(i, edges[i], edges[i + 1], colours[i]) for i in range(len(limits) + 1)]
    rows = []
    for item, value in zip(units, values, strict=True):
        if value is None:
            rows.append(MapRow(item, None, NO_DATA, None))
            continue
        index = bisect.bisect_right(limits, value)
        legend[index].count += 1
        rows.append(MapRow(item, value, legend[index].colour, index))
    result = Choropleth(unit, period, figure, level, rows, legend, fell_back=fell_back)
    result.no_data = sum(1 for row in rows if row.value is None)
    result.colours = {row.unit.code: [row.colour, row.value] for row in rows}
    return result


def choropleth_outlines(user: Any, unit: OrgUnit, level: str) -> dict[str, Any]:
    """The outlines of the units `choropleth` colours (the map colours them by code)."""
    units, _level, _fell_back = _units_for_map(user, unit, level)
    codes = [u.code for u in units]
    # org's one GeoJSON writer of units (shifted for GCJ-02 tiles like every map).
    return org_selectors._features(
        org_selectors.units_for(user).filter(code__in=codes, polygon__isnull=False)
    )
