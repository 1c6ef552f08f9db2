"""Four rates for a district: civicgrid's rollup rows against the same figures computed by a
raw GROUP BY over the events, on a synthetic district of millions of events.

Builds (once, then reuses) a separate database under var/bench/ with the demo district and
`BASE` synthetic events made by `civicgrid.events.synth` (Faker zh_CN, realistic stage times,
two years). Python makes under a thousand such events a second, so the larger sizes are made
by copying the base events in SQL with new numbers, and adding the copies' contributions to
the rollups exactly. `BENCH_EVENTS` (default "1000000,10000000") are
the checkpoints at which both queries are measured: the rollup query stays flat while the raw
one grows. At every checkpoint the two must give the same numbers.
"""

import json
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
    # The synthetic base is made once; its size (which synth only approximates) is kept.
    marker = BENCH_DIR / "base.json"
    if not marker.exists():
        with tqdm(total=min(BASE, count), unit="event", desc="synthetic events") as bar:
            synthesize(district=district, count=min(BASE, count), progress=bar)
        last = Event.objects.order_by("-pk").values_list("pk", flat=True).first()
        marker.write_text(json.dumps({"events": Event.objects.count(), "last_id": last}))
    base = json.loads(marker.read_text())
    have = Event.objects.count()
    copies = round((count - have) / base["events"])
    if copies > 0:
        _copy(district, base["last_id"], (have - base["events"]) // base["events"] + 1, copies)


def _copy(district: str, last_base: int, first: int, copies: int) -> None:
    """Copies number first … first+copies-1 of the base events (ids up to `last_base`): same
    units, days and stages, new numbers and tokens. A district's figures read the district's
    own rollup rows, whose number does not depend on how many events there are, so copies
    load the rollups exactly as distinct events would; the raw query scans every copy."""
    from collections import Counter

    from django.db import connection, transaction
    from tqdm import tqdm

    from civicgrid.events import rollups
    from civicgrid.events.models import Event

    base = rollups.recount(rollups.event_rows(Event.objects.filter(pk__lte=last_base)))
    fields = [f for f in Event._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f.column for f in fields)
    renamed = {"number": "e.number || '-' || c.k", "token": "e.token || '-' || c.k"}
    selects = ", ".join(renamed.get(f.column, f"e.{f.column}") for f in fields)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute("CREATE TABLE bench_copy (k integer)")
    step = 5
    with tqdm(total=copies, desc="copies", unit="copy") as bar:
        for start in range(first, first + copies, step):
            batch = list(range(start, min(first + copies, start + step)))
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM bench_copy")
                cursor.executemany("INSERT INTO bench_copy VALUES (%s)", [(k,) for k in batch])
                cursor.execute(
                    f"INSERT INTO events_event ({columns}) SELECT {selects} "
                    f"FROM events_event e CROSS JOIN bench_copy c WHERE e.id <= %s",
                    [last_base],
                )
                rollups.bulk_add(Counter({key: value * len(batch) for key, value in base.items()}))
            bar.update(len(batch))


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
