import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicgrid.events import deadlines, rollups, selectors, services
from civicgrid.events.models import EventMonthRollup, EventRollup
from civicgrid.events.tests.conftest import B1_1, jpeg

pytestmark = pytest.mark.django_db


def _close_and_rate(event, staff, dispatcher, worker, satisfaction="satisfied"):
    event = services.accept_event(actor=dispatcher, event=event)
    event = services.dispatch_event(actor=dispatcher, event=event, handler_user=worker)
    event = services.sign_event(actor=worker, event=event)
    event = services.resolve_event(actor=worker, event=event, note="ok", photos=[jpeg()])
    event = services.verify_event(actor=worker, event=event, passed=True)
    event = services.close_event(actor=dispatcher, event=event)
    return services.rate_event(
        actor=dispatcher,
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
