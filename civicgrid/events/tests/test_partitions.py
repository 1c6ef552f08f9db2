"""Events and their step log partitioned by month on PostgreSQL (events/partitions.py)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from civicgrid.events import partitions, rollups, tasks
from civicgrid.events.models import Event, EventPhoto, EventStep, Whistle, WhistleKind
from civicgrid.events.tests.conftest import MONDAY, jpeg

pytestmark = pytest.mark.django_db
postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="table partitions need PostgreSQL"
)
sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite has no partitions")

NOVEMBER = dt.date(2026, 11, 1)  # MONDAY's month


def where(table: str, **match) -> str:
    """The partition holding the row of `table` matching `match` (one column)."""
    [(column, value)] = match.items()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE {column} = %s", [value])
        return cursor.fetchone()[0]


def partition_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass",
            [table],
        )
        return {row[0] for row in cursor.fetchall()}


def legacy_copy(event: Event, number: str, token: str) -> Event:
    """A copy of `event` with an id from the identity sequence, as events had before ids encoded
    the day (and as tests still make them)."""
    copy = Event.objects.get(pk=event.pk)
    copy.pk = None
    copy.number, copy.token = number, token
    copy.save(force_insert=True)
    return copy


@postgresql
def test_both_tables_are_partitioned_by_range_with_a_default():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, p.partstrat, pg_get_partkeydef(c.oid) FROM pg_partitioned_table p "
            "JOIN pg_class c ON c.oid = p.partrelid ORDER BY c.relname"
        )
        found = cursor.fetchall()
    assert ("events_event", "r", "RANGE (id)") in found
    assert ("events_eventstep", "r", "RANGE (event_id)") in found
    this_month = partitions.month_of(dt.date.today())
    for table in partitions.TABLES:
        names = partition_names(table)
        assert f"{table}_default" in names
        assert partitions.partition_name(table, this_month) in names
    assert partitions.is_partitioned()


@postgresql
def test_a_report_and_its_steps_land_in_their_month(report):
    partitions.ensure(NOVEMBER, NOVEMBER)
    event = report(at=MONDAY)
    assert where("events_event", id=event.pk) == "events_event_y2026m11"
    assert {where("events_eventstep", id=step.pk) for step in event.steps.all()} == {
        "events_eventstep_y2026m11"
    }
    # Read back through the parent like any table.
    assert Event.objects.get(number=event.number) == event


@postgresql
def test_a_month_created_late_takes_its_events_out_of_the_default(report, staff):
    assert partitions.partition_name(Event._meta.db_table, NOVEMBER) not in partition_names(
        "events_event"
    )
    event = report(at=MONDAY, photos=[jpeg()])
    Whistle.objects.create(
        event=event, kind=WhistleKind.ROUTINE, report_in_due=MONDAY, created_at=MONDAY
    )
    assert where("events_event", id=event.pk) == "events_event_default"
    assert partitions.ensure(NOVEMBER, NOVEMBER) == [NOVEMBER]
    assert partitions.ensure(NOVEMBER, NOVEMBER) == []  # idempotent
    connection.check_constraints()  # every foreign key holds after the move
    assert where("events_event", id=event.pk) == "events_event_y2026m11"
    assert where("events_eventstep", event_id=event.pk) == "events_eventstep_y2026m11"
    event = Event.objects.get(pk=event.pk)
    assert event.steps.count() == 1 and event.photos.get().step == event.steps.get()
    assert event.whistles.count() == 1
    assert rollups.check_all() == []


def test_a_number_is_refused_twice(report):
    """On PostgreSQL through each partition's unique index (here the DEFAULT's)."""
    event = report(at=MONDAY)
    legacy_copy(event, "E20240101-000001", "legacy-token-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        legacy_copy(event, "E20240101-000001", "legacy-token-2")
    with pytest.raises(IntegrityError), transaction.atomic():
        legacy_copy(event, "E20240101-000002", "legacy-token-1")


@postgresql
def test_a_number_is_refused_twice_within_a_month(report):
    partitions.ensure(NOVEMBER, NOVEMBER)
    first, second = report(at=MONDAY), report(at=MONDAY)
    with connection.cursor() as cursor:
        # The month's unique index on number, reached without the CHECK below in the way: the
        # row is given the other's number and the matching id is refused as the primary key.
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute(
                "UPDATE events_event SET number = %s WHERE id = %s", [first.number, second.pk]
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute(
                "UPDATE events_event SET token = %s WHERE id = %s", [first.token, second.pk]
            )
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'events_event_y2026m11' "
            "AND indexdef LIKE 'CREATE UNIQUE INDEX%%'"
        )
        unique = " ".join(row[0] for row in cursor.fetchall())
    assert "(number)" in unique and "(token)" in unique and "(id)" in unique


@postgresql
def test_a_number_must_name_the_id_it_belongs_to(report):
    """The CHECK that makes per-partition uniqueness of numbers global (partitions.py)."""
    event = report(at=MONDAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(number="E20261116-999999")


@postgresql
def test_events_without_an_id_still_get_one(report):
    event = report(at=MONDAY)
    copy = legacy_copy(event, "E20200101-000001", "legacy-token")
    assert 0 < copy.pk < partitions.ENCODED_FROM
    assert where("events_event", id=copy.pk) == "events_event_default"
    step = EventStep.objects.create(event=copy, action="report", to_status="reported", at=MONDAY)
    assert step.pk > max(s.pk for s in event.steps.all())


def test_steps_photos_and_whistles_go_with_their_event(report):
    if connection.vendor == "postgresql":
        partitions.ensure(NOVEMBER, NOVEMBER)
    event = report(at=MONDAY, photos=[jpeg()])
    other = report(at=MONDAY)
    Whistle.objects.create(
        event=event, kind=WhistleKind.ROUTINE, report_in_due=MONDAY, created_at=MONDAY
    )
    photo = event.photos.get()
    assert photo.step == event.steps.get()
    # A photo's step is a step of its own event (a composite key on PostgreSQL).
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            EventPhoto.objects.filter(pk=photo.pk).update(step=other.steps.get())
            connection.check_constraints()
    # Deleting a step (only ever done with its event) clears the photo's step, as before.
    EventStep.objects.filter(event=event).delete()
    photo.refresh_from_db()
    assert photo.step is None
    event.delete()
    assert not EventStep.objects.filter(event_id=event.pk).exists()
    assert not EventPhoto.objects.filter(event_id=event.pk).exists()
    assert not Whistle.objects.filter(event_id=event.pk).exists()
    assert other.steps.count() == 1
    connection.check_constraints()


@postgresql
def test_the_daily_job_keeps_three_months_ahead_and_is_idempotent():
    later = dt.date(2031, 5, 20)
    months = [dt.date(2031, month, 1) for month in (5, 6, 7, 8)]
    assert partitions.ensure_ahead(later) == months
    assert partitions.ensure_ahead(later) == []
    for table in partitions.TABLES:
        assert {partitions.partition_name(table, m) for m in months} <= partition_names(table)
    # The task itself: this month and three more exist after it, however often it runs.
    assert tasks.create_event_partitions.call_local() is not None  # this minute's run
    assert partitions.ensure_ahead() == []  # nothing left to create, however often it runs
    this_month = partitions.month_of(dt.date.today())
    ahead = partitions.partition_name("events_event", partitions.add_months(this_month, 3))
    assert ahead in partition_names("events_event")


@postgresql
def test_rollups_agree_with_a_recount_after_reports_in_partitions(report):
    partitions.ensure(NOVEMBER, NOVEMBER)
    for _ in range(3):
        report(at=MONDAY)
    report(at=MONDAY + dt.timedelta(days=30))  # December: its own partition
    assert rollups.check_all() == []


@postgresql
def test_the_command_lists_creates_and_detaches(report):
    out = StringIO()
    call_command("event_partitions", "create", "2026-10", "2026-11", stdout=out)
    assert "2 month(s) created" in out.getvalue()
    call_command("event_partitions", "list", stdout=out)
    assert "events_event_y2026m10" in out.getvalue() and "DEFAULT" in out.getvalue()
    event = report(at=MONDAY, photos=[jpeg()])
    # Photos refer to the month's events: detaching is refused, saying which rows are in the way.
    with pytest.raises(CommandError, match="events_eventphoto 1"):
        call_command("event_partitions", "detach", "2026-11", stdout=out)
    EventPhoto.objects.filter(event=event).delete()
    call_command("event_partitions", "detach", "2026-11", stdout=out)
    assert "detached events_event_y2026m11" in out.getvalue()
    assert not Event.objects.filter(pk=event.pk).exists()
    assert "events_event_y2026m11" not in partition_names("events_event")
    with connection.cursor() as cursor:  # the month is a table of its own now, ready to dump
        cursor.execute("SELECT count(*) FROM events_eventstep_y2026m11")
        assert cursor.fetchone()[0] == 1
        cursor.execute("DROP TABLE events_eventstep_y2026m11, events_event_y2026m11")
    connection.check_constraints()
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("event_partitions", "create", "November")
    with pytest.raises(CommandError, match="no partition"):
        call_command("event_partitions", "detach", "2026-11")


@sqlite
def test_nothing_to_do_on_sqlite():
    assert not partitions.is_partitioned()
    assert partitions.ensure(NOVEMBER, NOVEMBER) == []
    assert tasks.create_event_partitions.call_local() == 0
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("event_partitions", "list")
