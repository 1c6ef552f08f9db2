"""Query counts of the event lists, pinned: the same with one row as with many, so an N+1 (a
query per event, per photo, per unit below) breaks a pin."""

import pytest

from civicgrid.accounts.tokens import issue_token, user_for_key
from civicgrid.events import patrols, services
from civicgrid.events.tests.conftest import A1_1, jpeg
from civicgrid.org import services as org_services
from civicgrid.org.kinds import Kind

A1_2 = (113.57, 34.72)


@pytest.fixture
def grow(staff, category, plain_category, tree):
    """Adds events to community A1, reported by alice (grid A1-1) and bob (grid A1-2) in turn,
    each with a photo; accepted by frank, then dispatched to alice (alice's) or whistled to
    the police (bob's); every fourth a dispute (not public). Each adds a quick note of alice's
    too. Returns every event made so far."""
    made = []

    def add(count: int) -> list:
        frank = staff["frank"]
        for _ in range(count):
            i = len(made)
            reporter, (lon, lat) = (staff["alice"], A1_1) if i % 2 == 0 else (staff["bob"], A1_2)
            event = services.report_event(
                actor=reporter,
                title=f"第{i}件",
                category=plain_category if i % 4 == 3 else category,
                lon=lon + 0.002 * i,
                lat=lat,
                photos=[jpeg()],
            )
            event = services.accept_event(actor=frank, event=event)
            if i % 2 == 0:
                event = services.dispatch_event(
                    actor=frank, event=event, handler_user=staff["alice"]
                )
            else:
                event = services.whistle_event(
                    actor=frank, event=event, kind="routine", departments=[tree.police_a]
                )
            patrols.add_quick_note(actor=staff["alice"], text=f"随手记{i}", lon=lon, lat=lat)
            made.append(event)
        return made

    return add


def test_the_board_map_dashboard_and_api_list_cost_the_same_for_one_event_as_for_six(
    client, staff, tree, grow, pinned
):
    client.force_login(staff["frank"])
    code = tree.community_a1.code
    pages = {
        f"/events/board/{code}/": 9,
        "/events/map.geojson": 4,
        f"/events/dashboard/{code}/": 17,
        "/api/v1/events": 4,
        "/api/v1/events/categories": 3,
    }
    grow(1)
    pinned(pages)
    events = grow(5)
    # More units below add rows to the dashboard's ranking, not queries.
    for n in range(3):
        org_services.create_unit(
            actor=None, parent=tree.community_a1, kind=Kind.GRID, name=f"甲一第{n + 3}网格"
        )
    bodies = pinned(pages)
    for event in events:
        assert event.number in bodies[f"/events/board/{code}/"]
        assert event.number in bodies["/api/v1/events"]
    assert "甲一第5网格" in bodies[f"/events/dashboard/{code}/"]


def test_a_workers_tasks_and_a_departments_inbox_cost_the_same_for_one_event_as_for_six(
    client, staff, grow, pinned
):
    grow(1)
    client.force_login(staff["alice"])
    tasks = {"/events/tasks/": 10}
    pinned(tasks)
    client.force_login(staff["erin"])
    inbox = {"/events/inbox/": 6}
    pinned(inbox)
    events = grow(5)
    client.force_login(staff["alice"])
    page = pinned(tasks)["/events/tasks/"]
    assert all(e.number in page for e in events if e.handler_user_id == staff["alice"].pk)
    assert "随手记5" in page
    client.force_login(staff["erin"])
    page = pinned(inbox)["/events/inbox/"]
    assert sum(e.number in page for e in events) == 3  # bob's, whistled


def test_an_events_page_costs_the_same_for_one_step_as_for_many(client, staff, grow, pinned):
    """The timeline of one event: its steps with their actors and photos. The event stays
    dispatched, so the same actions are offered."""
    event = grow(1)[0]
    client.force_login(staff["frank"])
    # 20: + the categories of the 改类 form, which a dispatcher is offered on an open event.
    page = {f"/events/{event.number}/": 20}
    pinned(page)
    for worker in ("bob", "alice", "bob", "alice"):
        event = services.dispatch_event(
            actor=staff["frank"], event=event, handler_user=staff[worker]
        )
    assert event.steps.count() == 7
    pinned(page)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_lists_cost_the_same_for_one_request_as_for_six(client, staff, grow, fmt, pinned):
    key = issue_token(user=staff["frank"], name="311")[1]
    user_for_key(key)  # a key's first use is written down (then at most every 5 minutes)
    pages = {
        f"/open311/v2/services.{fmt}": 1,
        # + each request's last step time (updated_datetime); keyed also + which the key's user
        # may see (only those carry media) + reported media_url
        f"/open311/v2/requests.{fmt}": 3,
        f"/open311/v2/requests.{fmt}?api_key={key}": 8,
        f"/open311/v2/servicerequestupdates.{fmt}": 1,
        f"/open311/v2/servicerequestupdates.{fmt}?api_key={key}": 3,
    }
    grow(1)
    pinned(pages)
    events = grow(5)
    bodies = pinned(pages)
    keyed = bodies[f"/open311/v2/requests.{fmt}?api_key={key}"]
    assert all(event.number in keyed for event in events)
    # Each public event's photo comes as a signed link; disputes are not listed without a key.
    assert keyed.count("/events/photo/") == 5
    anonymous = bodies[f"/open311/v2/requests.{fmt}"]
    assert sum(event.number in anonymous for event in events) == 5


def test_a_key_carries_media_only_for_events_its_user_may_see(client, staff, grow):
    """The public list has no media: a key of a user who may see none of the events (a login
    with no posting) lists them as anyone does, without their photos."""
    events = grow(4)
    outsider = issue_token(user=staff["mallory"], name="311")[1]
    insider = issue_token(user=staff["frank"], name="311")[1]
    body = client.get(f"/open311/v2/requests.json?api_key={outsider}").json()
    listed = {row["service_request_id"] for row in body}
    assert {event.number for event in events if event.category.public} <= listed
    assert all(row["media_url"] is None for row in body)
    body = client.get(f"/open311/v2/requests.json?api_key={insider}").json()
    assert sum(1 for row in body if row["media_url"]) == 3
