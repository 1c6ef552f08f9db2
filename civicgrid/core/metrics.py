"""Prometheus metrics (issue 15), served at /metrics (core.health.metrics).

Counted per request by core.middleware.RequestLogMiddleware: requests (by method and status
class), errors (5xx) and a latency histogram. Read at each scrape: the task queue's depth, the
age of the consumer's heartbeat, and the gauges other apps register (events: overdue events).

Under gunicorn each worker is a process with its own counters: set PROMETHEUS_MULTIPROC_DIR to
an empty folder writable by the workers (emptied at each start), and a scrape sums them all."""

import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger(__name__)

REQUESTS = Counter(
    "civicgrid_requests", "HTTP requests answered, by method and status class", ["method", "status"]
)
ERRORS = Counter("civicgrid_request_errors", "HTTP requests answered with a 5xx status")
LATENCY = Histogram(
    "civicgrid_request_duration_seconds",
    "Time from a request's arrival to its response, in seconds",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
_gauges: dict[str, tuple[str, Callable[[], float | None]]] = {}


def observe(method: str, status: int, seconds: float) -> None:
    """One request answered."""
    REQUESTS.labels(method if method in _METHODS else "other", f"{status // 100}xx").inc()
    if status >= 500:
        ERRORS.inc()
    LATENCY.observe(seconds)


def register_gauge(name: str, documentation: str, read: Callable[[], float | None]) -> None:
    """A gauge read at each scrape: `read()` returns its value, or None to leave it out. A
    gauge that fails to read is left out of that scrape (and logged)."""
    _gauges[name] = (documentation, read)


class _Gauges:
    def collect(self) -> Iterator[Metric]:
        for name, (documentation, read) in _gauges.items():
            try:
                value = read()
            except Exception:
                log.warning("metric %s could not be read", name, exc_info=True)
                continue
            if value is not None:
                yield GaugeMetricFamily(name, documentation, value=value)


class _Scrape:
    def __init__(self, *sources: Any) -> None:
        self.sources = sources

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()


def exposition() -> bytes:
    """The metrics in Prometheus' text format."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    counted = MultiProcessCollector(None, path=path) if path else REGISTRY  # type: ignore[no-untyped-call]
    return bytes(generate_latest(_Scrape(counted, _Gauges())))


def _queue_depth() -> float:
    from civicgrid.core import jobs

    return jobs.queue_depth()


def _heartbeat_age() -> float | None:
    from civicgrid.core import jobs

    return None if jobs.runs_immediately() else jobs.heartbeat_age()


register_gauge("civicgrid_queue_depth", "Tasks waiting in the task queue", _queue_depth)
register_gauge(
    "civicgrid_consumer_heartbeat_age_seconds",
    "Seconds since the task consumer's last heartbeat",
    _heartbeat_age,
)
