"""Event numbers come from one counter row per day: readable, unique, never refused."""

import datetime as dt

import pytest
from django.db import connection

from civicgrid.events import numbering
from civicgrid.events.models import DayCounter, Event
from civicgrid.events.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 2)


def test_a_number_names_the_day_and_the_place_in_it():
    assert numbering.number(DAY, 123) == "E20261202-000123"
    assert numbering.event_id(DAY, 123) == 20261202_000123
    first, end = numbering.id_range(dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    assert first <= numbering.event_id(DAY, 1) < numbering.event_id(DAY, 999_999) < end


def test_each_day_counts_from_one_and_blocks_follow_on():
    assert list(numbering.reserve(DAY)) == [1]
    assert list(numbering.reserve(DAY, 3)) == [2, 3, 4]
    assert list(numbering.reserve(DAY + dt.timedelta(days=1))) == [1]
    assert DayCounter.objects.get(day=DAY).last == 4


def test_the_day_is_the_day_in_china(report):
    # 23:30 UTC on Sunday 15 November is Monday 16 November in Asia/Shanghai.
    event = report(at=MONDAY.replace(hour=7, minute=30))
    late = report(at=dt.datetime(2026, 11, 15, 23, 30, tzinfo=dt.UTC))
    assert event.number == "E20261116-000001" and late.number == "E20261116-000002"
    assert late.pk == 20261116_000002 and Event.objects.get(number=late.number) == late


def test_a_full_day_is_a_clear_conflict():
    DayCounter.objects.create(day=DAY, last=numbering.PER_DAY - 1)
    from civicgrid.core.errors import Conflict

    with pytest.raises(Conflict):
        numbering.reserve(DAY)


def test_counters_start_after_the_numbers_already_given(report):
    """The migration seeds each day's counter from the events that already have numbers."""
    from importlib import import_module

    from django.apps import apps
    from django.db import connection as conn

    made = [report(at=MONDAY) for _ in range(3)]
    DayCounter.objects.all().delete()
    seed = import_module("civicgrid.events.migrations.0008_day_counter").seed_counters

    class Editor:
        connection = conn

    seed(apps, Editor())
    assert DayCounter.objects.get(day=MONDAY.date()).last == 3
    assert report(at=MONDAY).number == made[-1].number[:-1] + "4"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_thirty_two_reports_at_once_get_thirty_two_numbers(report, at_once):
    made: list[str] = []

    def one():
        made.append(report().number)

    outcomes = at_once([one] * 32)
    assert outcomes == ["ok"] * 32
    assert len(set(made)) == 32 == Event.objects.count()
    sequences = sorted(int(number[-6:]) for number in made)
    assert sequences == list(range(1, 33))
