"""HTTP event intake through gunicorn: POST /api/v1/events (token auth, point → grid lookup,
numbering, the log row, the rollups, notifications) against a bare Django JSON view on the
same server that parses the same body and inserts one row.

`DATABASE_URL` points it at PostgreSQL (a database of its own: it loads the demo district).

Both run under the same gunicorn (2 workers × 4 threads, like `make run`) on a free port with
its own control socket, on a separate SQLite database under var/bench-intake/ with the demo
district, driven by the same client: processes × threads keeping connections open, each posting
for a fixed time. Every answer is counted (bench/load.py): a refusal or an error is reported,
never dropped, and the thread goes on.
"""

import json
import multiprocessing
import os
import random
import time

from bench.load import ROOT, Client, Tally, gunicorn, run_threads

VAR = ROOT / "var" / "bench-intake"
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


def _client(args) -> Tally:
    port, path, key, points, seconds, seed = args
    tally = Tally()

    def worker(n: int, stop_at: float) -> None:
        rng = random.Random(seed * 100 + n)
        client = Client(port, tally, {"Authorization": f"Bearer {key}"})
        while time.monotonic() < stop_at:
            lon, lat = rng.choice(points)
            body = {"title": "楼道堆物", "category": "0103", "lon": lon, "lat": lat}
            client.call("POST", path, json.dumps(body, ensure_ascii=False).encode())

    run_threads(THREADS, seconds, worker)
    return tally


def _load(port: int, path: str, key: str, points, seconds: float = SECONDS) -> Tally:
    with multiprocessing.Pool(CLIENTS) as pool:
        tallies = pool.map(_client, [(port, path, key, points, seconds, i) for i in range(CLIENTS)])
    total = tallies[0]
    for tally in tallies[1:]:
        total.merge(tally)
    return total


def run() -> dict:
    key, points = _setup()
    from django.db import connection

    from bench import record

    env = os.environ | {"CIVICGRID_VAR_DIR": str(VAR)}
    with gunicorn("bench.intake_wsgi:application", env, VAR) as port:
        _load(port, "/bench/bare-intake", key, points[:50], seconds=3)  # warm both up
        ours = _load(port, "/api/v1/events", key, points)
        bare = _load(port, "/bench/bare-intake", key, points)
    accepted, bare_accepted = ours.outcomes["201"], bare.outcomes["201"]
    for name, tally in (("ours", ours), ("bare", bare)):
        print(name, {k: v for k, v in tally.summary().items() if k != "per_minute"}, flush=True)
    return record(
        "intake",
        {
            "events_per_s": round(accepted / SECONDS, 1),
            "bare_view_per_s": round(bare_accepted / SECONDS, 1),
            "refused": ours.refused,
            "errors": ours.errors,
            "p95_ms": ours.summary()["p95_ms"],
            "database": connection.vendor,
            "server": "gunicorn 2 workers × 4 threads",
            "clients": CLIENTS * THREADS,
            "seconds": SECONDS,
        },
        baseline="bare Django JSON view on the same server: parse the body, insert one row",
        ratio=accepted / max(bare_accepted, 1),
    )
