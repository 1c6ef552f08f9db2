"""Liveness, readiness and metrics (issue 15; docs/observability.md).

- /healthz (core.views.healthz): liveness. The process answers; it touches nothing, so a
  database outage never gets the app servers restarted.
- /readyz: readiness. The database, the task queue, file storage, the data keys and the task
  consumer's heartbeat, each checked and reported; 200 when all pass, else 503 naming the
  failed ones. It tells which check failed and why in a word (the error's class), never a
  host, a key or any personal data; the full error goes to the log.
- /metrics: Prometheus metrics (core.metrics), for a bearer token or an allowed address."""

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civicgrid.core import jobs, keyring, limits

log = logging.getLogger(__name__)


class NotReady(Exception):
    """A check failed; its message says why in words fit for the answer."""


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        connection.close_if_unusable_or_obsolete()
        raise
    return {}


def check_queue() -> dict[str, Any]:
    return {"pending": jobs.queue_depth()}


def check_storage() -> dict[str, Any]:
    default_storage.exists("readyz-probe")  # S3: a HEAD request, which needs the credentials
    location = getattr(default_storage, "location", None)
    if location is not None:  # on local disk: the folder can be written (made, as a save would)
        try:
            os.makedirs(location, exist_ok=True)
        except OSError:
            raise NotReady("the media folder cannot be made") from None
        if not os.access(location, os.W_OK):
            raise NotReady("the media folder is not writable")
    return {}


def check_keys() -> dict[str, Any]:
    """The data keys (core.keyring, issue 15): can they read this database's data?"""
    problem = keyring.problem()
    if problem:
        log.error("readiness: data keys: %s", problem)
        raise NotReady("the data keys cannot read this database's data")
    return {"checked": True}


def check_consumer() -> dict[str, Any]:
    """The task consumer's heartbeat, written every minute: older than
    CONSUMER_STALE_MINUTES means no consumer runs (no escalation, no reminders)."""
    if jobs.runs_immediately():
        return {"immediate": True}
    age = jobs.heartbeat_age()
    stale = settings.CONSUMER_STALE_MINUTES
    if age is None:
        if stale:
            raise NotReady("no task consumer has ever written a heartbeat")
        return {"age_s": None}
    if stale and age > stale * 60:
        raise NotReady(f"the task consumer's last heartbeat is {int(age)} s old")
    return {"age_s": int(age)}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "queue": check_queue,
    "storage": check_storage,
    "keys": check_keys,
    "consumer": check_consumer,
}
# Checks that read the database, made only when it answers.
NEED_DATABASE = {"keys"}


def readiness() -> tuple[bool, dict[str, dict[str, Any]]]:
    """(ready, each check's outcome). Each check is bounded by its client's timeouts (the
    database's connect_timeout, REDIS_URL's socket timeouts, the storage's own)."""
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        if name in NEED_DATABASE and not results["database"]["ok"]:
            # Not made: the database check has failed already and says why.
            results[name] = {"ok": True, "checked": False}
            continue
        try:
            result = {"ok": True, **check()}
        except NotReady as exc:
            result = {"ok": False, "error": str(exc)}
        except Exception as exc:
            log.warning("readiness: %s failed", name, exc_info=True)
            result = {"ok": False, "error": type(exc).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return all(result["ok"] for result in results.values()), results


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    ready, checks = readiness()
    failed = [name for name, result in checks.items() if not result["ok"]]
    return JsonResponse(
        {"ready": ready, "failed": failed, "checks": checks}, status=200 if ready else 503
    )


def _may_scrape(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(limits.client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOW)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics: 404 unless CIVICGRID_METRICS_TOKEN or CIVICGRID_METRICS_ALLOW is
    set, 403 for a request with neither the token nor an allowed address."""
    from prometheus_client import CONTENT_TYPE_LATEST

    from civicgrid.core.metrics import exposition

    if not settings.METRICS_TOKEN and not settings.METRICS_ALLOW:
        raise Http404
    if not _may_scrape(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
