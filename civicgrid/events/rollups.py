"""Rollup rows behind the four rates.

Each event contributes 1 to some counters on some days (`contributions`, a pure function of
the event's fields). A step takes the contributions before and after it and adds the
difference to the rollup rows in the same transaction, so the rows always equal a recount —
`rebuild` recomputes them from the events, and the tests prove the two agree.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from civicgrid.events.models import COUNTERS, Event, EventMonthRollup, EventRollup, Status

# unit id, unit code, category id, day, counter
Key = tuple[int, str, int, dt.date, str]

# The fields `contributions` reads: what must be loaded to recount an event.
FIELDS = (
    "unit_id",
    "unit_code",
    "category_id",
    "source",
    "status",
    "cross_boundary",
    "overdue",
    "reported_at",
    "dispatched_at",
    "responded_at",
    "response_due",
    "whistled_at",
    "closure_due",
    "closed_at",
    "rated_at",
    "solved",
    "satisfaction",
)


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def contributions(event) -> Counter[Key]:
    """Which counters `event` adds 1 to, and on which day.

    - reported, source_*, status_* (its current status), cross_boundary: the day it was reported
    - dispatched, responded_on_time (signed for by the handler within the response deadline):
      the day it was first dispatched
    - whistled: the day it was first whistled
    - due, due_closed (closed by now), overdue: the day of its closure deadline
    - closed, closed_on_time: the day it was closed
    - follow_ups, solved, satisfied, basically_satisfied, dissatisfied: the day it was rated
    """
    out: Counter[Key] = Counter()
    base = (event.unit_id, event.unit_code, event.category_id)

    def add(moment: dt.datetime, *counters: str) -> None:
        day = _day(moment)
        for counter in counters:
            out[(*base, day, counter)] += 1

    add(event.reported_at, "reported", f"source_{event.source}", f"status_{event.status}")
    if event.cross_boundary:
        add(event.reported_at, "cross_boundary")
    if event.dispatched_at:
        add(event.dispatched_at, "dispatched")
        if event.responded_at and event.response_due and event.responded_at <= event.response_due:
            add(event.dispatched_at, "responded_on_time")
    if event.whistled_at:
        add(event.whistled_at, "whistled")
    if event.closure_due and event.status != Status.REJECTED:
        add(event.closure_due, "due")
        if event.closed_at:
            add(event.closure_due, "due_closed")
        if event.overdue:
            add(event.closure_due, "overdue")
    if event.closed_at:
        add(event.closed_at, "closed")
        if event.closure_due and event.closed_at <= event.closure_due:
            add(event.closed_at, "closed_on_time")
    if event.rated_at:
        add(event.rated_at, "follow_ups")
        if event.solved:
            add(event.rated_at, "solved")
        if event.satisfaction:
            add(event.rated_at, event.satisfaction)
    return out


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _bump(model, lookup: dict, unit_code: str, deltas: dict[str, int]) -> None:
    changes = {name: F(name) + delta for name, delta in deltas.items()}
    if model.objects.filter(**lookup).update(**changes):
        return
    try:
        with transaction.atomic():
            # Rows are born from a step that adds: no delta on a missing row is negative.
            model.objects.create(unit_code=unit_code, **lookup, **deltas)
    except IntegrityError:
        # Another transaction created the row first: add to it.
        model.objects.filter(**lookup).update(**changes)


def apply(delta: Counter[Key]) -> None:
    """Add `delta` to the day and month rollup rows (inside the caller's transaction)."""
    days: dict[tuple, dict[str, int]] = defaultdict(dict)
    months: dict[tuple, dict[str, int]] = defaultdict(dict)
    for (unit_id, unit_code, category_id, day, counter), value in delta.items():
        if not value:
            continue
        day_key = (unit_id, unit_code, category_id, day)
        days[day_key][counter] = days[day_key].get(counter, 0) + value
        month_key = (unit_id, unit_code, _month(day))
        months[month_key][counter] = months[month_key].get(counter, 0) + value
    for (unit_id, unit_code, category_id, day), deltas in sorted(days.items()):
        lookup = {"unit_id": unit_id, "category_id": category_id, "day": day}
        _bump(EventRollup, lookup, unit_code, deltas)
    for (unit_id, unit_code, month), deltas in sorted(months.items()):
        lookup = {"unit_id": unit_id, "month": month}
        _bump(EventMonthRollup, lookup, unit_code, deltas)


def difference(before: Counter[Key], after: Counter[Key]) -> Counter[Key]:
    delta = Counter(after)
    delta.subtract(before)
    return Counter({key: value for key, value in delta.items() if value})


@dataclass
class Snapshot:
    """Contributions of an event before a step, for `Snapshot.commit` after it."""

    before: Counter[Key]

    @classmethod
    def of(cls, event) -> "Snapshot":
        return cls(contributions(event) if event.pk else Counter())

    def commit(self, event) -> None:
        apply(difference(self.before, contributions(event)))


# ---- rebuild and recount ----------------------------------------------------------------------


def recount(events: Iterable) -> Counter[Key]:
    total: Counter[Key] = Counter()
    for event in events:
        total.update(contributions(event))
    return total


def _rows(total: Counter[Key]) -> Iterator[tuple[tuple, dict[str, int]]]:
    grouped: dict[tuple, dict[str, int]] = defaultdict(dict)
    for (unit_id, unit_code, category_id, day, counter), value in total.items():
        grouped[(unit_id, unit_code, category_id, day)][counter] = value
    yield from grouped.items()


def _event_rows(chunk: int = 20_000) -> Iterator:
    """Every event with the fields `contributions` reads, in id order, a chunk at a time."""
    last = 0
    while True:
        rows = list(Event.objects.filter(pk__gt=last).order_by("pk").only("pk", *FIELDS)[:chunk])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk


@transaction.atomic
def rebuild(progress=None) -> int:
    """Recompute every rollup row from the events. Returns the number of day rows."""
    total: Counter[Key] = Counter()
    for event in _event_rows():
        total.update(contributions(event))
        if progress is not None:
            progress.update(1)
    EventRollup.objects.all().delete()
    EventMonthRollup.objects.all().delete()
    day_rows = []
    months: dict[tuple, Counter] = defaultdict(Counter)
    for (unit_id, unit_code, category_id, day), counters in _rows(total):
        day_rows.append(
            EventRollup(
                unit_id=unit_id, unit_code=unit_code, category_id=category_id, day=day, **counters
            )
        )
        months[(unit_id, unit_code, _month(day))].update(counters)
    EventRollup.objects.bulk_create(day_rows, batch_size=2000)
    EventMonthRollup.objects.bulk_create(
        (
            EventMonthRollup(unit_id=unit_id, unit_code=unit_code, month=month, **counters)
            for (unit_id, unit_code, month), counters in months.items()
        ),
        batch_size=2000,
    )
    return len(day_rows)


def stored() -> Counter[Key]:
    """The day rollup rows as the same kind of counter `recount` gives (zeros left out)."""
    total: Counter[Key] = Counter()
    for row in EventRollup.objects.values("unit_id", "unit_code", "category_id", "day", *COUNTERS):
        for counter in COUNTERS:
            if row[counter]:
                key = (row["unit_id"], row["unit_code"], row["category_id"], row["day"], counter)
                total[key] = row[counter]
    return total


def stored_months() -> Counter:
    total: Counter = Counter()
    for row in EventMonthRollup.objects.values("unit_id", "month", *COUNTERS):
        for counter in COUNTERS:
            if row[counter]:
                total[(row["unit_id"], row["month"], counter)] = row[counter]
    return total


def months_of(total: Counter[Key]) -> Counter:
    out: Counter = Counter()
    for (unit_id, _code, _category, day, counter), value in total.items():
        out[(unit_id, _month(day), counter)] += value
    return out


def sums(queryset) -> dict[str, int]:
    totals = queryset.aggregate(**{name: Sum(name) for name in COUNTERS})
    return {name: value or 0 for name, value in totals.items()}
