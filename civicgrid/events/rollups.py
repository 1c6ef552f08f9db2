"""Rollup rows behind the four rates.

Each event contributes 1 to some counters on some days (`contributions`, a pure function of
the event's fields). A step takes the contributions before and after it and adds the
difference to the rollup rows in the same transaction, so the rows always equal a recount —
`rebuild` recomputes them from the events, and the tests prove the two agree.

An event counts in the rows of its own unit and of every unit above it, so a row holds the
totals of its unit's whole subtree and a district's figure reads the district's own rows, never
its thousands of grids. Three tables hold the same counters at three grains: per unit, day and
category (breakdowns); per unit and day (the edges of a period, daily trends); per unit and
month (whole months). A district's year reads about 40 rows however many events there are.
When a unit moves, `subtree_moved` carries its totals from its old ancestors to its new ones.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from civicgrid.core.rollups import Drift, RollupDelta, add_to_rollups, drifts
from civicgrid.events.models import (
    COUNTERS,
    Event,
    EventDayRollup,
    EventMonthRollup,
    EventRollup,
    Status,
)
from civicgrid.org.models import OrgUnit
from civicgrid.org.selectors import code_prefixes

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
    "on_the_spot",
    "spot_check",
)


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def contributions(event) -> Counter[Key]:
    """Which counters `event` adds 1 to, and on which day.

    - reported, source_*, status_* (its current status), cross_boundary, on_the_spot (handled
      on the spot, 即报即办), spot_checks (of those, drawn for the community's check): the day
      it was reported
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
    if event.on_the_spot:
        add(event.reported_at, "on_the_spot")
        if event.spot_check:
            add(event.reported_at, "spot_checks")
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


# Each rollup table, the columns besides the unit that key its rows, and whether an event
# counts at every unit above its own (True) or at its own unit only, summed over a code
# prefix when read (the per-category rows: one per event and day at most, so counting them
# again at every level would cost more than it saves).
GRAINS: list[
    tuple[type[EventRollup | EventDayRollup | EventMonthRollup], tuple[str, ...], bool]
] = [
    (EventRollup, ("category_id", "day"), False),
    (EventDayRollup, ("day",), True),
    (EventMonthRollup, ("month",), True),
]


def _row_key(keys: tuple[str, ...], category_id: int, day: dt.date) -> tuple:
    values = {"category_id": category_id, "day": day, "month": day.replace(day=1)}
    return tuple(values[name] for name in keys)


Chain = Callable[[str], list[tuple[int, str]]]


def chains_of(codes: Iterable[str]) -> Chain:
    """The units at and above each code as (id, code): the rows an event there counts in."""
    wanted = {prefix for code in set(codes) for prefix in code_prefixes(code)}
    found = dict(OrgUnit.objects.filter(code__in=wanted).values_list("code", "id"))
    return lambda code: [(found[p], p) for p in code_prefixes(code) if p in found]


def all_chains() -> Chain:
    """`chains_of` for bulk work: one query for the whole tree, then lookups in memory."""
    found = dict(OrgUnit.objects.values_list("code", "id"))
    cache: dict[str, list[tuple[int, str]]] = {}

    def chain(code: str) -> list[tuple[int, str]]:
        if code not in cache:
            cache[code] = [(found[p], p) for p in code_prefixes(code) if p in found]
        return cache[code]

    return chain


Rows = dict[tuple, tuple[str, dict[str, int]]]


def _own(unit_id: int, unit_code: str) -> list[tuple[int, str]]:
    return [(unit_id, unit_code)]


def grouped(total: Counter[Key], keys: tuple[str, ...], chain: Chain | None) -> Rows:
    """Contributions summed into the rows of one grain — for the event's unit and, with a
    `chain`, every unit above it: (unit id, *key) → (unit code, counters)."""
    rows: Rows = {}
    for (unit_id, unit_code, category_id, day, counter), value in total.items():
        if not value:
            continue
        row_key = _row_key(keys, category_id, day)
        units = chain(unit_code) if chain else _own(unit_id, unit_code)
        for ancestor_id, ancestor_code in units:
            _code, counters = rows.setdefault((ancestor_id, *row_key), (ancestor_code, {}))
            counters[counter] = counters.get(counter, 0) + value
    return rows


def apply(delta: Counter[Key], chain: Chain | None = None) -> None:
    """Add `delta` to the rows of every grain, for the event's unit and every unit above it,
    inside the caller's transaction: one statement per grain."""
    delta = Counter({key: value for key, value in delta.items() if value})
    if not delta:
        return
    chain = chain or chains_of(key[1] for key in delta)
    add_to_rollups(
        RollupDelta(model, dict(zip(("unit_id", *keys), row_key, strict=True)), unit_code, deltas)
        for model, keys, above in GRAINS
        for row_key, (unit_code, deltas) in grouped(delta, keys, chain if above else None).items()
    )


def subtree_moved(unit, old_code: str, new_code: str) -> None:
    """Hook of org.services.move_unit, inside its transaction: the moved unit's own rows (its
    whole subtree's totals) leave the units that were above it and join those now above it."""
    old_above = {pair for pair in chains_of([old_code])(old_code) if pair[1] != old_code}
    new_above = {pair for pair in chains_of([new_code])(new_code) if pair[1] != new_code}
    moves = [(pair, -1) for pair in sorted(old_above - new_above)]
    moves += [(pair, 1) for pair in sorted(new_above - old_above)]
    if not moves:
        return
    add_to_rollups(
        RollupDelta(
            model,
            {"unit_id": ancestor_id, **{key: row[key] for key in keys}},
            ancestor_code,
            {name: sign * row[name] for name in COUNTERS},
        )
        for model, keys, above in GRAINS
        # Rows at the events' own units moved with their codes.
        if above
        for row in model.objects.filter(unit_id=unit.pk).values(*keys, *COUNTERS)
        for (ancestor_id, ancestor_code), sign in moves
    )


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


def event_rows(events=None, chunk: int = 20_000) -> Iterator:
    """Events (all by default) with the fields `contributions` reads, a chunk at a time."""
    events = Event.objects.all() if events is None else events
    last = 0
    while True:
        rows = list(events.filter(pk__gt=last).order_by("pk").only("pk", *FIELDS)[:chunk])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk


def recount(events: Iterable, progress=None) -> Counter[Key]:
    total: Counter[Key] = Counter()
    for event in events:
        total.update(contributions(event))
        if progress is not None:
            progress.update(1)
    return total


def bulk_add(total: Counter[Key], chain: Chain | None = None) -> None:
    """Add contributions of events written in bulk (which took no steps) to the rows, with one
    INSERT … ON CONFLICT DO UPDATE per row (SQLite and PostgreSQL both have it)."""
    chain = chain or all_chains()
    for model, keys, above in GRAINS:
        key_columns = ["unit_id", *keys]
        columns = [*key_columns, "unit_code", *COUNTERS]
        table = model._meta.db_table
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET "
            + ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in COUNTERS)
        )
        rows = [
            (*row_key, unit_code, *(counters.get(name, 0) for name in COUNTERS))
            for row_key, (unit_code, counters) in grouped(
                total, keys, chain if above else None
            ).items()
        ]
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[start : start + 5000])


def replace(total: Counter[Key]) -> None:
    """Delete every rollup row and write those of `total` instead."""
    for model, _keys, _above in GRAINS:
        model.objects.all().delete()
    bulk_add(total)


@transaction.atomic
def rebuild(progress=None) -> None:
    """Recompute every rollup row from the events."""
    replace(recount(event_rows(), progress))


def stored(model, keys: tuple[str, ...]) -> dict[tuple, dict[str, int]]:
    """One grain's rows as {(unit id, *key): counters}, zeros left out."""
    out: dict[tuple, dict[str, int]] = {}
    for row in model.objects.values("unit_id", *keys, *COUNTERS):
        counters = {name: row[name] for name in COUNTERS if row[name]}
        if counters:
            out[(row["unit_id"], *(row[key] for key in keys))] = counters
    return out


def check_all() -> list[Drift]:
    """Every counter of every grain that differs from a recount of the events (empty when all
    agree)."""
    total = recount(event_rows())
    chain = all_chains()
    wrong = []
    for model, keys, above in GRAINS:
        rows = grouped(total, keys, chain if above else None)
        expected = {key: counters for key, (_code, counters) in rows.items()}
        wrong += drifts(model.__name__, stored(model, keys), expected)
    return wrong


def sums(queryset) -> dict[str, int]:
    totals = queryset.aggregate(**{name: Sum(name) for name in COUNTERS})
    return {name: value or 0 for name, value in totals.items()}
