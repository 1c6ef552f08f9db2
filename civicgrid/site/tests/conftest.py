"""One login per role on the shared tree (civicgrid/conftest.py), like the demo's logins:
each role posted where the demo posts it, a volunteer with no posting, a party member with a
login and no posting, and a superuser."""

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.classes.tests.conftest import classroom, session  # noqa: F401
from civicgrid.community import services as community
from civicgrid.events import services as events
from civicgrid.events.models import Category, Event
from civicgrid.events.tests.conftest import category  # noqa: F401
from civicgrid.org.roles import Role
from civicgrid.people import services as people
from civicgrid.volunteers import services as volunteers


@pytest.fixture
def personas(tree, make_user):
    from civicgrid.party import services as party
    from civicgrid.volunteers import services as volunteers

    made = {
        "district": make_user("district", unit=tree.district, role=Role.DISTRICT_STAFF),
        "street": make_user("street", unit=tree.street_a, role=Role.STREET_STAFF),
        "community": make_user("community", unit=tree.community_a1, role=Role.COMMUNITY_STAFF),
        "gridleader": make_user("gridleader", unit=tree.community_a1, role=Role.GRID_LEADER),
        "gridworker": make_user("gridworker", unit=tree.grid_a1_1, role=Role.GRID_WORKER),
        "microleader": make_user(
            "microleader", unit=tree.micro_a1_1_1, role=Role.MICRO_GRID_LEADER
        ),
        "department": make_user("department", unit=tree.police_a, role=Role.DEPARTMENT_HANDLER),
        "leader": make_user("leader", unit=tree.district, role=Role.LEADER_READONLY),
        "admin": make_user("admin", is_superuser=True, is_staff=True),
    }
    staff = made["community"]
    volunteer = volunteers.register_volunteer(
        actor=staff,
        unit=tree.community_a1,
        data=volunteers.VolunteerData(name="李师傅", phone="13500001111"),
    )
    volunteer.user = make_user("volunteer")
    volunteer.save()
    made["volunteer"] = volunteer.user
    branch = party.save_branch(actor=staff, unit=tree.community_a1, name="第一支部", kind="branch")
    member = party.save_member(
        actor=staff, data=party.MemberData(name="王党员", branch=branch, phone="13600003333")
    )
    member.user = make_user("partymember")
    member.save()
    made["partymember"] = member.user
    from civicgrid.alliances import services as alliances

    committee = alliances.save_committee(
        staff, unit=tree.community_a1, name="甲一社区大党委", kind="party_committee"
    )
    school = alliances.add_member_unit(staff, committee=committee, name="纺机小学", kind="school")
    school.user = made["memberunit"] = make_user("memberunit")
    school.save()
    partner = community.save_partner(
        actor=staff,
        unit=tree.community_a1,
        data=community.PartnerData(name="邻里家政", joined_on=dt.date(2025, 3, 1), space=True),
    )
    partner.user = made["partner"] = make_user("partner")
    partner.save()
    from civicgrid.mediation import services as mediation

    made["mediator"] = make_user("mediator")
    mediation.save_mediator(
        actor=staff, unit=tree.community_a1, name="米调解", kind="peoples", user=made["mediator"]
    )
    made["nobody"] = make_user("nobody")
    return made


# Inside grid A1-1, outside its micro-grid (events/tests/conftest.py).
A1_1 = (113.53, 34.73)


@pytest.fixture
def grow(personas, tree):
    """Adds, per call and per row: a task dispatched to the grid worker (every other one
    overdue), an event still to accept, one whistled to the police, a household visit with a
    follow-up, a community need, a volunteer order (taken by the volunteer every other time)
    and a community task claimed by the party member."""
    made: dict[str, list] = {"tasks": [], "reported": [], "whistled": [], "needs": []}
    plain = Category.objects.get(code="2201")  # 邻里纠纷: no after-photo, no department
    staff, worker = personas["community"], personas["gridworker"]
    item = volunteers.save_item(
        actor=staff, unit=tree.community_a1, name="家电维修", category="repair"
    )

    def report(i: int, title: str) -> Event:
        lon, lat = A1_1
        return events.report_event(
            actor=worker, title=title, category=plain, lon=lon + 0.001 * i, lat=lat
        )

    def add(count: int) -> dict[str, list]:
        for _ in range(count):
            i = len(made["tasks"])
            task = events.accept_event(actor=staff, event=report(i, f"任务{i}"))
            task = events.dispatch_event(actor=staff, event=task, handler_user=worker)
            if i % 2:
                Event.objects.filter(pk=task.pk).update(
                    closure_due=timezone.now() - dt.timedelta(days=1)
                )
            made["tasks"].append(task)
            made["reported"].append(report(i, f"待受理{i}"))
            whistled = events.accept_event(actor=staff, event=report(i, f"吹哨{i}"))
            made["whistled"].append(
                events.whistle_event(
                    actor=staff, event=whistled, kind="routine", departments=[tree.police_a]
                )
            )
            building = people.save_building(
                actor=worker, unit=tree.grid_a1_1, estate="保利百合", name=f"{i}号楼", entrances=1
            )
            house = people.save_house(actor=worker, building=building, entrance=1, room="101")
            household = people.save_household(actor=worker, house=house)
            people.record_visit(
                actor=worker, household=household, findings="独居", follow_up=f"回访{i}"
            )
            made["needs"].append(
                community.record_need(
                    actor=staff,
                    unit=tree.community_a1,
                    data=community.NeedData(
                        title=f"需求{i}", category="elderly", source="resident"
                    ),
                )
            )
            order = volunteers.place_order(
                actor=None,
                unit=tree.community_a1,
                item=item,
                name="张秀英",
                phone="13812345678",
                address=f"保利百合{i}号楼",
            )
            if i % 2 == 0:
                volunteers.take_order(actor=personas["volunteer"], order=order)
            claimed = community.create_task(
                actor=staff,
                unit=tree.community_a1,
                title=f"认领任务{i}",
                due_on=timezone.localdate() + dt.timedelta(days=7),
            )
            community.claim_task(
                actor=personas["partymember"],
                task=claimed,
                member=personas["partymember"].party_member,
            )
        return made

    return add
