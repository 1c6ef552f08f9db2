"""Query counts of the basic-data lists, pinned: the same with one row as with many, so an N+1
(a query per person, household, building, unit below…) breaks a pin."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.org import services as org_services
from civicgrid.org.kinds import Kind
from civicgrid.people import ledgers, services
from civicgrid.people.services import PersonData

SURNAMES = "张王李赵刘陈杨黄周吴"


@pytest.fixture
def grow(estate, tree, community_staff):
    """Adds to community A1, in grids A1-1 and A1-2 in turn: a building with a house and a
    household whose head is called 张…, a member and a visit (with a follow-up) in the estate's
    household, a house in the estate's building, a person who moved out, an organisation, a
    place, a facility, a situation, an import job; and a grid below the community."""
    connie = community_staff
    made = []

    def add(count: int) -> None:
        for _ in range(count):
            i = len(made)
            grid = tree.grid_a1_1 if i % 2 == 0 else tree.grid_a1_2
            building = services.save_building(
                actor=connie,
                unit=grid,
                estate="锦绣城",
                name=f"{i + 10}号楼",
                entrances=1,
                floors=6,
            )
            house = services.save_house(
                actor=connie, building=building, entrance=1, room="101", floor=1
            )
            household = services.save_household(actor=connie, house=house, number=f"J{i:03d}")
            services.save_person(
                actor=connie,
                data=PersonData(name=f"张{SURNAMES[i]}", relation="head", tags=("elderly_alone",)),
                household=household,
            )
            services.save_house(
                actor=connie, building=estate.building, entrance=1, room=f"1{i:02d}", floor=1
            )
            services.save_person(
                actor=connie,
                data=PersonData(name=f"李{SURNAMES[i]}", relation="child", tags=("disabled",)),
                household=estate.household,
            )
            services.record_visit(
                actor=connie,
                household=estate.household,
                findings=f"第{i}次走访",
                follow_up="送米面油",
            )
            leaving = services.save_person(
                actor=connie,
                data=PersonData(name=f"赵{SURNAMES[i]}", relation="child"),
                household=household,
            )
            services.record_departure(actor=connie, person=leaving, status="moved_out")
            services.save_organisation(actor=connie, unit=grid, name=f"便民超市{i}", kind="shop")
            services.save_place(actor=connie, unit=grid, name=f"棋牌室{i}", kind="public")
            services.save_facility(
                actor=connie, unit=grid, kind="hydrant", lon=113.52, lat=34.72, code=f"XF{i:03d}"
            )
            services.record_situation(actor=connie, unit=grid, kind="opinion", topic=f"民意{i}")
            ledgers.start_import(
                actor=connie,
                unit=grid,
                kind="houses",
                upload=SimpleUploadedFile("houses.xlsx", ledgers.template("houses")),
            )
            org_services.create_unit(
                actor=None, parent=tree.community_a1, kind=Kind.GRID, name=f"甲一第{i + 3}网格"
            )
            made.append(household)

    return add


def test_the_lists_of_a_community_cost_the_same_for_one_row_as_for_six(
    client, tree, estate, community_staff, grow, pinned
):
    client.force_login(community_staff)
    a1, grid = tree.community_a1.code, tree.grid_a1_1.code
    pages = {
        "/people/?q=张": 9,
        f"/people/units/{a1}/": 17,
        f"/people/units/{grid}/": 18,
        f"/people/units/{a1}/organisations/": 9,
        f"/people/units/{a1}/facilities/": 10,
        f"/people/units/{a1}/facilities.geojson": 5,
        f"/people/units/{a1}/situations/": 8,
        f"/people/units/{a1}/import/": 7,
        f"/people/buildings/{estate.building.pk}/": 10,
        f"/people/households/{estate.household.pk}/": 9,
        f"/api/v1/people/units/{a1}/persons": 7,
        "/api/v1/people/search?q=张": 7,
        f"/api/v1/people/households/{estate.household.pk}": 7,
    }
    grow(1)
    pinned(pages)
    grow(5)
    bodies = pinned(pages)
    assert "张陈" in bodies["/people/?q=张"]  # the sixth household's head
    assert "甲一第8网格" in bodies[f"/people/units/{a1}/"]
    assert "赵陈" in bodies[f"/people/units/{a1}/"]  # moved out, listed for erasure
    assert bodies[f"/people/units/{grid}/"].count("号楼") >= 3
    assert "便民超市5" in bodies[f"/people/units/{a1}/organisations/"]
    assert "XF005" in bodies[f"/people/units/{a1}/facilities/"]
    assert "民意5" in bodies[f"/people/units/{a1}/situations/"]
    assert "李陈" in bodies[f"/people/households/{estate.household.pk}/"]
    assert "第5次走访" in bodies[f"/people/households/{estate.household.pk}/"]
    assert "105" in bodies[f"/people/buildings/{estate.building.pk}/"]
    persons = json.loads(bodies[f"/api/v1/people/units/{a1}/persons"])
    assert {"张陈", "李陈"} <= {person["name"] for person in persons}
    found = json.loads(bodies["/api/v1/people/search?q=张"])
    assert "张陈" in {person["name"] for person in found}
