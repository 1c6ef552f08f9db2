"""A 10 000-row persons ledger imported on SQLite while another process keeps writing (as
reports do): how long that writer waits at most, i.e. how long the import holds the write
lock, against the whole import's time.

A fresh SQLite database under var/bench-import/ with one grid, 2 500 houses (imported first)
and 10 000 persons, four to a house (BENCH_ROWS sets another size; BENCH_PROFILE=file writes a
cProfile of the write transaction). The writer inserts one row per transaction every 20 ms.

Measured on the 2-core development machine under load (issue 12): before, rows applied one by
one through the services inside the transaction, the import took 150 s and the writer waited
up to 114 s; after (checked first, reading only, then staged and inserted in bulk) the import
took 30 s and the write transaction 1.5 s, the writer's longest wait 1.4 s.
"""

import datetime as dt
import io
import multiprocessing
import os
import sqlite3
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench-import"
HOUSES = int(os.environ.get("BENCH_ROWS", 10_000)) // 4
PERSONS = HOUSES * 4


def _writer(path: str, stop, waits) -> None:
    db = sqlite3.connect(path, timeout=300, isolation_level=None)
    db.execute("CREATE TABLE IF NOT EXISTS bench_probe (id integer PRIMARY KEY, at real)")
    longest = 0.0
    count = 0
    while not stop.is_set():
        began = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO bench_probe (at) VALUES (?)", (began,))
        db.execute("COMMIT")
        longest = max(longest, time.perf_counter() - began)
        count += 1
        time.sleep(0.02)
    waits.put((longest, count))


def _sheet(headers: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run() -> dict:
    VAR.mkdir(parents=True, exist_ok=True)
    for name in ("civicgrid.sqlite3", "civicgrid.sqlite3-wal", "civicgrid.sqlite3-shm"):
        (VAR / name).unlink(missing_ok=True)
    os.environ["CIVICGRID_VAR_DIR"] = str(VAR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from bench import record
    from civicgrid.org import services as org
    from civicgrid.org.kinds import Kind
    from civicgrid.org.roles import Role
    from civicgrid.people import ledgers
    from civicgrid.people.synth import fake_id

    call_command("migrate", verbosity=0)
    district = org.create_unit(
        actor=None, parent=None, kind=Kind.DISTRICT, name="区", code="410102"
    )
    street = org.create_unit(actor=None, parent=district, kind=Kind.STREET, name="街道")
    community = org.create_unit(actor=None, parent=street, kind=Kind.COMMUNITY, name="社区")
    grid = org.create_unit(actor=None, parent=community, kind=Kind.GRID, name="网格")
    user = get_user_model().objects.create_user(username="bench", password="x" * 20)
    org.post_user(actor=None, user=user, unit=grid, role=Role.GRID_WORKER)

    headers = [c.header for c in ledgers.COLUMNS["houses"]]
    rows = [
        [
            grid.code,
            "保利百合",
            f"{1 + i // 100}号楼",
            1 + i % 2,
            f"{i % 100:03d}",
            "自住",
            f"H{i}",
            2,
        ]
        for i in range(HOUSES)
    ]
    house_headers = ["网格编码", "小区", "楼栋", "单元", "房号", "用途", "户号", "楼栋单元数"]
    assert set(house_headers) <= set(headers)
    houses = ledgers.read_rows(_sheet(house_headers, rows), "houses")
    ledgers.Importer(user, grid, "houses").run(houses)

    person_headers = [
        "网格编码",
        "小区",
        "楼栋",
        "单元",
        "房号",
        "户号",
        "与户主关系",
        "姓名",
        "公民身份号码",
        "联系电话",
        "标签",
    ]
    rows = []
    for i in range(PERSONS):
        house = i // 4
        rows.append(
            [
                grid.code,
                "保利百合",
                f"{1 + house // 100}号楼",
                1 + house % 2,
                f"{house % 100:03d}",
                f"H{house}",
                "户主" if i % 4 == 0 else "子女",
                f"居民{i}",
                fake_id("410102", dt.date(1940, 1, 1) + dt.timedelta(days=i), 1 + i % 998),
                f"139{i:08d}",
                "独居老人" if i % 7 == 0 else "",
            ]
        )
    persons = ledgers.read_rows(_sheet(person_headers, rows), "persons")

    stop, waits = multiprocessing.Event(), multiprocessing.Queue()
    writer = multiprocessing.Process(
        target=_writer, args=(str(VAR / "civicgrid.sqlite3"), stop, waits)
    )
    writer.start()
    time.sleep(1)
    from django.db import transaction

    began = time.perf_counter()
    importer = ledgers.Importer(user, grid, "persons")
    staged = importer.stage(importer.check(persons))
    checked = time.perf_counter()
    profile = os.environ.get("BENCH_PROFILE")
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    with transaction.atomic():
        created = importer.write(staged)
    if profile:
        profiler.disable()
        profiler.dump_stats(profile)
    seconds = time.perf_counter() - began
    locked = time.perf_counter() - checked
    time.sleep(0.5)
    stop.set()
    longest, writes = waits.get()
    writer.join()
    assert created == PERSONS, created
    figures = {
        "rows": PERSONS,
        "import_s": round(seconds, 1),
        "write_transaction_s": round(locked, 2),
        "longest_writer_wait_s": round(longest, 2),
        "writes_during_import": writes,
    }
    return record(
        "ledger_import",
        figures,
        baseline="the whole import time (a writer blocked all along)",
        ratio=seconds / max(longest, 0.001),
    )


if __name__ == "__main__":
    print(run())
