"""Departments' 吹哨报到 figures counted from their whistles, and the board filtered by source
and source system, with pinned query counts."""

import datetime as dt

from django.utils import timezone

from civicgrid.events import selectors, services
from civicgrid.events.models import WhistleTarget
from civicgrid.events.tests.conftest import A1_1


def _whistled(report, staff, tree, title):
    event = services.accept_event(actor=staff["frank"], event=report(title=title))
    return services.whistle_event(
        actor=staff["frank"], event=event, kind="routine", departments=[tree.police_a]
    )


def test_two_whistles_to_a_department_read_two_received_where_it_and_the_street_look(
    client, report, staff, tree
):
    # The demo's case: two events whistled to the police station read 0/0 in the unit figures,
    # since a department is no event's unit.
    first = _whistled(report, staff, tree, "第一件")
    _whistled(report, staff, tree, "第二件")
    services.report_in(actor=staff["erin"], event=first, note="已到场")
    # One reported in after its deadline (the row's time set past it).
    late = WhistleTarget.objects.exclude(whistle__event=first).get()
    late.reported_in_at = late.whistle.report_in_due + dt.timedelta(hours=1)
    late.save()
    today = timezone.localdate()
    (row,) = selectors.department_figures([tree.police_a], today, today)
    assert (row.received, row.reported_in, row.reported_in_on_time, row.resolved) == (2, 2, 1, 0)
    assert row.on_time_percent == 50.0
    # Another period: nothing.
    (before,) = selectors.department_figures(
        [tree.police_a], today - dt.timedelta(days=30), today - dt.timedelta(days=1)
    )
    assert before.received == 0
    # The department's own home page and its dashboard.
    client.force_login(staff["erin"])
    home = client.get("/").content.decode()
    assert 'data-count="received">2<' in home
    assert 'data-count="reported_in_on_time">1<' in home
    page = client.get(f"/events/dashboard/{tree.police_a.code}/").content.decode()
    assert 'id="department-figures"' in page and 'data-count="received">2<' in page
    # The street's staff: one row per department below it.
    client.force_login(staff["carol"])
    page = client.get(f"/events/dashboard/{tree.street_a.code}/").content.decode()
    assert f'data-department="{tree.police_a.code}"' in page
    assert 'data-count="received">2<' in page


def test_department_figures_cost_one_query_for_any_number_of_departments(
    report, staff, tree, fire, django_assert_num_queries
):
    _whistled(report, staff, tree, "第一件")
    today = timezone.localdate()
    with django_assert_num_queries(1):
        rows = selectors.department_figures([tree.police_a, fire], today, today)
    assert [r.received for r in rows] == [1, 0]


def test_the_board_filters_by_source_and_system_in_the_same_queries(
    client, push, report, staff, tree, pinned
):
    from civicgrid.interop.models import WorkOrder

    push()
    report(title="巡查发现")
    client.force_login(staff["frank"])
    code = tree.community_a1.code
    pages = {
        f"/events/board/{code}/?source=hotline": 9,
        f"/events/board/{code}/?system=12345": 9,
        f"/events/board/{code}/": 9,
    }
    bodies = pinned(pages)
    assert "GD2026120300017" in bodies[f"/events/board/{code}/?source=hotline"]
    assert "巡查发现" not in bodies[f"/events/board/{code}/?source=hotline"]
    assert "巡查发现" not in bodies[f"/events/board/{code}/?system=12345"]
    assert "巡查发现" in bodies[f"/events/board/{code}/"]
    for n in range(4):
        push(order_number=f"GD-{n}", lat=A1_1[1], long=A1_1[0] + 0.001 * n)
    bodies = pinned(pages)
    assert bodies[f"/events/board/{code}/?system=12345"].count("data-order=") == 5
    assert WorkOrder.objects.count() == 5
    assert "GD-3" in bodies[f"/events/board/{code}/?source=hotline"]
