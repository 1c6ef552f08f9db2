"""The demo district: real streets and communities with national codes, generated polygons
(Voronoi cells inside the district's real outline), grids sized by households as Zhengzhou
does it (a grid 300–500 households, a micro-grid 50–70), dedicated grids, departments, and
demo users for every role. Deterministic: the same district always comes out the same."""

import json
import math
import random
from collections.abc import Iterator

import shapely
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _
from faker import Faker
from shapely.geometry import MultiPoint, Point, box, mapping, shape
from shapely.geometry.base import BaseGeometry
from tqdm import tqdm

from civicgrid.core.errors import InvalidInput
from civicgrid.org import services
from civicgrid.org.divisions import DATA_DIR, import_divisions
from civicgrid.org.geo import gcj02_to_wgs84, transform_geometry
from civicgrid.org.kinds import DedicatedKind, DepartmentKind, Kind
from civicgrid.org.models import OrgUnit, Posting
from civicgrid.org.roles import Role

DEMO_DISTRICT = "410102"  # 郑州市中原区
DEMO_PASSWORD = "civicgrid-demo"
PRECISION = 1e-6  # ≈ 0.1 m; coordinates are stored rounded to it

# The demo's named logins, all in 三官庙街道 河南纺机社区 (a community of the source articles).
DEMO_STREET = "410102006"
DEMO_COMMUNITY = "410102006006"
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("district", Role.DISTRICT_STAFF, DEMO_DISTRICT),
    ("leader", Role.LEADER_READONLY, DEMO_DISTRICT),
    ("street", Role.STREET_STAFF, DEMO_STREET),
    ("community", Role.COMMUNITY_STAFF, DEMO_COMMUNITY),
    ("gridleader", Role.GRID_LEADER, DEMO_COMMUNITY),
    ("gridworker", Role.GRID_WORKER, DEMO_COMMUNITY + "001"),
    ("gridworker2", Role.GRID_WORKER, DEMO_COMMUNITY + "002"),
    ("microleader", Role.MICRO_GRID_LEADER, DEMO_COMMUNITY + "001001"),
    ("department", Role.DEPARTMENT_HANDLER, DEMO_STREET + "901"),
]

# Dedicated grids of the demo district: (community code, kind, name).
DEDICATED_GRIDS: dict[str, list[tuple[str, str, str]]] = {
    DEMO_DISTRICT: [
        ("410102010002", DedicatedKind.BUSINESS_DISTRICT, "中原西路商圈专属网格"),
        ("410102003008", DedicatedKind.OFFICE_BUILDING, "锦绣城商务楼宇专属网格"),
        ("410102006006", DedicatedKind.MARKET, "纺机农贸市场专属网格"),
        ("410102004007", DedicatedKind.SCHOOL, "秦江校园专属网格"),
        ("410102001009", DedicatedKind.HOSPITAL, "农业银行社区医院专属网格"),
        ("410102005024", DedicatedKind.ENTERPRISE_PARK, "桐柏路科创园专属网格"),
    ]
}

DISTRICT_DEPARTMENTS = [
    (DepartmentKind.POLICE, "公安分局"),
    (DepartmentKind.FIRE, "消防救援大队"),
    (DepartmentKind.CITY_MANAGEMENT, "城市管理局"),
    (DepartmentKind.HOUSING, "住房和城乡建设局"),
    (DepartmentKind.MARKET_REGULATION, "市场监督管理局"),
]
STREET_DEPARTMENTS = [
    (DepartmentKind.POLICE, "派出所"),
    (DepartmentKind.CITY_MANAGEMENT, "城管中队"),
    (DepartmentKind.MARKET_REGULATION, "市场监管所"),
    (DepartmentKind.FIRE, "消防救援站"),
]


def district_outline(code: str) -> BaseGeometry:
    """The district's real outline from the bundled GeoJSON, shifted from GCJ-02 to WGS-84."""
    with (DATA_DIR / "zhengzhou-districts.geojson").open(encoding="utf-8") as f:
        collection = json.load(f)
    for feature in collection["features"]:
        if str(feature["properties"].get("adcode")) == code:
            geometry = transform_geometry(shape(feature["geometry"]), gcj02_to_wgs84)
            return shapely.set_precision(shapely.make_valid(geometry), PRECISION)
    raise InvalidInput(
        _("No outline for district %(code)s in the bundled boundaries.") % {"code": code}
    )


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Only the polygon parts (clipping can leave stray lines and points)."""
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in {"Polygon", "MultiPolygon"}]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _sample_inside(area: BaseGeometry, n: int, rng: random.Random) -> list[Point]:
    min_x, min_y, max_x, max_y = area.bounds
    shapely.prepare(area)
    points: list[Point] = []
    while len(points) < n:
        x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if shapely.contains_xy(area, x, y):
            points.append(Point(x, y))
    return points


def split(area: BaseGeometry, n: int, rng: random.Random, relax: int = 4) -> list[BaseGeometry]:
    """Cut `area` into `n` compact cells: Voronoi cells of random seeds, Lloyd-relaxed."""
    if n <= 1:
        return [area]
    seeds = _sample_inside(area, n, rng)
    for round_ in range(relax + 1):
        cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=area, ordered=True)
        pieces = [
            _polygonal(shapely.set_precision(cell.intersection(area), PRECISION))
            for cell in shapely.get_parts(cells)
        ]
        if round_ == relax:
            return [p for p in pieces if not p.is_empty]
        seeds = [
            p.centroid if p.contains(p.centroid) else p.representative_point()
            for p in pieces
            if not p.is_empty
        ]


def _square_around(point: Point, half_metres: float) -> BaseGeometry:
    dlat = half_metres / 111_320
    dlon = half_metres / (111_320 * math.cos(math.radians(point.y)))
    return shapely.set_precision(
        box(point.x - dlon, point.y - dlat, point.x + dlon, point.y + dlat), PRECISION
    )


def plan_district(code: str) -> Iterator[dict]:
    """Yield the generated units below the imported streets and communities of `code`."""
    district = OrgUnit.objects.get(code=code)
    rng = random.Random(int(code))
    streets = list(district.children.filter(kind=Kind.STREET).order_by("code"))
    outline = shape(district.polygon)
    for street, street_area in zip(streets, split(outline, len(streets), rng), strict=True):
        yield {"update": street, "polygon": street_area}
        communities = list(street.children.filter(kind=Kind.COMMUNITY).order_by("code"))
        for community, community_area in zip(
            communities, split(street_area, len(communities), rng), strict=True
        ):
            yield {"update": community, "polygon": community_area}
            households = rng.randint(1500, 4800)
            n_grids = max(1, round(households / rng.uniform(350, 470)))
            for number, grid_area in enumerate(split(community_area, n_grids, rng, relax=3), 1):
                grid_code = f"{community.code}{number:03d}"
                grid_households = households // n_grids
                yield {
                    "code": grid_code,
                    "parent": community.code,
                    "kind": Kind.GRID,
                    "name": f"{community.display_name}第{number}网格",
                    "short_name": f"第{number}网格",
                    "polygon": grid_area,
                }
                n_micro = max(1, round(grid_households / rng.uniform(52, 68)))
                for micro, micro_area in enumerate(split(grid_area, n_micro, rng, relax=2), 1):
                    yield {
                        "code": f"{grid_code}{micro:03d}",
                        "parent": grid_code,
                        "kind": Kind.MICRO_GRID,
                        "name": f"{community.display_name}第{number}网格第{micro}微网格",
                        "short_name": f"第{micro}微网格",
                        "polygon": micro_area,
                    }
        for number, (subkind, suffix) in enumerate(STREET_DEPARTMENTS, 901):
            yield {
                "code": f"{street.code}{number}",
                "parent": street.code,
                "kind": Kind.DEPARTMENT,
                "subkind": subkind,
                "name": f"{street.display_name.removesuffix('街道').removesuffix('镇')}{suffix}",
            }
    for number, (subkind, suffix) in enumerate(DISTRICT_DEPARTMENTS, 901):
        yield {
            "code": f"{code}{number}",
            "parent": code,
            "kind": Kind.DEPARTMENT,
            "subkind": subkind,
            "name": f"{district.display_name}{suffix}",
        }


def _dedicated(code: str) -> Iterator[dict]:
    for number, (community_code, subkind, name) in enumerate(DEDICATED_GRIDS.get(code, []), 801):
        community = OrgUnit.objects.filter(code=community_code).first()
        if community is None or not community.polygon:
            continue
        area = shape(community.polygon)
        yield {
            "code": f"{community_code}{number}",
            "parent": community_code,
            "kind": Kind.DEDICATED_GRID,
            "subkind": subkind,
            "name": name,
            "polygon": _square_around(area.representative_point(), 110).intersection(area),
        }


def _apply(spec: dict) -> None:
    polygon = spec.get("polygon")
    geojson = mapping(polygon) if polygon is not None else None
    if "update" in spec:
        if not spec["update"].polygon:
            services.update_unit(actor=None, unit=spec["update"], polygon=geojson)
        return
    if OrgUnit.objects.filter(code=spec["code"]).exists():
        return
    services.create_unit(
        actor=None,
        parent=OrgUnit.objects.get(code=spec["parent"]),
        kind=spec["kind"],
        name=spec["name"],
        code=spec["code"],
        short_name=spec.get("short_name", ""),
        subkind=spec.get("subkind", ""),
        polygon=geojson,
    )


def _users(code: str, progress: bool) -> None:
    """Demo users: the named logins, plus staff for every street and community and a worker
    for every grid, all with Faker (zh_CN) names."""
    User = get_user_model()
    faker = Faker("zh_CN")
    faker.seed_instance(int(code))
    password = make_password(DEMO_PASSWORD)  # hashed once: argon2 is slow on purpose
    postings: list[tuple[str, str, str]] = []
    if code == DEMO_DISTRICT:
        postings += DEMO_LOGINS
    units = OrgUnit.objects.filter(code__under=code, active=True).order_by("code")
    role_by_kind = {
        Kind.STREET: Role.STREET_STAFF,
        Kind.COMMUNITY: Role.COMMUNITY_STAFF,
        Kind.GRID: Role.GRID_WORKER,
    }
    for unit in units.filter(kind__in=list(role_by_kind)).only("code", "kind"):
        postings.append((f"u{unit.code}", role_by_kind[unit.kind], unit.code))
    existing = set(
        User.objects.filter(username__in=[p[0] for p in postings]).values_list(
            "username", flat=True
        )
    )
    User.objects.bulk_create(
        [
            User(username=username, full_name=faker.name(), password=password)
            for username in dict.fromkeys(p[0] for p in postings)
            if username not in existing
        ]
    )
    users = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in postings])}
    units_by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=[p[2] for p in postings])}
    held = set(
        Posting.objects.filter(user__in=users.values(), active=True).values_list(
            "user__username", "unit__code", "role"
        )
    )
    for username, role, unit_code in tqdm(
        postings, desc=_("Postings"), unit="", disable=not progress
    ):
        if (username, unit_code, role) not in held and unit_code in units_by_code:
            services.post_user(
                actor=None, user=users[username], unit=units_by_code[unit_code], role=role
            )
    if code == DEMO_DISTRICT:
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"full_name": faker.name(), "password": password}
        )
        if created:
            admin.is_staff = admin.is_superuser = True
            admin.save(update_fields=["is_staff", "is_superuser"])
        for username in ("district", "street", "community"):
            User.objects.filter(username=username).update(is_staff=True)


def load_demo(code: str = DEMO_DISTRICT, *, progress: bool = True) -> dict[str, int]:
    """Load district `code` with generated geography and users, all in one transaction.
    Idempotent: what exists is kept, what is missing is added."""
    with services.batch_changes():
        return _load(code, progress)


def demo_part(district: str, *, progress: bool) -> str:
    """The units and the logins of the demo (core.demo; registered in apps.py)."""
    result = load_demo(district, progress=progress)
    return f"{result['units_created']} units created; district {district} has {result['units']}."


def _load(code: str, progress: bool) -> dict[str, int]:
    before = OrgUnit.objects.count()
    import_divisions([code], progress=progress)
    district = OrgUnit.objects.get(code=code)
    if not district.polygon:
        services.update_unit(actor=None, unit=district, polygon=mapping(district_outline(code)))
        district.refresh_from_db()
    specs = list(plan_district(code))
    for spec in tqdm(specs, desc=_("Units"), unit="", disable=not progress):
        _apply(spec)
    for spec in _dedicated(code):
        _apply(spec)
    _users(code, progress)
    return {
        "units_created": OrgUnit.objects.count() - before,
        "units": OrgUnit.objects.filter(code__under=code).count(),
    }
