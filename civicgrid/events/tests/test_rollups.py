import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicgrid.core.rollups import RollupDelta, add_to_rollups
from civicgrid.events import deadlines, rollups, selectors, services
from civicgrid.events.models import EventDayRollup, EventMonthRollup, EventRollup
from civicgrid.events.tests.conftest import B1_1, jpeg

pytestmark = pytest.mark.django_db


def _close_and_rate(event, staff, dispatcher, worker, satisfaction="satisfied"):
    event = services.accept_event(actor=dispatcher, event=event)
    event = services.dispatch_event(actor=dispatcher, event=event, handler_user=worker)
    event = services.sign_event(actor=worker, event=event)
    event = services.resolve_event(actor=worker, event=event, note="ok", photos=[jpeg()])
    event = services.verify_event(actor=dispatcher, event=event, passed=True)
    event = services.close_event(actor=dispatcher, event=event)
    return services.rate_event(
        actor=dispatcher,
        channel="follow_up_call",
        event=event,
        solved=satisfaction != "dissatisfied",
        satisfaction=satisfaction,
    )


def test_rebuild_equals_the_incremental_rows(report, staff, tree):
    _close_and_rate(report(), staff, staff["frank"], staff["alice"])
    _close_and_rate(report(), staff, staff["frank"], staff["alice"], "dissatisfied")
    services.transfer_event(
        actor=staff["carol"], event=report(), unit=tree.grid_b1_1, reason="错位"
    )
    services.reject_event(actor=staff["grace"], event=report(point=B1_1), reason="无效")
    deadlines.escalate_overdue(now=dt.datetime(2027, 6, 1, tzinfo=dt.UTC))
    incremental = {model: rollups.stored(model, keys) for model, keys, _above in rollups.GRAINS}
    assert rollups.check_all() == []
    EventRollup.objects.all().delete()
    EventMonthRollup.objects.all().delete()
    call_command("rebuild_event_rollups", verbosity=0)
    assert {
        model: rollups.stored(model, keys) for model, keys, _above in rollups.GRAINS
    } == incremental
    assert all(incremental.values())


def test_figures_sum_the_subtree_and_follow_the_formulas(report, staff, tree):
    _close_and_rate(report(), staff, staff["frank"], staff["alice"])
    _close_and_rate(report(), staff, staff["frank"], staff["alice"], "dissatisfied")
    services.reject_event(actor=staff["grace"], event=report(point=B1_1), reason="无效")
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=40), today + dt.timedelta(days=40)
    district = selectors.figures_for(tree.district, start, end)
    assert district.counts["reported"] == 3
    assert district.counts["status_rejected"] == 1
    rates = {rate.key: rate for rate in district.rates}
    assert (rates["satisfaction"].numerator, rates["satisfaction"].denominator) == (1, 2)
    assert (rates["solution"].numerator, rates["solution"].denominator) == (1, 2)
    assert (rates["response"].numerator, rates["response"].denominator) == (2, 2)
    community_b1 = selectors.figures_for(tree.community_b1, start, end)
    assert community_b1.counts["reported"] == 1 and community_b1.counts["dispatched"] == 0
    # A period made of whole months plus ragged edges sums the same as day rows alone.
    wide = selectors.counters_for(
        tree.district.pk, today.replace(day=1) - dt.timedelta(days=45), end
    )
    narrow = selectors.counters_for(tree.district.pk, start, end)
    assert wide == narrow


def test_moving_a_unit_carries_its_rollups(report, staff, tree):
    from civicgrid.org import services as org_services
    from civicgrid.org.kinds import Kind

    unmapped = org_services.create_unit(
        actor=None, parent=tree.community_a1, kind=Kind.GRID, name="未绘制网格"
    )
    report(actor=staff["frank"], unit=unmapped)
    today = timezone.localdate()
    assert selectors.figures_for(tree.community_a1, today, today).counts["reported"] == 1
    org_services.move_unit(actor=None, unit=unmapped, new_parent=tree.community_b1)
    assert selectors.figures_for(tree.community_b1, today, today).counts["reported"] == 1
    assert selectors.figures_for(tree.community_a1, today, today).counts["reported"] == 0
    assert selectors.figures_for(tree.district, today, today).counts["reported"] == 1
    assert rollups.check_all() == []


DAY = dt.date(2026, 11, 16)


def _day_rows() -> dict[str, dict[str, object]]:
    return {
        row["unit_code"]: {name: value for name, value in row.items() if name != "unit_code"}
        for row in EventDayRollup.objects.values(
            "unit_code", "reported", "status_reported", "status_accepted"
        )
    }


def _writes(queries) -> list[str]:
    return [query["sql"] for query in queries if "rollup" in query["sql"].lower()]


def test_a_change_writes_one_statement_per_rollup_table(tree):
    units = (tree.district, tree.street_a, tree.community_a1)
    deltas = [
        RollupDelta(EventDayRollup, {"unit_id": unit.pk, "day": DAY}, unit.code, {"reported": 1})
        for unit in units
    ]
    deltas.append(
        RollupDelta(
            EventMonthRollup,
            {"unit_id": tree.district.pk, "month": DAY.replace(day=1)},
            tree.district.code,
            {"reported": 3, "closed": 0},
        )
    )
    # The same row twice in one change: summed into one row of the statement.
    deltas.append(
        RollupDelta(
            EventDayRollup,
            {"unit_id": tree.district.pk, "day": DAY},
            tree.district.code,
            {"reported": 1, "status_reported": 2},
        )
    )
    with CaptureQueriesContext(connection) as queries:
        add_to_rollups(deltas)
    assert len(_writes(queries)) == 2
    assert _day_rows() == {
        tree.district.code: {"reported": 2, "status_reported": 2, "status_accepted": 0},
        tree.street_a.code: {"reported": 1, "status_reported": 0, "status_accepted": 0},
        tree.community_a1.code: {"reported": 1, "status_reported": 0, "status_accepted": 0},
    }
    assert EventMonthRollup.objects.get().reported == 3
    with CaptureQueriesContext(connection) as queries:
        add_to_rollups([deltas[0]._replace(deltas={"reported": 0})])
    assert _writes(queries) == []


def test_subtractions_and_new_rows_go_in_one_statement(tree):
    def delta(unit, **counts):
        return RollupDelta(EventDayRollup, {"unit_id": unit.pk, "day": DAY}, unit.code, counts)

    add_to_rollups([delta(tree.district, reported=2, status_reported=2)])
    with CaptureQueriesContext(connection) as queries:
        # A step: the district's row loses a "reported" status (its CHECK ≥ 0 would refuse
        # the −1 as an inserted value), the street's row is new.
        add_to_rollups(
            [
                delta(tree.district, status_reported=-1, status_accepted=1),
                delta(tree.street_a, reported=1, status_reported=1),
            ]
        )
    assert len(_writes(queries)) == 1
    assert _day_rows() == {
        tree.district.code: {"reported": 2, "status_reported": 1, "status_accepted": 1},
        tree.street_a.code: {"reported": 1, "status_reported": 1, "status_accepted": 0},
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        add_to_rollups([delta(tree.district, status_reported=-2)])


def test_a_change_past_the_parameter_limit_lands_whole(tree):
    days = [DAY - dt.timedelta(days=n) for n in range(400)]

    def deltas(**counts):
        return [
            RollupDelta(
                EventDayRollup,
                {"unit_id": tree.district.pk, "day": day},
                tree.district.code,
                counts,
            )
            for day in days
        ]

    add_to_rollups(deltas(reported=2, status_reported=2))
    add_to_rollups(deltas(status_reported=-1, status_accepted=1))
    totals = rollups.sums(EventDayRollup.objects.all())
    assert (totals["reported"], totals["status_reported"], totals["status_accepted"]) == (
        800,
        400,
        400,
    )
    assert EventDayRollup.objects.count() == 400


def test_rows_of_one_table_share_their_key(tree):
    with pytest.raises(ValueError):
        add_to_rollups(
            [
                RollupDelta(EventDayRollup, {"unit_id": tree.district.pk, "day": DAY}, "", {}),
                RollupDelta(EventDayRollup, {"day": DAY, "unit_id": tree.district.pk}, "", {}),
            ]
        )


def _statements(queries) -> list[str]:
    """The statements that do work: not the transaction's BEGIN, SAVEPOINT, COMMIT…"""
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")
    return [query["sql"] for query in queries if not query["sql"].startswith(control)]


def test_a_report_and_a_step_write_each_rollup_table_once(report, staff):
    report()  # the first report in a process builds the point → unit index
    with CaptureQueriesContext(connection) as queries:
        event = report()
    # Reads: the tree's revision and the unit at the point, the unit's chain, its dispatchers.
    # The day's number (one upsert). Writes: the event, its log row, the notification, three
    # rollup tables and the reporter's per-worker row.
    assert len(_writes(queries.captured_queries)) == 4
    assert len(_statements(queries.captured_queries)) == 12
    with CaptureQueriesContext(connection) as queries:
        services.accept_event(actor=staff["frank"], event=event)
    assert len(_writes(queries.captured_queries)) == 3
    assert rollups.check_all() == []
