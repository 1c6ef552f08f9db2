"""Per-worker rollup rows (`WorkerMonthRollup`): what each person's own work added, per month.

The rows follow the events' own rollups (events/rollups.py): each fact contributes to some
counters of some person, unit and month, as a pure function of the fact's fields; a change
adds the difference of those contributions to the rows in its own transaction, so the rows
always equal a recount (`check_all`; `rebuild` rewrites them). A row sits at the unit the work
counts at — the event's, patrol's or quick note's own unit — and never at the units above it:
a community's or street's figures sum its rows over the code prefix (a few hundred workers).

Who gets what (docs/assessment-figures.md says why):

- the reporter (`Event.reporter`): reported, on_the_spot (即报即办), cross_boundary (三跨),
  in the month the event was reported;
- the handler (`Event.handler_user`, the person the event is with): handled while it stands
  resolved (month of `resolved_at`); closed and closed_on_time (month of `closed_at`);
  overdue while it is marked overdue (month of its closure deadline). A step that moves the
  event to another handler moves these with it;
- the verifier: one `verified` for each verify step (核查) the person took, in the step's month
  — from the step log, which is append-only, so the count is kept from the step itself;
- the patrol's worker: patrols, patrol_seconds, patrol_metres (the track's length, haversine)
  for each ended patrol, in the month it started;
- the quick note's author: quick_notes, in the month it was written.
"""

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.utils import timezone

from civicgrid.core.rollups import Drift, RollupDelta, add_to_rollups, drifts
from civicgrid.events.models import (
    WORKER_COUNTERS,
    Event,
    EventStep,
    Patrol,
    QuickNote,
    Status,
    StepAction,
    WorkerMonthRollup,
)

# user id, unit id, unit code, month, counter
Key = tuple[int, int, str, dt.date, str]

# The event fields `contributions` reads.
FIELDS = (
    "unit_id",
    "unit_code",
    "status",
    "reporter_id",
    "handler_user_id",
    "cross_boundary",
    "on_the_spot",
    "overdue",
    "reported_at",
    "resolved_at",
    "closure_due",
    "closed_at",
)

EARTH_RADIUS_M = 6_371_008.8


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """The great-circle distance between two WGS-84 points, in metres (mean Earth radius)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def track_metres(track: Iterable) -> int:
    """The length of a patrol's track ([[lon, lat, time], …]) in whole metres; points that are
    not a pair of numbers are skipped."""
    total, last = 0.0, None
    for point in track or ():
        try:
            lon, lat = float(point[0]), float(point[1])
        except (TypeError, ValueError, IndexError):
            continue
        if last is not None:
            total += haversine_m(*last, lon, lat)
        last = (lon, lat)
    return round(total)


# ---- contributions ----------------------------------------------------------------------------


def contributions(event) -> Counter[Key]:
    """Which person's counters `event` adds 1 to, and in which month (see the module's text)."""
    out: Counter[Key] = Counter()

    def add(user_id: int | None, moment: dt.datetime | None, *counters: str) -> None:
        if user_id is None or moment is None:
            return
        month = month_of(moment)
        for counter in counters:
            out[(user_id, event.unit_id, event.unit_code, month, counter)] += 1

    add(event.reporter_id, event.reported_at, "reported")
    if event.on_the_spot:
        add(event.reporter_id, event.reported_at, "on_the_spot")
    if event.cross_boundary:
        add(event.reporter_id, event.reported_at, "cross_boundary")
    handler = event.handler_user_id
    if event.resolved_at:
        add(handler, event.resolved_at, "handled")
    if event.closed_at:
        add(handler, event.closed_at, "closed")
        if event.closure_due and event.closed_at <= event.closure_due:
            add(handler, event.closed_at, "closed_on_time")
    if event.overdue and event.closure_due and event.status != Status.REJECTED:
        add(handler, event.closure_due, "overdue")
    return out


def step_contributions(event, step) -> Counter[Key]:
    """What one step adds by itself: a verify step, to its actor's `verified`."""
    if step.action != StepAction.VERIFY or step.actor_id is None:
        return Counter()
    key = (step.actor_id, event.unit_id, event.unit_code, month_of(step.at), "verified")
    return Counter({key: 1})


def patrol_contributions(patrol) -> Counter[Key]:
    """An ended patrol: one patrol, its seconds and its track's metres, in its start's month."""
    if patrol.ended_at is None:
        return Counter()
    base = (patrol.worker_id, patrol.unit_id, patrol.unit_code, month_of(patrol.started_at))
    seconds = max(0, round((patrol.ended_at - patrol.started_at).total_seconds()))
    return Counter(
        {
            (*base, "patrols"): 1,
            (*base, "patrol_seconds"): seconds,
            (*base, "patrol_metres"): track_metres(patrol.track),
        }
    )


def note_contributions(note) -> Counter[Key]:
    return Counter(
        {
            (
                note.author_id,
                note.unit_id,
                note.unit_code,
                month_of(note.created_at),
                "quick_notes",
            ): 1
        }
    )


# ---- keeping the rows -------------------------------------------------------------------------


def _deltas(total: Counter[Key]) -> Iterator[RollupDelta]:
    for (user_id, unit_id, unit_code, month, counter), value in total.items():
        if value:
            yield RollupDelta(
                WorkerMonthRollup,
                {"unit_id": unit_id, "user_id": user_id, "month": month},
                unit_code,
                {counter: value},
            )


def apply(delta: Counter[Key]) -> None:
    """Add `delta` to the rows, inside the caller's transaction (one statement)."""
    add_to_rollups(_deltas(delta))


def difference(before: Counter[Key], after: Counter[Key]) -> Counter[Key]:
    delta = Counter(after)
    delta.subtract(before)
    return Counter({key: value for key, value in delta.items() if value})


class Snapshot:
    """An event's contributions before a step, for `commit` after it."""

    def __init__(self, before: Counter[Key]) -> None:
        self.before = before

    @classmethod
    def of(cls, event) -> "Snapshot":
        return cls(contributions(event) if event.pk else Counter())

    def commit(self, event) -> None:
        apply(difference(self.before, contributions(event)))


def step_taken(event, step) -> None:
    """Hook of every event step (events.services.step_event), after its log row is written."""
    apply(step_contributions(event, step))


# ---- recount and rebuild ----------------------------------------------------------------------


def _chunks(queryset, fields: tuple[str, ...], chunk: int = 20_000) -> Iterator:
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk").only("pk", *fields)[:chunk])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk


def recount() -> Counter[Key]:
    """Every contribution, from the events, the verify steps, the patrols and the notes."""
    total: Counter[Key] = Counter()
    people = Event.objects.exclude(reporter=None, handler_user=None)
    for event in _chunks(people, FIELDS):
        total.update(contributions(event))
    verifies = (
        EventStep.objects.filter(action=StepAction.VERIFY)
        .exclude(actor=None)
        .values_list("actor_id", "at", "event__unit_id", "event__unit_code")
        .order_by()
    )
    for actor_id, at, unit_id, unit_code in verifies.iterator(chunk_size=5000):
        total[(actor_id, unit_id, unit_code, month_of(at), "verified")] += 1
    patrols = Patrol.objects.exclude(ended_at=None)
    for patrol in _chunks(
        patrols, ("worker_id", "unit_id", "unit_code", "started_at", "ended_at", "track")
    ):
        total.update(patrol_contributions(patrol))
    for note in _chunks(
        QuickNote.objects.all(), ("author_id", "unit_id", "unit_code", "created_at")
    ):
        total.update(note_contributions(note))
    return Counter({key: value for key, value in total.items() if value})


def grouped(total: Counter[Key]) -> dict[tuple, dict[str, int]]:
    """Contributions as rows: {(unit id, user id, month): counters}."""
    rows: dict[tuple, dict[str, int]] = {}
    for (user_id, unit_id, _code, month, counter), value in total.items():
        if value:
            counters = rows.setdefault((unit_id, user_id, month), {})
            counters[counter] = counters.get(counter, 0) + value
    return rows


def stored() -> dict[tuple, dict[str, int]]:
    out: dict[tuple, dict[str, int]] = {}
    for row in WorkerMonthRollup.objects.values("unit_id", "user_id", "month", *WORKER_COUNTERS):
        counters = {name: row[name] for name in WORKER_COUNTERS if row[name]}
        if counters:
            out[(row["unit_id"], row["user_id"], row["month"])] = counters
    return out


def check_all() -> list[Drift]:
    """Every counter of every worker row that differs from a recount (empty when all agree)."""
    return drifts("WorkerMonthRollup", stored(), grouped(recount()))


@transaction.atomic
def rebuild() -> None:
    """Delete every worker row and write the recount instead."""
    WorkerMonthRollup.objects.all().delete()
    items = list(recount().items())
    for start in range(0, len(items), 5000):
        apply(Counter(dict(items[start : start + 5000])))
