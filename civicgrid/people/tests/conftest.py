"""A small estate on the shared tree: 保利百合 3号楼 (2 building units) in grid A1-1, with the
household of an 86-year-old woman and her son, and one household in grid A1-2."""

import datetime as dt
from dataclasses import dataclass

import pytest

from civicgrid.org.roles import Role
from civicgrid.people import services
from civicgrid.people.services import PersonData


def with_check_digit(body: str) -> str:
    """17 digits and their GB 11643 check digit."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def id_number(born: dt.date, serial: int, region: str = "410102") -> str:
    """A valid ID number for tests: region, birth date, serial (odd: male), check digit."""
    return with_check_digit(f"{region}{born:%Y%m%d}{serial:03d}")


@dataclass
class Estate:
    building: object
    house: object
    household: object
    mother: object
    son: object
    other_household: object


@pytest.fixture
def estate(tree, people) -> Estate:
    alice, bob = people["alice"], people["bob"]
    building = services.save_building(
        actor=alice, unit=tree.grid_a1_1, estate="保利百合", name="3号楼", entrances=2, floors=6
    )
    house = services.save_house(actor=alice, building=building, entrance=2, room="501", floor=5)
    household = services.save_household(actor=alice, house=house, number="H001")
    mother = services.save_person(
        actor=alice,
        data=PersonData(
            name="张秀英",
            id_number=id_number(dt.date(1940, 3, 1), 2),
            phone="13812345678",
            relation="head",
            tags=("elderly_alone", "disabled"),
        ),
        household=household,
    )
    son = services.save_person(
        actor=alice,
        data=PersonData(
            name="李建国",
            id_number=id_number(dt.date(1968, 5, 12), 1),
            phone="13900001111",
            relation="child",
        ),
        household=household,
    )
    other_building = services.save_building(
        actor=bob, unit=tree.grid_a1_2, estate="锦绣城", name="1号楼", entrances=1
    )
    other_house = services.save_house(actor=bob, building=other_building, entrance=1, room="101")
    other_household = services.save_household(actor=bob, house=other_house)
    services.save_person(
        actor=bob,
        data=PersonData(
            name="单雄信", id_number=id_number(dt.date(1990, 1, 1), 1), relation="head"
        ),
        household=other_household,
    )
    return Estate(building, house, household, mother, son, other_household)


@pytest.fixture
def community_staff(tree, make_user):
    return make_user("connie", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)


@pytest.fixture
def volunteer(tree, make_user):
    return make_user("vic", unit=tree.micro_a1_1_1, role=Role.MICRO_GRID_LEADER)


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English, the source strings (the browser test sees zh-hans)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
