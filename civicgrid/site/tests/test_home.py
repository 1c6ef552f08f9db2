"""Each role's home page is its work queue (issue 14), at the same number of queries for one
row as for many."""

import re

# The home of each role, in queries: session, user, postings, the role's queues, the bell.
# + the assessment (issue 18): a grid worker's newest line; a street's, a district's and a
# leader's latest plans with their counts.
QUERIES = {
    # + the worker's open knowledge-test papers (issue 18).
    "gridworker": 13,
    # + the mediation desk's open cases and how many, and whether the login also mediates
    # (a mediator sees their own cases besides the desk's) (issue 17).
    "community": 13,
    # + mediation this year (issue 17): the rollups' sums and the cases open now.
    "street": 14,
    "district": 14,
    "leader": 11,
    # Its 吹哨报到 figures this year (issue 16): one aggregate over its whistles.
    "department": 10,
    "volunteer": 8,
    "partymember": 9,
    # Who is a mediator is asked last (after volunteer, party member, member unit, partner);
    # then their open cases and how many.
    "mediator": 11,
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
    assert re.search(r'\?status=reported"><span class="n">6</span> <span class="l">待受理', board)
    assert re.search(r'\?overdue=1"><span class="n">3</span> <span class="l">超期', board)
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
    assert 'id="queue-my-cases"' in pages["mediator"]
    assert 'id="home-mediation"' in pages["street"] and 'id="home-mediation"' in leader
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
