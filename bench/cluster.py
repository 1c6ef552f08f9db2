"""A city's set-up in miniature, under load: two app servers on one PostgreSQL, Redis and one
task consumer, all on this machine, driven by 32 clients for 10 minutes.

Each server is gunicorn with 2 workers × 4 threads on a free port with its own control socket;
the consumer is `manage.py run_huey`; both servers share the keys, as a city's do. Each client
plays a round again and again: a grid worker reports an event (POST /api/v1/events), the
community accepts it and dispatches it back to the grid worker, who signs for it — four
requests, sent to the two servers in turn as a load balancer would. Every answer is counted
(bench/load.py): refusals (409/429/503) and errors (other 4xx, 5xx, no answer) are reported,
never dropped. The goal is 0 refusals, 0 errors and a p95 as low in the last minute as in the
first.

PostgreSQL and Redis are required: BENCH_DATABASE_URL (default: the database
civicgrid_bench_cluster on 127.0.0.1, made if missing) and BENCH_REDIS_URL (default Redis
database 9, emptied first). BENCH_CLIENTS and BENCH_SECONDS change the load (32, 600).
"""

import json
import multiprocessing
import os
import random
import secrets
import subprocess
import sys
import time
from contextlib import ExitStack

from bench.load import ROOT, Client, Tally, gunicorn, run_threads, stop

VAR = ROOT / "var" / "bench-cluster"
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/civicgrid_bench_cluster"
REDIS_URL = "redis://127.0.0.1:6379/9"
PROCESSES = 4


def _environment() -> dict:
    """The servers' environment: the bench's own database, queue, files and shared keys."""
    VAR.mkdir(parents=True, exist_ok=True)
    keys = VAR / "keys.json"
    if not keys.exists():
        from cryptography.fernet import Fernet

        keys.write_text(
            json.dumps(
                {
                    "CIVICGRID_SECRET_KEY": secrets.token_urlsafe(50),
                    "CIVICGRID_DATA_KEYS": Fernet.generate_key().decode(),
                }
            )
        )
    return (
        os.environ
        | json.loads(keys.read_text())
        | {
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", DATABASE_URL),
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", REDIS_URL),
            "CIVICGRID_VAR_DIR": str(VAR),
            "DJANGO_SETTINGS_MODULE": "civicgrid.settings",
        }
    )


def _create_database(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if not found.fetchone():
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def _setup(env: dict) -> dict:
    """Migrate, load the demo district once, and hand the clients what they need."""
    _create_database(env["DATABASE_URL"])
    os.environ.update(env)
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    from civicgrid.accounts.models import User
    from civicgrid.accounts.tokens import issue_token
    from civicgrid.org.demo import DEMO_COMMUNITY, DEMO_DISTRICT, load_demo
    from civicgrid.org.models import OrgUnit

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    call_command("migrate", verbosity=0)
    if not OrgUnit.objects.filter(code=DEMO_DISTRICT).exists():
        load_demo(DEMO_DISTRICT)
    worker = User.objects.get(username="gridworker")
    grid = OrgUnit.objects.get(code=DEMO_COMMUNITY + "001")
    return {
        "worker": issue_token(user=worker, name="bench")[1],
        "worker_id": worker.pk,
        "community": issue_token(user=User.objects.get(username="community"), name="bench")[1],
        "grid": grid.code,
        "centre": (grid.centre_lon, grid.centre_lat),
    }


def _round(clients: list[Client], rng: random.Random, plan: dict) -> None:
    """Report, accept, dispatch, sign; each request to the next server."""
    turn = rng.randrange(len(clients))

    def send(token: str, path: str, body: dict) -> dict | None:
        nonlocal turn
        client = clients[turn % len(clients)]
        turn += 1
        status, content = client.call(
            "POST",
            path,
            json.dumps(body, ensure_ascii=False).encode(),
            {"Authorization": f"Bearer {token}"},
        )
        return json.loads(content) if status in (200, 201) else None

    lon, lat = plan["centre"]
    event = send(
        plan["worker"],
        "/api/v1/events",
        {
            "title": "楼道堆物",
            "category": "0103",
            "lon": lon + rng.uniform(-0.0002, 0.0002),
            "lat": lat + rng.uniform(-0.0002, 0.0002),
        },
    )
    steps = [
        (plan["community"], "accept", {}),
        (
            plan["community"],
            "dispatch",
            {"handler_unit": plan["grid"], "handler_user": plan["worker_id"]},
        ),
        (plan["worker"], "sign", {}),
    ]
    for token, action, fields in steps:
        if event is None:
            return
        event = send(
            token,
            f"/api/v1/events/{event['number']}/steps/{action}",
            {"version": event["version"], **fields},
        )


def _client(args) -> Tally:
    ports, plan, threads, seconds, seed = args
    tally = Tally()

    def worker(n: int, stop_at: float) -> None:
        rng = random.Random(seed * 1000 + n)
        clients = [Client(port, tally) for port in ports]
        while time.monotonic() < stop_at:
            _round(clients, rng, plan)

    run_threads(threads, seconds, worker)
    return tally


def run() -> dict:
    clients = int(os.environ.get("BENCH_CLIENTS", "32"))
    seconds = int(os.environ.get("BENCH_SECONDS", "600"))
    env = _environment()
    plan = _setup(env)
    from django.db import connection

    from bench import record
    from civicgrid.events import rollups
    from civicgrid.events.models import Event

    before = Event.objects.count()
    connection.close()  # not to be shared with the forked clients
    with ExitStack() as stack:
        consumer = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--quiet"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        stack.callback(stop, consumer)
        app = "civicgrid.wsgi:application"
        ports = [stack.enter_context(gunicorn(app, env, VAR)) for _ in range(2)]
        per_process = [clients // PROCESSES + (i < clients % PROCESSES) for i in range(PROCESSES)]
        with multiprocessing.Pool(PROCESSES) as pool:
            tallies = pool.map(
                _client,
                [(ports, plan, n, seconds, i) for i, n in enumerate(per_process) if n],
            )
    total = tallies[0]
    for tally in tallies[1:]:
        total.merge(tally)
    summary = total.summary()
    made = Event.objects.count() - before
    numbers = Event.objects.values("number").distinct().count()
    drift = rollups.check_all()
    minutes = summary["per_minute"]
    # A partial last minute (the run's tail) says little; compare whole minutes.
    whole = [m for m in minutes if m["requests"] >= minutes[0]["requests"] / 4] or minutes
    first, last = whole[0]["p95_ms"], whole[-1]["p95_ms"]
    print(json.dumps(summary, indent=1), flush=True)
    if made != total.outcomes["201"] or numbers != Event.objects.count() or drift:
        raise SystemExit(
            f"inconsistent: {made} events made, {total.outcomes['201']} acknowledged, "
            f"{numbers} distinct numbers, rollup drift {drift[:3]}"
        )
    return record(
        "cluster",
        {
            "clients": clients,
            "seconds": seconds,
            "requests_per_s": round(summary["requests"] / seconds, 1),
            "events_per_s": round(made / seconds, 1),
            "p50_ms": summary["p50_ms"],
            "p95_ms": summary["p95_ms"],
            "p95_first_minute_ms": first,
            "p95_last_minute_ms": last,
            "refused": summary["refused"],
            "errors": summary["errors"],
            "outcomes": summary["outcomes"],
            "database": connection.vendor,
            "servers": "2 × gunicorn 2 workers × 4 threads, 1 huey consumer, Redis",
        },
        baseline="the same run's first minute (p95 of the last minute / p95 of the first)",
        ratio=(last or 0) / (first or 1),
    )
