"""Four rates for a district: civicgrid's rollup rows against the same figures computed by a
raw GROUP BY over the events, on a synthetic district of millions of events.

Builds (once, then reuses) a separate database under var/bench/ with the demo district and
`BASE` synthetic events made by `civicgrid.events.synth` (Faker zh_CN, realistic stage times,
two years). Python makes under a thousand such events a second, so the larger sizes are made
by copying the base events in SQL with new numbers, and adding the copies' contributions to
the rollups exactly. `BENCH_EVENTS` (default "1000000,10000000") are
the checkpoints at which both queries are measured: the rollup query stays flat while the raw
one grows. At every checkpoint the two must give the same numbers.

With `DATABASE_URL` set to a PostgreSQL database (its own, e.g. ``…/h_bench``; created if
missing) it runs there, on the events partitioned by month (events/partitions.py: the months of
the base period are created first, as for an import of history), and records its figures as
`four_rates_postgresql` beside SQLite's `four_rates`. The copies get ids and numbers of the day
they copy, as reports of that day would (one block of each day's counter per batch of copies), so
they land in their month's partition.
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
SYNTH_DAYS = 730  # synth's default period: two years


def _create_database(url: str) -> None:
    """The PostgreSQL database `url` names, created (owned by its user) if missing."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    settings = dj_database_url.parse(url)
    if "postgresql" not in settings["ENGINE"]:
        return
    with psycopg.connect(
        dbname="postgres",
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    ) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]
        ).fetchone()
        if not found:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings["NAME"]))
            )


def _setup() -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("CIVICGRID_VAR_DIR", str(BENCH_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    if os.environ.get("DATABASE_URL"):
        _create_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _marker() -> Path:
    """Where the size of the synthetic base is kept: one file per database."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return BENCH_DIR / "base.json"
    return BENCH_DIR / f"base-{connection.vendor}-{connection.settings_dict['NAME']}.json"


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
    import datetime as dt

    from django.utils import timezone
    from tqdm import tqdm

    from civicgrid.events import partitions
    from civicgrid.events.models import Event
    from civicgrid.events.synth import synthesize
    from civicgrid.org.demo import load_demo
    from civicgrid.org.models import OrgUnit

    if not OrgUnit.objects.filter(code=district).exists():
        load_demo(district)
    # The synthetic base is made once; its size (which synth only approximates) is kept.
    marker = _marker()
    if not marker.exists():
        # The base period's months, created before its events as an import of history would.
        today = timezone.localdate()
        partitions.ensure(today - dt.timedelta(days=SYNTH_DAYS), today)
        with tqdm(total=min(BASE, count), unit="event", desc="synthetic events") as bar:
            synthesize(district=district, count=min(BASE, count), days=SYNTH_DAYS, progress=bar)
        last = Event.objects.order_by("-pk").values_list("pk", flat=True).first()
        marker.write_text(json.dumps({"events": Event.objects.count(), "last_id": last}))
    base = json.loads(marker.read_text())
    have = Event.objects.count()
    copies = round((count - have) / base["events"])
    if copies > 0:
        _copy(district, base["last_id"], (have - base["events"]) // base["events"] + 1, copies)


def _copy(district: str, last_base: int, first: int, copies: int) -> None:
    """Copies number first … first+copies-1 of the base events (ids up to `last_base`): same
    units, days and stages, new tokens, and ids and numbers of the day each copies, taken from
    that day's counter (events.numbering) as reports of the day would take them, so that each
    copy lands in its month's partition on PostgreSQL. A district's figures read the district's
    own rollup rows, whose number does not depend on how many events there are, so copies
    load the rollups exactly as distinct events would; the raw query scans every copy."""
    import datetime as dt
    from collections import Counter

    from django.db import connection, transaction
    from django.db.models.expressions import RawSQL
    from tqdm import tqdm

    from civicgrid.events import numbering, rollups
    from civicgrid.events.models import Event

    fields = [f for f in Event._meta.concrete_fields if f.column not in ("id", "number", "token")]
    columns = ", ".join(["id", "number", "token", *(f.column for f in fields)])
    # Copy j of a batch of event e of day d: sequence first(d) + j × n(d) + rank of e in d.
    sequence = "s.first + c.j * s.n + b.r"
    padded = (
        f"printf('%06d', {sequence})"
        if connection.vendor == "sqlite"
        else f"lpad(CAST({sequence} AS text), 6, '0')"
    )
    selects = ", ".join(
        [
            f"CAST(b.d AS bigint) * {numbering.PER_DAY} + {sequence}",
            f"'E' || CAST(b.d AS text) || '-' || {padded}",
            "e.token || '-' || CAST(c.k AS text)",
            *(f"e.{f.column}" for f in fields),
        ]
    )
    with connection.cursor() as cursor:
        for table in ("bench_copy", "bench_block"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute("CREATE TABLE bench_copy (j integer, k integer)")
        cursor.execute("CREATE TABLE bench_block (d integer PRIMARY KEY, first integer, n integer)")
        # The base events, each with its day (from its number, E<yyyymmdd>-…) and rank within
        # its day: kept, since copies share the base's days and so its range of ids. Made at the
        # first copy, when every event is a base event (or, in a database of the older scheme,
        # every id up to the base's last is).
        if "bench_base" not in connection.introspection.table_names(cursor):
            cursor.execute(
                "CREATE TABLE bench_base AS SELECT id, "
                "CAST(substr(number, 2, 8) AS integer) AS d, "
                "ROW_NUMBER() OVER (PARTITION BY substr(number, 2, 8) ORDER BY id) - 1 AS r "
                "FROM events_event WHERE id <= %s",
                [last_base],
            )
            cursor.execute("CREATE INDEX bench_base_id ON bench_base (id)")
        cursor.execute("SELECT d, count(*) FROM bench_base GROUP BY d ORDER BY d")
        days = cursor.fetchall()
    base = rollups.recount(
        rollups.event_rows(Event.objects.filter(pk__in=RawSQL("SELECT id FROM bench_base", [])))
    )
    # All the copies of a checkpoint in one transaction, and the rollups moved once for all of
    # them: adding to the rollups costs the same for one copy or ninety (one upsert per rollup
    # row, some 700 thousand for the base), and an interrupted run leaves no copy half counted.
    step = 5
    with (
        transaction.atomic(),
        tqdm(total=copies, desc="copies", unit="copy") as bar,
    ):
        for start in range(first, first + copies, step):
            batch = list(range(start, min(first + copies, start + step)))
            with connection.cursor() as cursor:
                blocks = []
                for d, n in days:
                    day = dt.date(d // 10000, d // 100 % 100, d % 100)
                    blocks.append((d, numbering.reserve(day, n * len(batch)).start, n))
                cursor.execute("DELETE FROM bench_copy")
                cursor.execute("DELETE FROM bench_block")
                cursor.executemany("INSERT INTO bench_copy VALUES (%s, %s)", list(enumerate(batch)))
                cursor.executemany("INSERT INTO bench_block VALUES (%s, %s, %s)", blocks)
                cursor.execute(
                    f"INSERT INTO events_event ({columns}) SELECT {selects} "
                    f"FROM events_event e JOIN bench_base b ON b.id = e.id "
                    f"JOIN bench_block s ON s.d = b.d CROSS JOIN bench_copy c"
                )
            bar.update(len(batch))
        rollups.bulk_add(Counter({key: value * copies for key, value in base.items()}))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE events_event")


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
        "four_rates" if connection.vendor == "sqlite" else f"four_rates_{connection.vendor}",
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
