"""The demo's service points (issue 19): 50 暖心驿站 in real shops of the district (the
restaurants the people part loaded as places, from ../shared/data), and in the demo street a
党群服务中心 in every community, some 日间照料中心 and 四点半课堂, and a 新时代文明实践站 in
the first community of every street. Registered in apps.py (core.demo)."""

import random

from django.db import transaction
from shapely.geometry import Point, shape

from civicgrid.cockpit.models_maps import ServicePoint, ServicePointKind, ServiceTag
from civicgrid.org.demo import DEMO_STREET
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.people.models import Place

WARM_STATIONS = 50
POINT_UNIT_KINDS = (Kind.COMMUNITY, Kind.GRID, Kind.DEDICATED_GRID)
WARM_SERVICES = [
    ServiceTag.CHARGING,
    ServiceTag.WATER,
    ServiceTag.REST,
    ServiceTag.HOT_MEALS,
    ServiceTag.TOILET,
    ServiceTag.FIRST_AID,
    ServiceTag.WIFI,
    ServiceTag.UMBRELLA,
]


def has_points(district: str) -> bool:
    return ServicePoint.objects.filter(unit_code__under=district).exists()


def _phone(rng: random.Random) -> str:
    return f"0371-6{rng.randint(0, 9999999):07d}"


def _inside(unit: OrgUnit, rng: random.Random) -> tuple[float, float] | None:
    """A random point inside the unit's outline (its representative point after 50 misses)."""
    if not unit.polygon:
        return None
    outline = shape(unit.polygon)
    west, south, east, north = outline.bounds
    for _attempt in range(50):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if outline.contains(Point(lon, lat)):
            return lon, lat
    point = outline.representative_point()
    return point.x, point.y


def _point_unit(unit: OrgUnit | None) -> OrgUnit | None:
    """The community or grid a point at `unit` hangs on (a micro-grid's grid)."""
    while unit is not None and unit.kind not in POINT_UNIT_KINDS:
        unit = unit.parent
    return unit


def _warm_stations(district: str, rng: random.Random) -> list[ServicePoint]:
    places = list(
        Place.objects.filter(unit_code__under=district, lon__isnull=False, lat__isnull=False)
        .select_related("unit__parent")
        .order_by("pk")
    )
    # A few in the demo street, where the demo logins work; the rest over the district.
    near = [p for p in places if p.unit_code.startswith(DEMO_STREET)]
    far = [p for p in places if not p.unit_code.startswith(DEMO_STREET)]
    chosen = rng.sample(near, min(5, len(near)))
    chosen += rng.sample(far, min(WARM_STATIONS - len(chosen), len(far)))
    points = []
    for place in chosen:
        unit = _point_unit(place.unit)
        if unit is None or place.lon is None or place.lat is None:
            continue
        services = WARM_SERVICES[:3] + rng.sample(WARM_SERVICES[3:], rng.randint(1, 4))
        points.append(
            ServicePoint(
                unit=unit,
                unit_code=unit.code,
                kind=ServicePointKind.WARM_STATION,
                name=f"暖心驿站·{place.name}"[:100],
                address=place.address,
                lon=place.lon,
                lat=place.lat,
                hours="24小时" if rng.random() < 0.4 else (place.hours or "8:00–22:00"),
                services=[tag for tag in ServiceTag.values if tag in services],
                phone=_phone(rng),
            )
        )
    return points


def _street_points(district: str, rng: random.Random) -> list[ServicePoint]:
    points = []

    def add(unit: OrgUnit, kind: str, name: str, hours: str, services: list[str]) -> None:
        at = _inside(unit, rng)
        if at is None:
            return
        points.append(
            ServicePoint(
                unit=unit,
                unit_code=unit.code,
                kind=kind,
                name=name[:100],
                address=f"{unit.parent.display_name if unit.parent else ''}{unit.display_name}",
                lon=at[0],
                lat=at[1],
                hours=hours,
                services=[tag for tag in ServiceTag.values if tag in services],
                phone=_phone(rng),
            )
        )

    communities = OrgUnit.objects.filter(
        code__under=DEMO_STREET, kind=Kind.COMMUNITY, active=True
    ).select_related("parent")
    for number, community in enumerate(communities.order_by("code")):
        short = community.display_name
        add(
            community,
            ServicePointKind.SERVICE_CENTRE,
            f"{short}党群服务中心",
            "周一至周日 8:30–17:30",
            ["water", "toilet", "rest", "reading", "wifi", "counsel", "charging"],
        )
        if number % 3 == 0:
            add(
                community,
                ServicePointKind.DAY_CARE,
                f"{short}日间照料中心",
                "8:00–18:00",
                ["elderly_meals", "rest", "first_aid", "water", "toilet"],
            )
        if number % 2 == 0:
            add(
                community,
                ServicePointKind.AFTER_SCHOOL,
                f"{short}四点半课堂",
                "周一至周五 16:30–18:30",
                ["homework", "reading", "water"],
            )
    streets = OrgUnit.objects.filter(code__under=district, kind=Kind.STREET, active=True)
    for street in streets.order_by("code"):
        first = (
            OrgUnit.objects.filter(parent=street, kind=Kind.COMMUNITY, active=True)
            .select_related("parent")
            .order_by("code")
            .first()
        )
        if first is not None:
            add(
                first,
                ServicePointKind.CIVILITY_STATION,
                f"{street.display_name}新时代文明实践站",
                "9:00–17:00",
                ["reading", "counsel", "water", "rest"],
            )
    return points


@transaction.atomic
def load_demo_points(district: str) -> int:
    rng = random.Random(19)
    points = _warm_stations(district, rng) + _street_points(district, rng)
    ServicePoint.objects.bulk_create(points, batch_size=500, ignore_conflicts=True)
    return ServicePoint.objects.filter(unit_code__under=district).count()


def demo_part(district: str, *, progress: bool) -> str:
    """The demo's service points, unless the district has them (core.demo; apps.py)."""
    if has_points(district):
        return ""
    return f"{load_demo_points(district)} demo service points added."
