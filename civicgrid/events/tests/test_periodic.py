"""Two consumers started by mistake (issue 15): a periodic job runs once per scheduled minute,
never twice at once, and even two runs at once act on each event once."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from civicgrid.core import jobs
from civicgrid.events import deadlines, tasks
from civicgrid.events.models import Event, EventStep
from civicgrid.events.tests.test_workflow import _run_to_closure


def _asked_three_days_ago(report, staff, count: int) -> list[Event]:
    closed = [_run_to_closure(report(), staff) for _ in range(count)]
    Event.objects.filter(pk__in=[e.pk for e in closed]).update(
        closed_at=timezone.now() - dt.timedelta(days=4)
    )
    return closed


@pytest.mark.django_db
def test_a_run_that_finds_the_lease_taken_does_nothing(report, staff):
    events = _asked_three_days_ago(report, staff, 2)
    name = tasks.ask_for_ratings.func.lease_name
    token = jobs.take_lease(name)
    assert token is not None
    assert tasks.ask_for_ratings.call_local() is None  # another consumer runs it
    assert not EventStep.objects.filter(action="ask_rating").exists()
    jobs.release_lease(name, token)
    later = timezone.now() + dt.timedelta(minutes=1)  # the next scheduled minute
    token = jobs.take_lease(name, now=later)
    jobs.release_lease(name, token)
    assert deadlines.ask_ratings() == len(events)


@pytest.mark.django_db
def test_one_run_per_scheduled_minute_and_a_lease_ends_by_itself(settings):
    now = timezone.now().replace(second=5)
    first = jobs.take_lease("job", now=now)
    assert first and jobs.take_lease("job", now=now) is None  # held
    jobs.release_lease("job", first)
    assert jobs.take_lease("job", now=now + dt.timedelta(seconds=30)) is None  # minute done
    held = jobs.take_lease("job", now=now + dt.timedelta(minutes=1))
    assert held is not None
    # Its consumer killed mid-run, the lease ends after JOB_LEASE_MINUTES.
    two = dt.timedelta(minutes=2)
    assert jobs.take_lease("job", now=now + two) is None
    lease = dt.timedelta(minutes=settings.JOB_LEASE_MINUTES + 2)
    assert jobs.take_lease("job", now=now + lease) is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent runs need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_ask_each_event_once(report, staff, at_once):
    events = _asked_three_days_ago(report, staff, 6)
    counts: list[int] = []

    def run_items():  # the items' own claims, without the job's lease
        counts.append(deadlines.ask_ratings())

    assert at_once([run_items, run_items, run_items]) == ["ok"] * 3
    assert sum(counts) == len(events)
    for event in Event.objects.filter(pk__in=[e.pk for e in events]):
        assert event.follow_up_asks == 2
        assert event.steps.filter(action="ask_rating").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent runs need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_lease_refuses_a_second_run_at_once(report, staff, at_once):
    events = _asked_three_days_ago(report, staff, 3)
    results: list[int | None] = []

    def consumer():
        results.append(tasks.ask_for_ratings.call_local())

    assert at_once([consumer, consumer]) == ["ok", "ok"]
    assert sorted(results, key=lambda r: r is None) == [len(events), None]
    assert EventStep.objects.filter(action="ask_rating").count() == len(events)


@pytest.mark.django_db
def test_overdue_events_are_a_metric(report, staff):
    from civicgrid.core import metrics

    event = report()
    assert "civicgrid_overdue_events 0.0" in metrics.exposition().decode()
    Event.objects.filter(pk=event.pk).update(closure_due=timezone.now() - dt.timedelta(hours=1))
    assert "civicgrid_overdue_events 1.0" in metrics.exposition().decode()
