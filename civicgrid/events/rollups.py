"""Rollup rows behind the four rates.

Each event contributes 1 to some counters on some days (`contributions`, a pure function of
the event's fields). A step takes the contributions before and after it and adds the
difference to the rollup rows in the same transaction, so the rows always equal a recount —
`rebuild` recomputes them from the events, and the tests prove the two agree.

Three tables hold the same counters at three grains, each row carrying its unit's code so a
subtree is a range scan: per unit, day and category (breakdowns); per unit and day (the edges
of a period, daily trends); per unit and month (whole months). A district's year sums a few
thousand rows however many events there are.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from civicgrid.events.models import (
    COUNTERS,
    Event,
    EventDayRollup,
    EventMonthRollup,
    EventRollup,
    Status,
)

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


# Each rollup table and how a contribution's key maps to its row.
GRAINS: list[tuple[type, Callable[[int, int, dt.date], dict]]] = [
    (EventRollup, lambda unit, category, day: {"unit_id": unit, "category_id": category, "day": day}),
    (EventDayRollup, lambda unit, category, day: {"unit_id": unit, "day": day}),
    (EventMonthRollup, lambda unit, category, day: {"unit_id": unit, "month": day.replace(day=1)}),
]


def check_all() -> list[str]:
    """The grains whose rows differ from a recount of the events (empty when all agree)."""
    total = recount(event_rows())
    return [model.__name__ for model, _key in GRAINS if stored(model) != expected(total, model)]


def grouped(total: Counter[Key], row_key: Callable) -> dict[tuple, tuple[str, dict[str, int]]]:
    """`total` summed into the rows of one grain: row key → (unit code, counters)."""
    rows: dict[tuple, tuple[str, dict[str, int]]] = {}
    for (unit_id, unit_code, category_id, day, counter), value in total.items():
        if not value:
            continue
        lookup = row_key(unit_id, category_id, day)
        key = tuple(sorted(lookup.items()))
        code, counters = rows.setdefault(key, (unit_code, {}))
        counters[counter] = counters.get(counter, 0) + value
    return rows


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
    """Add `delta` to the rows of every grain (inside the caller's transaction). Rows are
    touched in key order so concurrent steps lock them in the same order."""
    for model, row_key in GRAINS:
        for key, (unit_code, deltas) in sorted(grouped(delta, row_key).items()):
            deltas = {name: value for name, value in deltas.items() if value}
            if deltas:
                _bump(model, dict(key), unit_code, deltas)


def difference(before: Counter[Key], after: Counter[Key]) -> Counter[Key]:
    delta = Counter(after)
    delta.subtract(before)
    return Counter({key: value for key, value in delta.items() if value})


class Snapshot:
    """Contributions of an event before a step, for `commit` after it."""

    def __init__(self, before: Counter[Key]) -> None:
        self.before = before

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


def event_rows(chunk: int = 20_000) -> Iterator:
    """Every event with the fields `contributions` reads, in id order, a chunk at a time."""
    last = 0
    while True:
        rows = list(Event.objects.filter(pk__gt=last).order_by("pk").only("pk", *FIELDS)[:chunk])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk


def replace(total: Counter[Key]) -> int:
    """Delete every rollup row and write `total` instead. Returns the number of day rows."""
    written = 0
    for model, row_key in GRAINS:
        model.objects.all().delete()
        rows = (
            model(unit_code=unit_code, **dict(key), **counters)
            for key, (unit_code, counters) in grouped(total, row_key).items()
        )
        created = model.objects.bulk_create(rows, batch_size=2000)
        if model is EventRollup:
            written = len(created)
    return written


@transaction.atomic
def rebuild(progress=None) -> int:
    """Recompute every rollup row from the events. Returns the number of day-category rows."""
    total: Counter[Key] = Counter()
    for event in event_rows():
        total.update(contributions(event))
        if progress is not None:
            progress.update(1)
    return replace(total)


def stored(model=EventRollup) -> dict[tuple, dict[str, int]]:
    """One grain's rows as {row key: counters} (zeros left out), to compare with `expected`."""
    keys = {"unit_id", "category_id", "day", "month"}
    lookup_fields = [field.attname for field in model._meta.fields if field.attname in keys]
    out: dict[tuple, dict[str, int]] = {}
    for row in model.objects.values(*lookup_fields, *COUNTERS):
        counters = {name: row[name] for name in COUNTERS if row[name]}
        if counters:
            out[tuple(sorted((name, row[name]) for name in lookup_fields))] = counters
    return out


def expected(total: Counter[Key], model=EventRollup) -> dict[tuple, dict[str, int]]:
    row_key = dict(GRAINS)[model]
    return {key: counters for key, (_code, counters) in grouped(total, row_key).items()}


def sums(queryset) -> dict[str, int]:
    totals = queryset.aggregate(**{name: Sum(name) for name in COUNTERS})
    return {name: value or 0 for name, value in totals.items()}
