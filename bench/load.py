"""What the HTTP benchmarks share: servers on free ports with their own control sockets, and
clients that count every answer.

A client thread never quits on a refusal or an error: it counts it (by status, or by the
exception's name when no answer came), opens a new connection if the old one broke, and goes
on until its time is up. Every request's latency is kept with the minute it finished in, so a
run reports p50/p95 overall and per minute.
"""

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not answer /healthz in {seconds:.0f} s")


@contextmanager
def gunicorn(
    app: str, env: dict, var: Path, *, workers: int = 2, threads: int = 4
) -> Iterator[int]:
    """A gunicorn serving `app` on a free port (yielded), with its own control socket; stopped
    (the whole process group) on leaving."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            # As deploy/civicgrid-web.service: idle keep-alive connections live 75 s, not 2 s.
            "--keep-alive",
            "75",
            # Its own control socket, not the per-user default that `make run` uses.
            "--control-socket",
            str(var / f"gunicorn-{port}.ctl"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_until_up(port)
        yield port
    finally:
        stop(server)


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class Tally:
    """Every answer of a run: counts by outcome and latencies by minute."""

    started: float = field(default_factory=time.monotonic)
    outcomes: Counter = field(default_factory=Counter)
    latencies: dict[int, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: str, began: float, ended: float) -> None:
        minute = int((ended - self.started) // 60)
        with self.lock:
            self.outcomes[outcome] += 1
            self.latencies.setdefault(minute, []).append((ended - began) * 1000)

    def __getstate__(self) -> dict:  # sent back from client processes, without the lock
        return {"started": self.started, "outcomes": self.outcomes, "latencies": self.latencies}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, lock=threading.Lock())

    def merge(self, other: "Tally") -> None:
        self.outcomes.update(other.outcomes)
        for minute, values in other.latencies.items():
            self.latencies.setdefault(minute, []).extend(values)

    @property
    def requests(self) -> int:
        return sum(self.outcomes.values())

    @property
    def refused(self) -> int:
        """Answers that turned the request away: 409 (conflict), 429 (limit), 503 (busy)."""
        return sum(self.outcomes[str(code)] for code in (409, 429, 503))

    @property
    def errors(self) -> int:
        """Everything else that is not a success: other 4xx, 5xx, no answer at all."""
        return (
            self.requests
            - self.refused
            - sum(n for outcome, n in self.outcomes.items() if outcome.startswith("2"))
        )

    def summary(self) -> dict:
        every = [value for values in self.latencies.values() for value in values]
        per_minute = [
            {"minute": minute + 1, "requests": len(values), "p95_ms": _p95(values)}
            for minute, values in sorted(self.latencies.items())
        ]
        return {
            "requests": self.requests,
            "p50_ms": round(statistics.median(every), 1) if every else None,
            "p95_ms": _p95(every),
            "refused": self.refused,
            "errors": self.errors,
            "outcomes": dict(sorted(self.outcomes.items())),
            "per_minute": per_minute,
        }


def _p95(values: list[float]) -> float | None:
    if len(values) < 2:
        return round(values[0], 1) if values else None
    return round(statistics.quantiles(values, n=20)[-1], 1)


class Client:
    """One keep-alive connection that survives its errors; `call` records every request."""

    def __init__(self, port: int, tally: Tally, headers: dict | None = None) -> None:
        self.port, self.tally = port, tally
        self.headers = {"Content-Type": "application/json", **(headers or {})}
        self.conn: http.client.HTTPConnection | None = None

    def call(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, bytes]:
        """(status, body); status 0 when no answer came (the exception is what is counted)."""
        began = time.monotonic()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body, self.headers | (headers or {}))
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.tally.add(type(exc).__name__, began, time.monotonic())
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            return 0, b""
        self.tally.add(str(response.status), began, time.monotonic())
        return response.status, content


def run_threads(count: int, seconds: float, work: Callable[[int, float], None]) -> None:
    """`work(n, stop_at)` in `count` threads at once, each until the monotonic time `stop_at`."""
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=work, args=(n, stop_at)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
