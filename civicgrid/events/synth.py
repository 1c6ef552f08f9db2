"""Synthetic events with realistic stage times, for the demo and for benchmarks.

Events are spread over the grids of a district, the categories (some much commoner than
others), the sources and the period; each goes as far through the workflow as its age makes
likely, with stage times drawn from skewed distributions and some late, some whistled, some
rated dissatisfied. Written in bulk; the rollups are written from the same numbers.
"""

import datetime as dt
import random
from collections import Counter
from functools import cache, lru_cache
from itertools import accumulate

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from civicgrid.events import numbering, rollups
from civicgrid.events.models import (
    REPORTER_PHONE,
    Category,
    CrossBoundary,
    Event,
    EventStep,
    RatingChannel,
    Satisfaction,
    Source,
    Status,
    StepAction,
    new_token,
)
from civicgrid.events.phrases import PROBLEMS, phrase
from civicgrid.events.workdays import add_working_days, add_working_hours
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.tree import district_of, street_of

A = StepAction
HOURS = range(24)
SOURCES = [
    (Source.PATROL, 45),
    (Source.QUICK_NOTE, 15),
    (Source.RESIDENT, 20),
    (Source.HOTLINE, 12),
    (Source.DEPARTMENT, 5),
    (Source.API, 3),
]
SOURCE_VALUES = [source for source, _weight in SOURCES]
SOURCE_WEIGHTS = list(accumulate(weight for _source, weight in SOURCES))
# Commoner categories (by code) get more weight; the rest share the remainder.
COMMON = {"0102": 12, "0103": 10, "0101": 8, "0403": 8, "2101": 7, "1201": 5, "1102": 5, "2401": 4}


@lru_cache(maxsize=200_000)
def _hours_after(hour: dt.datetime, hours: int) -> dt.datetime:
    return add_working_hours(hour, hours)


@lru_cache(maxsize=200_000)
def _days_after(day: dt.datetime, days: int) -> dt.datetime:
    return add_working_days(day, days)


def _deadlines(at: dt.datetime, category: Category) -> tuple[dt.datetime, dt.datetime]:
    # Cached per hour: the exact minute hardly matters for a synthetic deadline.
    hour = at.replace(minute=0, second=0, microsecond=0)
    offset = at - hour
    return (
        _hours_after(hour, category.response_hours) + offset,
        _days_after(hour, category.closure_days),
    )


def _grids(district: str) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(
            code__under=district,
            kind__in=[Kind.GRID, Kind.DEDICATED_GRID],
            active=True,
            centre_lon__isnull=False,
        ).order_by("code")
    )


class _Numbers:
    """Ids and numbers per day from the day counters (events.numbering), taken in blocks."""

    BLOCK = 200

    def __init__(self) -> None:
        self.free: dict[dt.date, list[int]] = {}

    def __call__(self, at: dt.datetime) -> tuple[int, str]:
        day = numbering.day_of(at)
        free = self.free.setdefault(day, [])
        if not free:
            free.extend(reversed(numbering.reserve(day, self.BLOCK)))
        sequence = free.pop()
        return numbering.event_id(day, sequence), numbering.number(day, sequence)


def _event(rng: random.Random, now: dt.datetime, at: dt.datetime, unit, category, faker, phones):
    """One event and the steps it went through, as unsaved rows (its title the category's
    name: `synthesize` words it when asked)."""
    source = rng.choices(SOURCE_VALUES, cum_weights=SOURCE_WEIGHTS)[0]
    response_due, closure_due = _deadlines(at, category)
    lon = unit.centre_lon + rng.uniform(-0.0015, 0.0015)
    lat = unit.centre_lat + rng.uniform(-0.0012, 0.0012)
    event = Event(
        unit=unit,
        unit_code=unit.code,
        category=category,
        source=source,
        title=category.name,
        description="",
        lon=round(lon, 6),
        lat=round(lat, 6),
        reported_at=at,
        response_due=response_due,
        closure_due=closure_due,
        token=new_token(),
    )
    if source in {Source.RESIDENT, Source.HOTLINE}:
        event.reporter_name = faker.name() if faker else ""
        event.anonymous = rng.random() < 0.3
        if phones:
            phone = faker.phone_number()
            REPORTER_PHONE.write(event, phone)
    steps: list[tuple[str, str, str, dt.datetime]] = [(A.REPORT, "", Status.REPORTED, at)]
    status: str = Status.REPORTED

    def step(action: str, to: str, moment: dt.datetime) -> bool:
        nonlocal status
        if moment > now:
            return False
        steps.append((action, status, to, moment))
        status = to
        return True

    def hours(mean: float) -> dt.timedelta:
        return dt.timedelta(hours=rng.expovariate(1 / mean))

    if source == Source.PATROL and rng.random() < ON_THE_SPOT_SHARE:
        return _on_the_spot(rng, event, now, hours)
    moment = at + hours(1.5)
    if rng.random() < 0.03:
        step(A.REJECT, Status.REJECTED, moment)
        event.status = status
        return event, steps
    if not step(A.ACCEPT, Status.ACCEPTED, moment):
        event.status = status
        return event, steps
    event.accepted_at = moment
    moment += hours(0.5)
    whistled = rng.random() < 0.06
    if step(A.WHISTLE if whistled else A.DISPATCH, Status.DISPATCHED, moment):
        event.dispatched_at = moment
        event.response_due = moment + (response_due - at)
        if whistled:
            event.whistled_at = moment
            event.cross_boundary = CrossBoundary.DEPARTMENT
        elif rng.random() < 0.02:
            event.cross_boundary = rng.choice([CrossBoundary.AREA, CrossBoundary.LEVEL])
        moment += hours(2.5 if rng.random() < 0.9 else 30)
        if step(A.REPORT_IN if whistled else A.SIGN, Status.HANDLING, moment):
            event.responded_at = moment
            late = rng.random() < 0.1
            moment += hours(60 if late else 20)
            if step(A.RESOLVE, Status.RESOLVED, moment):
                event.resolved_at = moment
                moment += hours(5)
                if step(A.VERIFY, Status.VERIFIED, moment):
                    event.verified_at = moment
                    moment += hours(3)
                    if step(A.CLOSE, Status.CLOSED, moment):
                        event.closed_at = moment
                        event.follow_up_asks = 1
                        moment += hours(20)
                        if rng.random() < 0.85 and step(A.RATE, Status.RATED, moment):
                            event.rated_at = moment
                            # Residents rate their own reports; the rest is a follow-up call.
                            event.rating_channel = (
                                RatingChannel.RESIDENT
                                if source == Source.RESIDENT
                                else RatingChannel.FOLLOW_UP_CALL
                            )
                            event.solved = rng.random() < 0.93
                            roll = rng.random()
                            event.satisfaction = (
                                Satisfaction.SATISFIED
                                if roll < 0.82
                                else Satisfaction.BASICALLY_SATISFIED
                                if roll < 0.96
                                else Satisfaction.DISSATISFIED
                            )
    event.status = status
    event.overdue = (event.closed_at or now) > closure_due and status != Status.REJECTED
    if event.overdue:
        event.escalated_for = closure_due
        event.escalation_level = 1
    return event, steps


# Of the problems found on patrol, the share a grid worker fixes there and then (即报即办).
ON_THE_SPOT_SHARE = 0.3


def _on_the_spot(
    rng: random.Random, event: Event, now: dt.datetime, hours
) -> tuple[Event, list[tuple[str, str, str, dt.datetime]]]:
    """An event reported handled on the spot, and its steps: closed at once, or — drawn for the
    community's spot check — verified and closed later."""
    at = event.reported_at
    steps: list[tuple[str, str, str, dt.datetime]]
    event.on_the_spot = True
    event.accepted_at = event.dispatched_at = event.responded_at = event.resolved_at = at
    event.spot_check = rng.random() < settings.SPOT_CHECK_SHARE
    first: str = Status.RESOLVED if event.spot_check else Status.CLOSED
    steps = [(A.REPORT_HANDLED, "", first, at)]
    event.status = first
    if event.spot_check:
        checked = at + hours(20)
        if checked <= now:
            event.verified_at = checked
            steps.append((A.VERIFY, Status.RESOLVED, Status.VERIFIED, checked))
            event.status = Status.VERIFIED
            closed = checked + hours(3)
            if closed <= now:
                event.closed_at = closed
                steps.append((A.CLOSE, Status.VERIFIED, Status.CLOSED, closed))
                event.status = Status.CLOSED
    else:
        event.closed_at = at
    event.overdue = False
    return event, steps


def _departments(district: str) -> dict[tuple[str, str], OrgUnit]:
    """(street or district code, department kind) → the department hanging there."""
    return {
        (unit.parent.code, unit.subkind): unit
        for unit in OrgUnit.objects.filter(
            code__under=district, kind=Kind.DEPARTMENT, active=True
        ).select_related("parent")
        if unit.parent is not None
    }


# Of the worded events, the share told in the words of a neighbouring problem (a 路灯 report
# that talks of the lamp post's cable, a 楼道堆物 one of the path outside) and the share a
# dispatcher sent to another department than the category's: real reports are not all
# textbook cases, and the demo's routing figures should not look as if they were.
LOOSE_WORDS = 0.08
OTHER_DEPARTMENT = 0.08


def _word(
    rng: random.Random,
    event: Event,
    category: Category,
    departments: dict[tuple[str, str], OrgUnit],
) -> None:
    code = category.code
    if rng.random() < LOOSE_WORDS:
        neighbours = [other for other in PROBLEMS if other[:2] == code[:2] and other != code]
        code = rng.choice(neighbours) if neighbours else code
    title, description = phrase(code, rng)
    if title:
        event.title, event.description = title, description
    kind = category.department_kind
    if event.dispatched_at is None or event.whistled_at or not kind or rng.random() < 0.3:
        return  # the grid's own people handle it
    if rng.random() < OTHER_DEPARTMENT:
        kind = rng.choice(sorted({k for _code, k in departments} - {kind}) or [kind])
    department = departments.get((street_of(event.unit_code) or "", kind)) or departments.get(
        (district_of(event.unit_code) or "", kind)
    )
    if department is not None:
        event.handler_unit = department


@cache
def _columns() -> list:
    return list(Event._meta.concrete_fields)


def _insert(events: list[Event]) -> None:
    """Events as one multi-row INSERT per thousand: Django's bulk_create prepares every field
    of every row through the ORM, which costs more than the insert itself at this scale."""
    fields = _columns()
    ops = connection.ops
    now = timezone.now()
    rows = []
    for event in events:
        row = []
        for field in fields:
            value = getattr(event, field.attname)
            if value is None and getattr(field, "auto_now", False):
                value = now
            if isinstance(value, dt.datetime):
                value = ops.adapt_datetimefield_value(value)
            elif isinstance(value, dict | list):
                value = field.get_db_prep_save(value, connection)
            row.append(value)
        rows.append(row)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        Event._meta.db_table,
        ", ".join(field.column for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(sql, rows[start : start + 1000])


def synthesize(
    *,
    district: str,
    count: int,
    days: int = 730,
    seed: int = 2026,
    with_steps: bool = False,
    progress=None,
    days_per_batch: int = 7,
    now: dt.datetime | None = None,
    words: bool = False,
) -> int:
    """Add about `count` events over the last `days` days in the grids of `district` and add
    them to the rollups. `with_steps` also writes each event's timeline (the demo does; a
    benchmark of ten million events does not need seventy million log rows). Events are made
    in date order, a week at a time, so each batch touches few rollup rows.

    `words` (the demo) gives each event a title and description in a person's words
    (events.phrases) and sends the dispatched events of a category with a default department
    to that department of the grid's street or district, as a dispatcher would; its own random
    stream, so the events are otherwise the same."""
    now = now or timezone.now()
    rng = random.Random(seed)
    faker = Faker("zh_CN")
    faker.seed_instance(seed)
    grids = _grids(district)
    if not grids:
        raise ValueError(f"district {district} has no grids with a centre")
    categories = list(Category.objects.filter(active=True, parent__isnull=False))
    category_weights = list(accumulate(COMMON.get(category.code, 1) for category in categories))
    grid_weights = list(accumulate(rng.uniform(0.3, 1.7) for _grid in grids))
    hour_weights = list(accumulate([1] * 7 + [6] * 12 + [2] * 5))
    numbers = _Numbers()
    chain = rollups.all_chains()
    today = timezone.localdate(now)
    first = today - dt.timedelta(days=days - 1)
    # Busier towards the recent end of the period; weekdays busier than weekends.
    day_weights = [
        (0.7 + 0.6 * i / days) * (1.0 if (first + dt.timedelta(days=i)).weekday() < 5 else 0.6)
        for i in range(days)
    ]
    scale = count / sum(day_weights)
    tz = timezone.get_default_timezone()
    made = 0
    wording = random.Random(seed + 1) if words else None
    departments = _departments(district) if words else {}
    for batch_start in range(0, days, days_per_batch):
        events: list[Event] = []
        timelines: list[list[tuple[str, str, str, dt.datetime]]] = []
        for i in range(batch_start, min(days, batch_start + days_per_batch)):
            day = first + dt.timedelta(days=i)
            expected = day_weights[i] * scale
            n = int(expected) + (rng.random() < expected - int(expected))
            n = min(n, count - made - len(events))
            for _index in range(n):
                hour = rng.choices(HOURS, cum_weights=hour_weights)[0]
                moment = dt.time(hour, rng.randrange(60), rng.randrange(60))
                at = dt.datetime.combine(day, moment, tz)
                if at > now:
                    at = now - dt.timedelta(minutes=rng.randint(1, 120))
                unit = rng.choices(grids, cum_weights=grid_weights)[0]
                category = rng.choices(categories, cum_weights=category_weights)[0]
                event, steps = _event(rng, now, at, unit, category, faker, with_steps)
                if wording is not None:
                    _word(wording, event, category, departments)
                event.id, event.number = numbers(at)
                event.version = len(steps)
                events.append(event)
                timelines.append(steps)
        if not events:
            continue
        total: Counter = Counter()
        for event in events:
            total.update(rollups.contributions(event))
        with transaction.atomic():
            _insert(events)
            if with_steps:
                EventStep.objects.bulk_create(
                    (
                        EventStep(
                            event_id=event.id,
                            action=action,
                            from_status=source,
                            to_status=target,
                            at=moment,
                        )
                        for event, steps in zip(events, timelines, strict=True)
                        for action, source, target, moment in steps
                    ),
                    batch_size=2000,
                )
            rollups.bulk_add(total, chain)
        made += len(events)
        if progress is not None:
            progress.update(len(events))
    return made
