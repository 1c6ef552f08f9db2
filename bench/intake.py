"""HTTP event intake through gunicorn: POST /api/v1/events (token auth, point → grid lookup,
numbering, the log row, the rollups, notifications) against a bare Django JSON view on the
same server that parses the same body and inserts one row.

`DATABASE_URL` points it at PostgreSQL (a database of its own: it loads the demo district).

Both run under the same gunicorn (2 workers × 4 threads, like `make run`), on a separate
SQLite database under var/bench-intake/ with the demo district, driven by the same client:
processes × threads keeping connections open, each posting for a fixed time.
"""

import http.client
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench-intake"
PORT = 8765
SECONDS = 20
CLIENTS = 2
THREADS = 8


def _setup() -> tuple[str, list[tuple[float, float]]]:
    VAR.mkdir(parents=True, exist_ok=True)
    os.environ["CIVICGRID_VAR_DIR"] = str(VAR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from civicgrid.accounts.models import User
    from civicgrid.accounts.tokens import issue_token
    from civicgrid.events.synth import _grids
    from civicgrid.org.demo import DEMO_DISTRICT, load_demo
    from civicgrid.org.models import OrgUnit

    call_command("migrate", verbosity=0)
    if not OrgUnit.objects.filter(code=DEMO_DISTRICT).exists():
        load_demo(DEMO_DISTRICT)
    serial = "bigserial" if connection.vendor == "postgresql" else "integer"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS bench_intake (id {serial} PRIMARY KEY, title text, "
            "category text, lon real, lat real)"
        )
    key = issue_token(user=User.objects.get(username="gridworker"), name="bench")[1]
    points = [(unit.centre_lon, unit.centre_lat) for unit in _grids(DEMO_DISTRICT)]
    return key, points


def _client(args) -> int:
    path, key, points, seconds, seed = args
    import threading

    done = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(n: int) -> None:
        rng = random.Random(seed * 100 + n)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        count = 0
        while time.monotonic() < stop:
            lon, lat = rng.choice(points)
            body = json.dumps(
                {"title": "楼道堆物", "category": "0103", "lon": lon, "lat": lat},
                ensure_ascii=False,
            )
            conn.request("POST", path, body.encode(), headers)
            response = conn.getresponse()
            response.read()
            if response.status == 201:
                count += 1
            else:
                raise SystemExit(f"{path} answered {response.status}")
        with lock:
            done[0] += count

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0]


def _rate(path: str, key: str, points) -> float:
    with multiprocessing.Pool(CLIENTS) as pool:
        counts = pool.map(_client, [(path, key, points, SECONDS, i) for i in range(CLIENTS)])
    return sum(counts) / SECONDS


def run() -> dict:
    key, points = _setup()
    from django.db import connection

    from bench import record

    env = os.environ | {"CIVICGRID_VAR_DIR": str(VAR)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.intake_wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
            # Its own control socket, not the per-user default that `make run` uses.
            "--control-socket",
            str(VAR / "gunicorn.ctl"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _try in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        _rate("/bench/bare-intake", key, points[:50])  # warm both up
        ours = _rate("/api/v1/events", key, points)
        bare = _rate("/bench/bare-intake", key, points)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    return record(
        "intake",
        {
            "events_per_s": round(ours, 1),
            "bare_view_per_s": round(bare, 1),
            "database": connection.vendor,
            "server": "gunicorn 2 workers × 4 threads",
            "seconds": SECONDS,
        },
        baseline="bare Django JSON view on the same server: parse the body, insert one row",
        ratio=ours / bare,
    )
