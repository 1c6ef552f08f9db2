"""Fixtures of the cockpit's tests: rollup rows of every module (the overview, the screen, the
reports) and service points and events on the shared tree (civicgrid/conftest.py) for the maps."""

import datetime as dt
from dataclasses import dataclass

import pytest

# A month in the past, so that the counts of now (cases and needs open) stay out of it.
NOV = dt.date(2025, 11, 1)
OCT = dt.date(2025, 10, 1)
NOV_LAST_YEAR = dt.date(2024, 11, 1)


@pytest.fixture
def rolled(tree):
    """Rollup rows of every module in grid A1-1 (November and October 2025, November 2024)
    and in grid B1-1 (November 2025), as the services keep them."""
    from civicgrid.classes.models import ClassRollup
    from civicgrid.community.models import CommunityRollup
    from civicgrid.mediation.models import MediationRollup
    from civicgrid.party.models import PointsRollup
    from civicgrid.volunteers.models import VolunteerRollup

    def put(unit, month, classes, mediation, volunteers, community, points):
        ClassRollup.objects.create(unit=unit, month=month, **classes)
        MediationRollup.objects.create(unit=unit, month=month, **mediation)
        VolunteerRollup.objects.create(unit=unit, month=month, **volunteers)
        CommunityRollup.objects.create(unit=unit, month=month, **community)
        PointsRollup.objects.create(unit=unit, month=month, **points)

    put(
        tree.grid_a1_1,
        NOV,
        {"scheduled": 5, "held": 4, "attended": 60},
        {"received": 8, "mediated": 4, "agreed": 3},
        {"ordered": 10, "done": 7, "minutes": 630},
        {"needs": 6, "needs_met": 2, "projects_done": 1, "activities": 3, "people_served": 90},
        {"earned": 120, "redeemed": 40},
    )
    put(
        tree.grid_a1_1,
        OCT,
        {"scheduled": 2, "held": 2, "attended": 30},
        {"received": 4, "mediated": 2, "agreed": 2},
        {"ordered": 3, "done": 3, "minutes": 120},
        {"needs": 1, "needs_met": 1},
        {"earned": 20},
    )
    put(
        tree.grid_a1_1,
        NOV_LAST_YEAR,
        {"held": 1, "attended": 10},
        {"received": 1},
        {"ordered": 1},
        {"needs": 1},
        {"earned": 5},
    )
    put(
        tree.grid_b1_1,
        NOV,
        {"scheduled": 1, "held": 1, "attended": 7},
        {"received": 2, "mediated": 2, "agreed": 1},
        {"ordered": 2, "done": 2, "minutes": 60},
        {"needs_met": 5},
        {"earned": 3},
    )
    return tree


# Inside grid A1-1 (113.5–113.55, 34.7–34.75), in community A1 of street A.
IN_A1_1 = (113.53, 34.73)
# Inside grid B1-1, in street B.
IN_B1_1 = (113.62, 34.72)


@dataclass
class Points:
    warm: object
    centre: object
    closed: object
    other: object


def point_data(**fields):
    from civicgrid.cockpit.service_points import PointData

    values = {
        "kind": "warm_station",
        "name": "暖心驿站·老王面馆",
        "lon": IN_A1_1[0],
        "lat": IN_A1_1[1],
        "address": "建设西路1号",
        "hours": "24小时",
        "services": ["charging", "water", "rest"],
        "phone": "0371-67891234",
    }
    return PointData(**(values | fields))


@pytest.fixture
def grace(tree, make_user):
    """Street staff of street B: another street's keeper."""
    from civicgrid.org.roles import Role

    return make_user("grace", unit=tree.street_b, role=Role.STREET_STAFF)


@pytest.fixture
def points(tree, people, grace) -> Points:
    from civicgrid.cockpit.service_points import save_service_point

    carol = people["carol"]
    warm = save_service_point(actor=carol, unit=tree.grid_a1_1, data=point_data())
    centre = save_service_point(
        actor=carol,
        unit=tree.community_a1,
        data=point_data(
            kind="service_centre",
            name="甲一社区党群服务中心",
            lon=113.56,
            services=["water", "toilet", "reading"],
            hours="8:30–17:30",
        ),
    )
    closed = save_service_point(
        actor=carol,
        unit=tree.grid_a1_2,
        data=point_data(name="已关闭驿站", lon=113.57, active=False),
    )
    other = save_service_point(
        actor=grace,
        unit=tree.grid_b1_1,
        data=point_data(name="乙街驿站", lon=IN_B1_1[0], lat=IN_B1_1[1], services=["toilet"]),
    )
    return Points(warm, centre, closed, other)


@pytest.fixture
def reported(tree, people, make_user):
    """Three events in grid A1-1 and one in B1-1 (reported now)."""
    from civicgrid.events import services
    from civicgrid.events.models import Category

    category = Category.objects.get(code="2201")
    events = [
        services.report_event(
            actor=people["alice"],
            title=f"楼道堆物{i}",
            description="三楼楼道堆放杂物，住户张某",
            category=category,
            lon=IN_A1_1[0] + i * 0.001,
            lat=IN_A1_1[1],
        )
        for i in range(3)
    ]
    from civicgrid.org.roles import Role

    henry = make_user("henry", unit=tree.grid_b1_1, role=Role.GRID_WORKER)
    events.append(
        services.report_event(
            actor=henry, title="乙街堆物", category=category, lon=IN_B1_1[0], lat=IN_B1_1[1]
        )
    )
    return events


@pytest.fixture
def residents(tree, people):
    """Two residents in grid A1-1, one in A1-2 (through the people services, which keep the
    basic-data counts)."""
    import datetime as dt

    from civicgrid.people import services
    from civicgrid.people.services import PersonData
    from civicgrid.people.tests.conftest import id_number

    made = []
    for worker, unit, count in (
        (people["alice"], tree.grid_a1_1, 2),
        (people["bob"], tree.grid_a1_2, 1),
    ):
        building = services.save_building(actor=worker, unit=unit, estate="保利百合", name="1号楼")
        house = services.save_house(actor=worker, building=building, entrance=1, room="101")
        household = services.save_household(actor=worker, house=house)
        for number in range(count):
            made.append(
                services.save_person(
                    actor=worker,
                    data=PersonData(
                        name=f"居民{number}",
                        id_number=id_number(dt.date(1970 + number, 1, 1), 1 + 2 * len(made)),
                        relation="head" if number == 0 else "child",
                    ),
                    household=household,
                )
            )
    return made
