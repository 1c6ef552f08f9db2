"""Per-worker rollups (assessment figures): each counter goes to the right person, the kept rows
equal a recount after a series of real service calls, and `rebuild` writes the same rows."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import F

from civicgrid.events import deadlines, patrols, services, worker_rollups
from civicgrid.events.models import WORKER_COUNTERS, WorkerMonthRollup
from civicgrid.events.tests.conftest import A1_1, jpeg

pytestmark = pytest.mark.django_db


def kept(user) -> Counter:
    """A person's counters summed over every unit and month of their rows."""
    total: Counter = Counter()
    for row in WorkerMonthRollup.objects.filter(user=user).values(*WORKER_COUNTERS):
        total.update({name: value for name, value in row.items() if value})
    return total


def on_the_spot(report, actor, spot_check: bool):
    return report(
        actor=actor,
        on_the_spot=True,
        resolution="当场清理",
        photos=[jpeg()],
        after_photos=[jpeg("after.jpg")],
        spot_check=spot_check,
    )


@pytest.fixture
def worked(report, staff):
    """A month of work in community A1 through the services: alice reports (one cross-boundary,
    two on the spot, one of those drawn for a spot check), an event dispatched to alice moves to
    bob, who resolves it; frank (community staff) verifies twice; an overdue event moves from
    alice to bob; alice patrols with a track and writes a quick note."""
    alice, bob, frank = staff["alice"], staff["bob"], staff["frank"]
    # 1: reported by alice, flagged cross-boundary on acceptance, dispatched to alice, then
    # re-dispatched to bob (a step that moves the event between handlers), handled by bob.
    first = report(actor=alice)
    first = services.accept_event(actor=frank, event=first, cross_boundary="area")
    first = services.dispatch_event(actor=frank, event=first, handler_user=alice)
    first = services.dispatch_event(actor=frank, event=first, handler_user=bob)
    first = services.sign_event(actor=bob, event=first)
    first = services.resolve_event(actor=bob, event=first, note="已清理", photos=[jpeg()])
    first = services.verify_event(actor=frank, event=first, passed=True)
    first = services.close_event(actor=frank, event=first)
    # 2 and 3: handled on the spot by alice; the second drawn for a spot check that frank verifies.
    on_the_spot(report, alice, spot_check=False)
    drawn = on_the_spot(report, alice, spot_check=True)
    drawn = services.verify_event(actor=frank, event=drawn, passed=True)
    services.close_event(actor=frank, event=drawn)
    # 4: reported by bob, dispatched to alice, overdue, then moved on to bob.
    late = report(actor=bob, point=(113.56, 34.72))
    late = services.accept_event(actor=frank, event=late)
    late = services.dispatch_event(actor=frank, event=late, handler_user=alice)
    deadlines.escalate_overdue(now=late.closure_due + dt.timedelta(days=1))
    late.refresh_from_db()
    assert late.overdue
    overdue_before_move = (kept(alice)["overdue"], kept(bob)["overdue"])
    late = services.dispatch_event(actor=frank, event=late, handler_user=bob)
    # A patrol with a track of two legs, and a quick note.
    patrol = patrols.start_patrol(actor=alice, kind="day_check", lon=113.53, lat=34.73)
    patrols.add_patrol_point(actor=alice, patrol_id=patrol.pk, lon=113.54, lat=34.73)
    patrols.add_patrol_point(actor=alice, patrol_id=patrol.pk, lon=113.54, lat=34.74)
    patrols.end_patrol(actor=alice, patrol_id=patrol.pk)
    patrols.add_quick_note(actor=alice, text="井盖松动", lon=A1_1[0], lat=A1_1[1])
    return overdue_before_move


def test_each_counter_goes_to_the_right_person(worked, staff):
    alice, bob, frank = staff["alice"], staff["bob"], staff["frank"]
    assert worked == (1, 0)  # overdue with alice while she held it
    got = kept(alice)
    assert {name: got[name] for name in WORKER_COUNTERS if name not in {"patrol_seconds"}} == {
        "reported": 3,
        "on_the_spot": 2,
        "cross_boundary": 1,
        # Her two on-the-spot events: one closed at once, the drawn one after its check.
        "handled": 2,
        "closed": 2,
        "closed_on_time": 2,
        "overdue": 0,  # moved to bob with the event
        "verified": 0,
        "patrols": 1,
        # 0.01° of longitude at 34.73° N (≈ 914 m) plus 0.01° of latitude (≈ 1112 m).
        "patrol_metres": got["patrol_metres"],
        "quick_notes": 1,
    }
    assert 2000 < got["patrol_metres"] < 2050
    assert got["patrol_metres"] == round(
        worker_rollups.haversine_m(113.53, 34.73, 113.54, 34.73)
        + worker_rollups.haversine_m(113.54, 34.73, 113.54, 34.74)
    )
    assert +kept(bob) == Counter(reported=1, handled=1, closed=1, closed_on_time=1, overdue=1)
    assert +kept(frank) == Counter(verified=2)


def test_the_kept_rows_equal_a_recount_and_a_rebuild(worked, tree):
    assert worker_rollups.check_all() == []
    before = worker_rollups.stored()
    assert before
    WorkerMonthRollup.objects.all().delete()
    call_command("rebuild_worker_rollups", verbosity=0)
    assert worker_rollups.stored() == before
    # Every row sits at a grid of community A1, the unit the work counts at.
    codes = set(WorkerMonthRollup.objects.values_list("unit_code", flat=True))
    assert codes <= {tree.grid_a1_1.code, tree.grid_a1_2.code}


def test_a_failed_verification_and_a_reopen_take_the_handled_count_back(report, staff):
    alice, frank = staff["alice"], staff["frank"]
    event = report(actor=alice)
    event = services.accept_event(actor=frank, event=event)
    event = services.dispatch_event(actor=frank, event=event, handler_user=alice)
    event = services.sign_event(actor=alice, event=event)
    event = services.resolve_event(actor=alice, event=event, note="好了", photos=[jpeg()])
    assert kept(alice)["handled"] == 1
    event = services.verify_event(actor=frank, event=event, passed=False, note="还没清")
    assert kept(alice)["handled"] == 0
    event = services.resolve_event(actor=alice, event=event, note="清了", photos=[jpeg()])
    event = services.verify_event(actor=frank, event=event, passed=True)
    event = services.close_event(actor=frank, event=event)
    assert (kept(alice)["handled"], kept(alice)["closed"], kept(frank)["verified"]) == (1, 1, 1)
    services.reopen_event(actor=frank, event=event, reason="居民反映又堵了")
    # Reopened: no longer handled or closed; the verify step frank took still counts.
    assert (kept(alice)["handled"], kept(alice)["closed"], kept(frank)["verified"]) == (0, 0, 1)
    assert worker_rollups.check_all() == []


def test_check_figures_names_a_tampered_worker_row(worked, staff, tree):
    import io

    from django.core.management import CommandError

    WorkerMonthRollup.objects.filter(user=staff["bob"], handled=1).update(handled=F("handled") + 2)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_figures", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"unit {tree.grid_a1_1.code} WorkerMonthRollup(")
    assert lines[0].endswith(".handled: kept 3, recounted 1")


def test_track_length_skips_points_that_are_not_numbers():
    track = [[113.53, 34.73, "t"], ["x", None], [113.54, 34.73, "t"]]
    assert worker_rollups.track_metres(track) == round(
        worker_rollups.haversine_m(113.53, 34.73, 113.54, 34.73)
    )
    assert worker_rollups.track_metres([]) == 0
