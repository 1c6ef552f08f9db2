"""Four rates for a district: civicgrid's rollup rows against the same figures computed by a
raw GROUP BY over the events, on a synthetic district of millions of events.

Builds (once, then reuses) a separate database under var/bench/ with the demo district and
`BASE` synthetic events made by `civicgrid.events.synth` (Faker zh_CN, realistic stage times,
two years). Python makes about a thousand such events a second, so the larger sizes are made
by copying the base events in SQL, each copy moved to other grids of the district (and its
rollup contributions moved with it, exactly). `BENCH_EVENTS` (default "1000000,10000000") are
the checkpoints at which both queries are measured: the rollup query stays flat while the raw
one grows. At every checkpoint the two must give the same numbers.
"""

import os
import statistics
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent / "var" / "bench"
QUERY_RUNS = 200
RAW_RUNS = 3
BASE = 100_000


def _setup() -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("CIVICGRID_VAR_DIR", str(BENCH_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


RAW_SQL = """
SELECT
  SUM(CASE WHEN reported_at >= %(start)s AND reported_at < %(end)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN dispatched_at >= %(start)s AND dispatched_at < %(end)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN dispatched_at >= %(start)s AND dispatched_at < %(end)s
           AND responded_at <= response_due THEN 1 ELSE 0 END),
  SUM(CASE WHEN closure_due >= %(start)s AND closure_due < %(end)s
           AND status <> 'rejected' THEN 1 ELSE 0 END),
  SUM(CASE WHEN closure_due >= %(start)s AND closure_due < %(end)s
           AND status <> 'rejected' AND closed_at IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN closed_at >= %(start)s AND closed_at < %(end)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN closed_at >= %(start)s AND closed_at < %(end)s
           AND closed_at <= closure_due THEN 1 ELSE 0 END),
  SUM(CASE WHEN rated_at >= %(start)s AND rated_at < %(end)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN rated_at >= %(start)s AND rated_at < %(end)s AND solved THEN 1 ELSE 0 END),
  SUM(CASE WHEN rated_at >= %(start)s AND rated_at < %(end)s
           AND satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
FROM events_event
WHERE unit_code LIKE %(prefix)s
"""
RAW_NAMES = [
    "reported",
    "dispatched",
    "responded_on_time",
    "due",
    "due_closed",
    "closed",
    "closed_on_time",
    "follow_ups",
    "solved",
    "pleased",
]


def _raw(connection, code, start, end) -> dict[str, int]:
    import datetime as dt

    from django.utils import timezone

    tz = timezone.get_default_timezone()
    params = {
        "start": dt.datetime.combine(start, dt.time(), tzinfo=tz),
        "end": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz),
        "prefix": code + "%",
    }
    sql = RAW_SQL
    if connection.vendor == "sqlite":
        # Django stores SQLite datetimes as UTC text; compare as such.
        params = {
            k: (v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if k != "prefix" else v)
            for k, v in params.items()
        }
        sql = (
            sql.replace("%(start)s", ":start")
            .replace("%(end)s", ":end")
            .replace("%(prefix)s", ":prefix")
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {name: int(value or 0) for name, value in zip(RAW_NAMES, row, strict=True)}


def _ensure(count: int, district: str) -> None:
    from tqdm import tqdm

    from civicgrid.events.models import Event
    from civicgrid.events.synth import synthesize
    from civicgrid.org.demo import load_demo
    from civicgrid.org.models import OrgUnit

    if not OrgUnit.objects.filter(code=district).exists():
        load_demo(district)
    base = min(BASE, count)
    have = Event.objects.count()
    if have < base:
        with tqdm(total=base - have, unit="event", desc="synthetic events") as bar:
            synthesize(district=district, count=base - have, seed=have + 1, progress=bar)
        have = Event.objects.count()
    copies = (count - have) // base
    if copies > 0:
        _copy(district, base, have // base, copies)


def _copy(district: str, base: int, first: int, copies: int) -> None:
    """Copies number first … first+copies-1 of the first `base` events, each on other grids."""
    from collections import Counter

    from django.db import connection, transaction
    from tqdm import tqdm

    from civicgrid.events import rollups
    from civicgrid.events.models import Event
    from civicgrid.events.synth import _grids

    grids = [(unit.pk, unit.code) for unit in _grids(district)]
    position = {pk: index for index, (pk, _code) in enumerate(grids)}
    last_base = Event.objects.order_by("pk").values_list("pk", flat=True)[base - 1]
    total = rollups.recount(rollups.event_rows(Event.objects.filter(pk__lte=last_base)))
    fields = [f for f in Event._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f.column for f in fields)
    chain = rollups.all_chains()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_unit_map")
        cursor.execute(
            "CREATE TABLE bench_unit_map (old_id bigint, new_id bigint, new_code varchar(40))"
        )
    for k in tqdm(range(first, first + copies), desc="copies", unit="copy"):
        shift = (k * 7919) % len(grids)
        mapping = {pk: grids[(index + shift) % len(grids)] for pk, index in position.items()}
        selects = []
        for field in fields:
            if field.column == "number":
                selects.append(f"e.number || '-{k}'")
            elif field.column == "token":
                selects.append(f"e.token || '{k}'")
            elif field.column == "unit_id":
                selects.append("m.new_id")
            elif field.column == "unit_code":
                selects.append("m.new_code")
            else:
                selects.append(f"e.{field.column}")
        moved: Counter = Counter()
        for (unit_id, _code, category_id, day, counter), value in total.items():
            new_id, new_code = mapping[unit_id]
            moved[(new_id, new_code, category_id, day, counter)] += value
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM bench_unit_map")
            cursor.executemany(
                "INSERT INTO bench_unit_map VALUES (%s, %s, %s)",
                [(old, new_id, new_code) for old, (new_id, new_code) in mapping.items()],
            )
            cursor.execute(
                f"INSERT INTO events_event ({columns}) SELECT {', '.join(selects)} "
                f"FROM events_event e JOIN bench_unit_map m ON m.old_id = e.unit_id "
                f"WHERE e.id <= %s",
                [last_base],
            )
            rollups.bulk_add(moved, chain)


def run() -> dict:
    _setup()
    from django.db import connection
    from django.utils import timezone

    from bench import record
    from civicgrid.events import selectors
    from civicgrid.org.demo import DEMO_DISTRICT
    from civicgrid.org.models import OrgUnit

    sizes = [int(n) for n in os.environ.get("BENCH_EVENTS", "1000000,10000000").split(",")]
    checkpoints = []
    for size in sizes:
        _ensure(size, DEMO_DISTRICT)
        district = OrgUnit.objects.get(code=DEMO_DISTRICT)
        end = timezone.localdate()
        start = end.replace(month=1, day=1)
        timings = []
        for _run in range(QUERY_RUNS):
            began = time.perf_counter()
            figures = selectors.figures_for(district, start, end)
            timings.append((time.perf_counter() - began) * 1000)
        raw_timings = []
        for _run in range(RAW_RUNS):
            began = time.perf_counter()
            raw = _raw(connection, district.code, start, end)
            raw_timings.append((time.perf_counter() - began) * 1000)
        ours = {name: figures.counts[name] for name in RAW_NAMES}
        if ours != raw:
            raise SystemExit(f"rollups and raw GROUP BY disagree: {ours} != {raw}")
        p95 = statistics.quantiles(timings, n=20)[-1]
        point = {
            "events": size,
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(p95, 2),
            "raw_group_by_ms": round(statistics.median(raw_timings), 1),
            "ratio": round(statistics.median(raw_timings) / p95, 1),
        }
        print(point, flush=True)
        checkpoints.append(point)
    last = checkpoints[-1]
    return record(
        "four_rates",
        {
            "events": last["events"],
            "p95_ms": last["p95_ms"],
            "raw_group_by_ms": last["raw_group_by_ms"],
            "database": connection.vendor,
            "period": f"{start}..{end}",
            "checkpoints": checkpoints,
        },
        baseline="raw GROUP BY over the district's events (same figures, checked equal)",
        ratio=last["ratio"],
    )
