"""A district's history of 100,000 requests (BENCH_ROWS sets another size) imported from a CSV
file with `interop.history` (docs/history-import.md): rows per second for the whole import
(read, check, write in chunks with the rollups), against the same requests reported one by one
through `events.services.report_event` (500 of them, the baseline).

On SQLite (a fresh database under var/bench-history/) another process keeps writing one row
per transaction every 20 ms, as live reports do, and its longest wait for the write lock is
reported: an import must never keep reports waiting longer than a chunk. With `DATABASE_URL`
pointing at a PostgreSQL database of its own (e.g. `postgres://postgres@127.0.0.1:5432/h_bench`,
created if missing) the same runs on partitioned PostgreSQL and is recorded as
`history_import_postgresql`. Each run imports under a source system of its own, so a kept
database imports the whole file again as new requests.

Also measured: a second import of the same file (every row already imported: the check alone),
and, for files up to 200,000 rows, that the rollups equal a recount afterwards.
"""

import csv
import datetime as dt
import io
import multiprocessing
import os
import random
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench-history"
ROWS = int(os.environ.get("BENCH_ROWS", 100_000))
BASELINE_ROWS = 500
DISTRICT = "410199"


def _setup() -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        for name in ("civicgrid.sqlite3", "civicgrid.sqlite3-wal", "civicgrid.sqlite3-shm"):
            (VAR / name).unlink(missing_ok=True)
    os.environ.setdefault("CIVICGRID_VAR_DIR", str(VAR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    if os.environ.get("DATABASE_URL"):
        from bench.four_rates import _create_database

        _create_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _district():
    """A district of 4 streets × 4 communities × 4 grids (boxes), made once per database."""
    from shapely.geometry import box, mapping

    from civicgrid.org import services as org
    from civicgrid.org.kinds import Kind
    from civicgrid.org.models import OrgUnit

    found = OrgUnit.objects.filter(code=DISTRICT).first()
    if found is not None:
        return found

    def square(x: float, y: float, size: float) -> dict:
        return mapping(box(x, y, x + size, y + size))

    lon, lat = 113.50, 34.70
    district = org.create_unit(
        actor=None,
        parent=None,
        kind=Kind.DISTRICT,
        name="基准区",
        code=DISTRICT,
        polygon=square(lon, lat, 0.16),
    )
    for s in range(4):
        sx, sy = lon + (s % 2) * 0.08, lat + (s // 2) * 0.08
        street = org.create_unit(
            actor=None,
            parent=district,
            kind=Kind.STREET,
            name=f"街道{s}",
            polygon=square(sx, sy, 0.08),
        )
        for c in range(4):
            cx, cy = sx + (c % 2) * 0.04, sy + (c // 2) * 0.04
            community = org.create_unit(
                actor=None,
                parent=street,
                kind=Kind.COMMUNITY,
                name=f"社区{s}{c}",
                polygon=square(cx, cy, 0.04),
            )
            for g in range(4):
                gx, gy = cx + (g % 2) * 0.02, cy + (g // 2) * 0.02
                org.create_unit(
                    actor=None,
                    parent=community,
                    kind=Kind.GRID,
                    name=f"网格{s}{c}{g}",
                    polygon=square(gx, gy, 0.02),
                )
    return district


def _file(rows: int, codes: list[str], seed: int = 16) -> bytes:
    """`rows` requests over the last two years: 85 % closed (of those 70 % with a deadline of
    their own, 60 % rated), the rest open."""
    from civicgrid.interop.history import COLUMNS

    rng = random.Random(seed)
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(microsecond=0)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    ratings = ["5", "5", "4", "3", "满意", "基本满意", "不满意", "1"]
    for i in range(rows):
        requested = now - dt.timedelta(days=30 + rng.random() * 700)
        accepted = requested + dt.timedelta(hours=rng.expovariate(1 / 3))
        closed = accepted + dt.timedelta(hours=rng.expovariate(1 / 60))
        is_closed = rng.random() < 0.85 and closed < now
        expected = requested + dt.timedelta(days=rng.choice([1, 3, 5, 7]))
        writer.writerow(
            [
                f"OLD-{i:07d}",
                "",
                rng.choice(codes),
                f"历史事件 {i}",
                f"{34.7005 + rng.random() * 0.159:.6f}",
                f"{113.5005 + rng.random() * 0.159:.6f}",
                "",
                requested.isoformat(),
                expected.isoformat() if rng.random() < 0.7 else "",
                accepted.isoformat() if rng.random() < 0.9 else "",
                closed.isoformat() if is_closed else "",
                "closed" if is_closed else "open",
                "",
                rng.choice(ratings) if is_closed and rng.random() < 0.6 else "",
            ]
        )
    return out.getvalue().encode()


def _baseline(district, codes: list[str]) -> float:
    """Rows per second through report_event, one request at a time (500 of them)."""
    from civicgrid.events import services
    from civicgrid.events.models import Category

    # Categories without required extra questions (a report of those must answer them).
    categories = [c for c in Category.objects.filter(code__in=codes) if not c.attributes]
    rng = random.Random(7)
    began = time.perf_counter()
    for i in range(BASELINE_ROWS):
        services.report_event(
            actor=None,
            title=f"基准 {i}",
            category=categories[i % len(categories)],
            lon=113.5005 + rng.random() * 0.159,
            lat=34.7005 + rng.random() * 0.159,
            reporter_phone="13900000000",
            at=dt.datetime.now(dt.UTC) - dt.timedelta(days=40 + rng.random() * 300),
        )
    return BASELINE_ROWS / (time.perf_counter() - began)


def run() -> dict:
    _setup()
    from django.db import connection
    from tqdm import tqdm

    from bench import record
    from bench.ledger_import import _writer
    from civicgrid.events import rollups
    from civicgrid.events.models import Category
    from civicgrid.interop import history

    district = _district()
    codes = list(
        Category.objects.filter(active=True, parent__isnull=False).values_list("code", flat=True)
    )
    data = _file(ROWS, codes)
    system = f"bench-{dt.datetime.now():%Y%m%d%H%M%S}"
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        stop, waits = multiprocessing.Event(), multiprocessing.Queue()
        writer = multiprocessing.Process(
            target=_writer, args=(connection.settings_dict["NAME"], stop, waits)
        )
        writer.start()
        time.sleep(1)
    bar = tqdm(total=ROWS, unit="rows", desc="import")
    written = 0

    def progress(done: int) -> None:
        nonlocal written
        bar.update(done - written)
        written = done

    outcome = history.import_file(
        data, district=district, system=system, filename="bench.csv", progress=progress
    )
    bar.close()
    longest = None
    if sqlite:
        time.sleep(0.5)
        stop.set()
        longest, _writes = waits.get()
        writer.join()
    assert outcome.imported == ROWS, outcome
    began = time.perf_counter()
    again = history.import_file(data, district=district, system=system, filename="bench.csv")
    reimport = time.perf_counter() - began
    assert again.imported == 0 and again.skipped == ROWS, again
    drift = len(rollups.check_all()) if ROWS <= 200_000 else None
    per_event = _baseline(district, codes)
    figures = {
        "rows": ROWS,
        "import_s": round(outcome.seconds, 1),
        "rows_per_s": outcome.rows_per_second,
        "reimport_s": round(reimport, 1),
        "rollup_drift": drift,
        "report_event_rows_per_s": round(per_event, 1),
        "database": connection.vendor,
    }
    if longest is not None:
        figures["longest_writer_wait_s"] = round(longest, 2)
    name = "history_import" if sqlite else f"history_import_{connection.vendor}"
    return record(
        name,
        figures,
        baseline="the same requests reported one by one through report_event",
        ratio=outcome.rows_per_second / per_event,
    )


if __name__ == "__main__":
    print(run())
