"""The cockpit's district overview (issue 19): `figures.overview` for the district, every
registered section, the period and its two comparisons, read from the rollups, against the
same figures computed from the rows (the events by the four rates' raw GROUP BY, for the
period, the previous one and the same period last year; the basic data and its completeness
counted over the ledgers), in one run.

Uses the four rates' database under var/bench/ (`bench.four_rates`: the demo district and its
synthetic events, copied in SQL up to `BENCH_COCKPIT_EVENTS`, default 10,000,000) and adds
residents up to `BENCH_COCKPIT_PERSONS` (default 1,000,000): `synth.Writer` fills
`BENCH_COCKPIT_BASE_GRIDS` grids (buildings, houses, households, persons with their numbers,
tags and search keys; about 400 persons a grid), and those persons are copied in SQL into
the district's grids and micro-grids (copies without a household: their ID hashes suffixed,
so each stays one person on record) until there are enough; the ledger rollup is then
rebuilt for the district (`ledger_rollups.rebuild`, the function the tests check against the
services). Both ways must give the same numbers.

Writes bench/results.json "cockpit": {events, persons, p95_ms, raw_ms, ratio}; smaller sizes
(the env variables above) are recorded as they are, with their sizes.
"""

import datetime as dt
import os
import statistics
import time

EVENTS = int(os.environ.get("BENCH_COCKPIT_EVENTS", "10000000"))
PERSONS = int(os.environ.get("BENCH_COCKPIT_PERSONS", "1000000"))
BASE_GRIDS = int(os.environ.get("BENCH_COCKPIT_BASE_GRIDS", "40"))
HOUSEHOLDS_PER_GRID = 160
RUNS = int(os.environ.get("BENCH_COCKPIT_RUNS", "100"))
RAW_RUNS = int(os.environ.get("BENCH_COCKPIT_RAW_RUNS", "3"))


def _units(district: str, kinds) -> list:
    from civicgrid.org.models import OrgUnit

    return list(
        OrgUnit.objects.filter(code__under=district, kind__in=kinds, active=True)
        .only("pk", "code")
        .order_by("code")
    )


def _ensure_persons(count: int, district: str) -> None:
    """At least `count` persons on record under `district`, and its ledger rollup rebuilt."""
    from django.db import connection, transaction
    from tqdm import tqdm

    from civicgrid.org.kinds import Kind
    from civicgrid.people import ledger_rollups
    from civicgrid.people.models import DATA_UNIT_KINDS, Person
    from civicgrid.people.synth import Writer

    persons = Person.objects.filter(unit_code__under=district)
    base = _units(district, [Kind.GRID])[:BASE_GRIDS]
    # Copies go to every unit basic data hangs on (grids and micro-grids), as in a district.
    grids = _units(district, DATA_UNIT_KINDS)
    if not persons.exists():
        writer = Writer(district[:6])
        for grid in tqdm(base, desc="synthetic residents", unit="grid"):
            writer.fill(grid, HOUSEHOLDS_PER_GRID)
    have = persons.count()
    if have < count:
        base_ids = {grid.pk for grid in base}
        last = Person.objects.filter(unit_id__in=base_ids).order_by("pk").last().pk
        base_count = Person.objects.filter(unit_id__in=base_ids, pk__lte=last).count()
        first_copy = have // base_count  # copies already made, the base counting as copy 0
        copies = -(-(count - have) // base_count)
        by_pk = {grid.pk: i for i, grid in enumerate(base)}
        mapping = [
            (k, grid_pk, grids[(k * len(base) + i) % len(grids)].pk)
            for k in range(first_copy, first_copy + copies)
            for grid_pk, i in by_pk.items()
        ]
        codes = {grid.pk: grid.code for grid in grids}
        fields = [f for f in Person._meta.concrete_fields if f.column != "id"]
        own = {
            "unit_id": "m.to_id",
            "unit_code": "m.to_code",
            "id_hash": "CASE WHEN p.id_hash = '' THEN '' "
            "ELSE p.id_hash || '-' || CAST(m.k AS text) END",
            "household_id": "NULL",
            "relation": "''",
        }
        columns = ", ".join(f.column for f in fields)
        selects = ", ".join(own.get(f.column, f"p.{f.column}") for f in fields)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_person_map")
            cursor.execute(
                "CREATE TABLE bench_person_map (k integer, from_id bigint, to_id bigint, "
                "to_code varchar(32))"
            )
            cursor.executemany(
                "INSERT INTO bench_person_map VALUES (%s, %s, %s, %s)",
                [(k, source, target, codes[target]) for k, source, target in mapping],
            )
            for k in tqdm(range(first_copy, first_copy + copies), desc="copies", unit="copy"):
                cursor.execute(
                    f"INSERT INTO people_person ({columns}) SELECT {selects} "
                    "FROM people_person p JOIN bench_person_map m ON m.from_id = p.unit_id "
                    "WHERE m.k = %s AND p.id <= %s",
                    [k, last],
                )
    ledger_rollups.rebuild(district)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE people_person")


def _raw(connection, district, periods) -> dict:
    """The same figures from the rows: the events' counts for each period, the basic data."""
    from bench import four_rates
    from civicgrid.people import selectors

    events = [four_rates._raw(connection, district.code, p.first, p.last) for p in periods]
    counted = selectors.counted_below(None, district, [district], scoped=False)[0]
    totals = {check.code: check.total for check in counted.checks}
    return {
        "events": events,
        "people": {
            "persons": totals["person_fields"],
            "households": totals["household_head"],
            "houses": totals["house_use"],
            "organisations": totals["organisation_contact"],
            "completeness": counted.score,
        },
    }


def run() -> dict:
    from bench import four_rates

    four_rates._setup()
    from django.db import connection
    from django.utils import timezone

    from bench import record
    from civicgrid.cockpit import figures
    from civicgrid.events.models import Event
    from civicgrid.org.demo import DEMO_DISTRICT
    from civicgrid.org.models import OrgUnit
    from civicgrid.people.models import Person, PersonStatus

    four_rates._ensure(EVENTS, DEMO_DISTRICT)
    _ensure_persons(PERSONS, DEMO_DISTRICT)
    district = OrgUnit.objects.get(code=DEMO_DISTRICT)
    period = figures.Period.containing("year", timezone.localdate())
    periods = [period, period.previous(), period.last_year()]
    overview = figures.overview(district, period)  # warm
    timings = []
    for _run in range(RUNS):
        began = time.perf_counter()
        overview = figures.overview(district, period)
        timings.append((time.perf_counter() - began) * 1000)
    raw_timings = []
    for _run in range(RAW_RUNS):
        began = time.perf_counter()
        raw = _raw(connection, district, periods)
        raw_timings.append((time.perf_counter() - began) * 1000)
    ours = overview.values()
    for name, key in (("reported", "events.reported"), ("closed", "events.closed")):
        figure = overview.figure(key)
        got = (figure.value, figure.previous, figure.last_year)
        want = tuple(found[name] for found in raw["events"])
        if got != want:
            raise SystemExit(f"{key}: rollups {got} != rows {want}")
    for name, value in raw["people"].items():
        if ours[f"people.{name}"] != value:
            raise SystemExit(f"people.{name}: rollup {ours[f'people.{name}']} != rows {value}")
    p95 = statistics.quantiles(timings, n=20)[-1]
    raw_ms = statistics.median(raw_timings)
    events = Event.objects.count()
    persons = Person.objects.filter(status=PersonStatus.PRESENT).count()
    print({"events": events, "persons": persons, "p95_ms": p95, "raw_ms": raw_ms}, flush=True)
    return record(
        "cockpit" if connection.vendor == "sqlite" else f"cockpit_{connection.vendor}",
        {
            "events": events,
            "persons": persons,
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(p95, 2),
            "raw_ms": round(raw_ms, 1),
            "sections": list(figures.SECTIONS),
            "database": connection.vendor,
            "period": f"{period.value} (with {periods[1].value} and {periods[2].value})",
            "target": {"events": 10_000_000, "persons": 1_000_000, "p95_ms": 50},
            "measured_on": dt.date.today().isoformat(),
        },
        baseline=(
            "the same figures from the rows: the four rates' raw GROUP BY over the district's "
            "events for the period, the previous one and the same one last year, and the basic "
            "data and completeness counted over the ledgers (checked equal)"
        ),
        ratio=raw_ms / p95,
    )
