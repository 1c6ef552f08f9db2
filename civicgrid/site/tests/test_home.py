"""Each role's home page is its work queue (issue 14), at the same number of queries for one
row as for many."""

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.community import services as community
from civicgrid.events import services as events
from civicgrid.events.models import Category, Event
from civicgrid.people import services as people
from civicgrid.volunteers import services as volunteers

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


# The home of each role, in queries: session, user, postings, the role's queues, the bell.
QUERIES = {
    "gridworker": 11,
    "community": 10,
    "street": 11,
    "district": 11,
    "leader": 8,
    "department": 9,
    "volunteer": 8,
    "partymember": 9,
    "admin": 5,
}


def test_every_roles_home_shows_its_queue_at_a_pinned_cost(client, personas, grow, pinned):
    made = grow(1)
    for name, queries in QUERIES.items():
        client.force_login(personas[name])
        pinned({"/": queries})
    made = grow(5)
    pages = {}
    for name, queries in QUERIES.items():
        client.force_login(personas[name])
        pages[name] = pinned({"/": queries})["/"]

    grid = pages["gridworker"]
    assert 'data-home="grid"' in grid
    for label in ("我要上报", "随手记", "巡查", "走访", "提户知人"):
        assert label in grid, label
    assert sum(event.number in grid for event in made["tasks"]) >= 6
    assert "回访5" in grid

    board = pages["community"]
    assert 'data-home="community"' in board
    code = made["tasks"][0].unit.code[:12]
    for status in ("reported", "accepted", "resolved"):
        assert f'href="/events/board/{code}/?status={status}"' in board
    assert '?status=reported">待受理</a></dt><dd>6</dd>' in board
    assert f'href="/events/board/{code}/?overdue=1">超期</a></dt><dd>3</dd>' in board
    assert "需求5" in board

    for name in ("street", "district"):
        assert 'data-rate="response"' in pages[name]
        assert sum(e.number in pages[name] for e in made["tasks"]) == 3  # the overdue ones
    leader = pages["leader"]
    assert 'data-rate="response"' in leader and "任务1" not in leader
    assert "/events/report/" not in leader.split('<main id="main"')[1]

    department = pages["department"]
    assert sum(e.number in department for e in made["whistled"]) == 6
    assert "报到时限" in department or "report-in" in department

    assert "保利百合0号楼" in pages["volunteer"] and "保利百合1号楼" in pages["volunteer"]
    assert "认领任务5" in pages["partymember"]
    assert 'data-home="superuser"' in pages["admin"]


def test_the_board_lists_only_overdue_events_when_asked(client, personas, grow, tree):
    made = grow(4)
    client.force_login(personas["community"])
    page = client.get(f"/events/board/{tree.community_a1.code}/?overdue=1").content.decode()
    tasks = made["tasks"]
    assert [e.number in page for e in tasks] == [False, True, False, True]
    assert not any(e.number in page for e in made["reported"] + made["whistled"])
    everything = client.get(f"/events/board/{tree.community_a1.code}/").content.decode()
    assert all(e.number in everything for e in tasks)
