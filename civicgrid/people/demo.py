"""Demo basic data: residents of the demo community's grids (synthetic), the household the
issue's story is about (an 86-year-old woman and her son in 保利百合 3号楼), the district's real
restaurants as places, shops and property companies as organisations, facilities, visits and
situations — so every page of the grid worker has something real to show."""

import csv
import datetime as dt
import random
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from faker import Faker
from shapely.geometry import Point, shape

from civicgrid.org.demo import DEMO_COMMUNITY
from civicgrid.org.geo import gcj02_to_wgs84
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.selectors import units_at
from civicgrid.people import ledger_rollups, services
from civicgrid.people.models import (
    CONTACT_PHONE,
    DATA_UNIT_KINDS,
    Building,
    Facility,
    FacilityKind,
    House,
    Household,
    Organisation,
    OrganisationKind,
    Person,
    Place,
    PlaceKind,
)
from civicgrid.people.services import PersonData
from civicgrid.people.synth import ESTATES, Writer, fake_id

HOUSEHOLDS_PER_GRID = 160
DATA_DIR = Path(__file__).resolve().parent / "data"
RESTAURANTS = {"410102": "zhongyuan-restaurants.csv", "410103": "erqi-restaurants.csv"}


def has_people(district: str) -> bool:
    return Person.objects.filter(unit_code__under=district).exists()


@transaction.atomic
def load_demo_people(district: str) -> int:
    rng = random.Random(11)
    grids = list(
        OrgUnit.objects.filter(code__under=DEMO_COMMUNITY, kind=Kind.GRID).order_by("code")
    )
    writer = Writer(district[:6])
    made = 0
    for number, grid in enumerate(grids):
        estates = ["保利百合", "纺机家园"] if number == 0 else rng.sample(ESTATES[2:], 2)
        # Buildings on the grid's micro-grids, so each micro-grid leader sees their residents.
        micro_grids = list(
            OrgUnit.objects.filter(parent=grid, kind=Kind.MICRO_GRID, active=True).order_by("code")
        )
        made += writer.fill(grid, HOUSEHOLDS_PER_GRID, estates, micro_grids)
    User = get_user_model()
    worker = User.objects.get(username="gridworker")
    if grids:
        made += _story(worker, grids[0])
        _visits_and_situations(worker, grids[0])
    _places(district, worker)
    _facilities(grids, rng)
    # Rows written in bulk above (organisations, the story's household emptied): the district's
    # ledger rollup counted afresh.
    ledger_rollups.rebuild(district)
    return made


def _story(worker, grid) -> int:
    """张秀英, 86, in 保利百合 3号楼 2单元 501 with her son 李建国 (the issue's example)."""
    building = Building.objects.filter(
        unit_code__under=grid.code, estate="保利百合", name="3号楼"
    ).first()
    if building is None:
        building = services.save_building(
            actor=worker, unit=grid, estate="保利百合", name="3号楼", entrances=3, floors=6
        )
    house = House.objects.filter(building=building, entrance=2, room="501").first()
    if house is None:
        house = services.save_house(
            actor=worker, building=building, entrance=2, room="501", floor=5, use="own"
        )
    household = house.households.first() or services.save_household(actor=worker, house=house)
    Person.objects.filter(household=household).delete()
    mother_born, son_born = dt.date(1940, 5, 8), dt.date(1966, 9, 17)
    services.save_person(
        actor=worker,
        data=PersonData(
            name="张秀英",
            id_number=fake_id("410102", mother_born, 228),
            phone="13703710086",
            relation="head",
            tags=("elderly_80", "disabled"),
            note="腿脚不便，儿子每周来两次",
        ),
        household=household,
    )
    services.save_person(
        actor=worker,
        data=PersonData(
            name="李建国",
            id_number=fake_id("410102", son_born, 117),
            phone="13937112345",
            relation="child",
            occupation="工程师",
            employer="郑州纺织机械有限公司",
        ),
        household=household,
    )
    services.record_visit(
        actor=worker,
        household=household,
        findings="老人独自在家，身体尚可；暖气不热已上报",
        follow_up="联系物业检修暖气",
        visited_on=dt.date.today() - dt.timedelta(days=3),
    )
    return 2


def _visits_and_situations(worker, grid) -> None:
    for household in Household.objects.filter(unit_code__under=grid.code).order_by("pk")[:6]:
        services.record_visit(
            actor=worker,
            household=household,
            findings="入户走访，家庭情况无变化",
            visited_on=dt.date.today() - dt.timedelta(days=10),
        )
    for kind, topic, people in [
        ("opinion", "居民反映小区南门夜间照明不足", 20),
        ("condition", "3号楼电动车楼道充电现象较多", 8),
        ("risk", "两户邻里因漏水产生矛盾", 2),
    ]:
        services.record_situation(
            actor=worker,
            unit=grid,
            kind=kind,
            topic=topic,
            people_concerned=people,
            place="保利百合",
        )


def _places(district: str, worker) -> None:
    """The district's real restaurants as places, each run by a shop (organisation) with a
    synthetic contact; the demo grid's property company through the service."""
    filename = RESTAURANTS.get(district)
    if filename is None:
        return
    with open(DATA_DIR / filename, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    points = [gcj02_to_wgs84(float(r["经度(lon)"]), float(r["纬度(lat)"])) for r in rows]
    faker = Faker("zh_CN")
    faker.seed_instance(5)
    places, shops = [], []
    for row, (lon, lat), unit in zip(rows, points, units_at(points), strict=True):
        if unit is None or unit.kind not in DATA_UNIT_KINDS:
            continue
        common = {
            "unit": unit,
            "unit_code": unit.code,
            "name": row["POI名称"][:120],
            "address": row["详细地址"][:200],
            "lon": lon,
            "lat": lat,
            "business": row["餐饮类型名称"],
        }
        shops.append(
            Organisation(
                kind=OrganisationKind.SHOP,
                contact_name=faker.name(),
                **CONTACT_PHONE.values(faker.phone_number()),
                staff_size=faker.random_int(3, 30),
                **common,
            )
        )
        places.append(Place(kind=PlaceKind.RESTAURANT, hours=row["营业时段"][:60], **common))
    Organisation.objects.bulk_create(shops, batch_size=1000)
    for place, shop in zip(places, shops, strict=True):
        place.organisation = shop
    Place.objects.bulk_create(places, batch_size=1000)
    grid = OrgUnit.objects.filter(code__under=DEMO_COMMUNITY, kind=Kind.GRID).order_by("code")
    first_grid = grid.first()
    if first_grid is not None:
        services.save_organisation(
            actor=worker,
            unit=first_grid,
            name="郑州保利物业服务有限公司纺机项目部",
            kind=OrganisationKind.PROPERTY,
            contact_name="王经理",
            contact_phone="0371-66668888",
            staff_size=26,
            party_organisation="保利物业纺机项目党支部",
        )


def _facilities(grids, rng: random.Random) -> None:
    kinds = [
        FacilityKind.HYDRANT,
        FacilityKind.MANHOLE,
        FacilityKind.STREET_LAMP,
        FacilityKind.CAMERA,
        FacilityKind.CHARGER,
        FacilityKind.AED,
    ]
    rows = []
    for grid in grids:
        if not grid.polygon:
            continue
        area = shape(grid.polygon)
        min_x, min_y, max_x, max_y = area.bounds
        made = 0
        while made < 24:
            point = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
            if not area.contains(point):
                continue
            made += 1
            kind = kinds[made % len(kinds)]
            rows.append(
                Facility(
                    unit=grid,
                    unit_code=grid.code,
                    kind=kind,
                    code=f"{grid.code[-3:]}-{kind[:2].upper()}{made:03d}",
                    state=rng.choices(["good", "damaged", "missing"], [0.85, 0.12, 0.03])[0],
                    lon=round(point.x, 6),
                    lat=round(point.y, 6),
                    checked_at=dt.date.today() - dt.timedelta(days=rng.randint(0, 90)),
                )
            )
    Facility.objects.bulk_create(rows)


def demo_part(district: str, *, progress: bool) -> str:
    """The demo's residents and their places, unless the district has them (core.demo;
    registered in apps.py)."""
    if has_people(district):
        return ""
    return f"{load_demo_people(district)} demo residents added."
