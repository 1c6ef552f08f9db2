"""Background jobs that survive mistakes and crashes (issue 15).

- `periodic`: a periodic job runs once per scheduled minute across every consumer, and never
  twice at once: it takes a lease (core.models.JobLock) with a conditional UPDATE in the
  database all consumers share, so two consumers started by mistake run it once. The lease
  ends by itself after JOB_LEASE_MINUTES, so a consumer killed mid-run blocks nothing for
  long. The job's own items are claimed one by one in their services (a conditional UPDATE
  or a row lock), so even two runs that overlap act on each item once.
- `enqueue_on_commit`: a task is queued after the caller's transaction commits; when the queue
  cannot be reached, `failed(exc)` is called instead of a 500 after the commit, so the caller
  marks its job failed with the reason (no "queued" job that never runs).
- The consumer's heartbeat: written to the task queue's own storage (Redis or the SQLite
  file, which every app server reads) at start and every minute; `heartbeat_age` reads it.
- The request id of the request that queued a task travels in the task's id and is the
  request id of the task's log lines (core.logs)."""

import datetime as dt
import functools
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from huey import signals
from huey.contrib.djhuey import HUEY, db_periodic_task

from civicgrid.core.logs import REQUEST_ID

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "civicgrid.consumer.heartbeat"
_TASK_ID_SEPARATOR = ":"


# ---- one run per schedule ---------------------------------------------------------------------


def take_lease(name: str, now: dt.datetime | None = None) -> str | None:
    """Take the lease of periodic job `name` for its scheduled minute: a token, or None when
    another run holds it or a run of this minute took it already."""
    from civicgrid.core.models import JobLock

    now = now or timezone.now()
    slot = now.replace(second=0, microsecond=0)
    until = now + dt.timedelta(minutes=settings.JOB_LEASE_MINUTES)
    token = secrets.token_hex(8)
    free = Q(until__lte=now) & (Q(slot__isnull=True) | Q(slot__lt=slot))
    if JobLock.objects.filter(free, name=name).update(holder=token, until=until, slot=slot):
        return token
    try:
        with transaction.atomic():
            JobLock.objects.create(name=name, holder=token, until=until, slot=slot)
    except IntegrityError:
        return None  # the job's row exists: held, or this minute is done
    return token


def release_lease(name: str, token: str) -> None:
    from civicgrid.core.models import JobLock

    JobLock.objects.filter(name=name, holder=token).update(holder="", until=timezone.now())


def periodic(schedule: Callable[..., bool]) -> Callable[[Callable[..., Any]], Any]:
    """huey's db_periodic_task, run under the job's lease (see the module's text). A run that
    finds the lease taken does nothing and returns None."""

    def decorate(fn: Callable[..., Any]) -> Any:
        name = f"{fn.__module__}.{fn.__name__}"

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            token = take_lease(name)
            if token is None:
                log.info("periodic job %s skipped: run elsewhere for this minute", name)
                return None
            try:
                return fn(*args, **kwargs)
            finally:
                release_lease(name, token)

        run.lease_name = name  # type: ignore[attr-defined]
        return db_periodic_task(schedule)(run)

    return decorate


# ---- queueing after commit --------------------------------------------------------------------


def enqueue_on_commit(
    task: Callable[..., Any], *args: Any, failed: Callable[[Exception], None] | None = None
) -> None:
    """Queue `task(*args)` once the current transaction commits. If the queue cannot take it
    (Redis down, the SQLite file unwritable), the error is logged and `failed(error)` runs
    (in its own transaction), so nothing is left waiting for a task that was never queued."""

    def send() -> None:
        try:
            task(*args)
        except Exception as exc:  # any failure of the queue's storage
            if runs_immediately():
                raise  # the task itself failed, in the caller: not a queue to report on
            log.exception("could not queue %s%r", getattr(task, "name", task), args)
            if failed is not None:
                with transaction.atomic():
                    failed(exc)

    transaction.on_commit(send)


def _carry_request_id(signal: str, task: Any, *args: Any) -> None:
    """A task queued during a request carries the request's id in its own id."""
    request_id = REQUEST_ID.get()
    if request_id and _TASK_ID_SEPARATOR not in task.id:
        task.id = f"{request_id}{_TASK_ID_SEPARATOR}{task.id}"
        task.revoke_id = f"r:{task.id}"


def _adopt_request_id(task: Any) -> None:
    """The task's log lines carry the id of the request that queued it (or none)."""
    request_id, separator, _rest = str(task.id).rpartition(_TASK_ID_SEPARATOR)
    REQUEST_ID.set(request_id if separator else "")


HUEY.signal(signals.SIGNAL_ENQUEUED)(_carry_request_id)
HUEY.pre_execute("civicgrid_request_id")(_adopt_request_id)


# ---- the consumer's heartbeat -----------------------------------------------------------------


def beat(now: float | None = None) -> None:
    """The consumer is alive: written at its start and every minute (core.tasks)."""
    HUEY.put(HEARTBEAT_KEY, now if now is not None else time.time())


def heartbeat_age(now: float | None = None) -> float | None:
    """Seconds since the consumer's last heartbeat; None if it never wrote one. Raises when
    the queue's storage cannot be reached."""
    at = HUEY.get(HEARTBEAT_KEY, peek=True)
    if at is None:
        return None
    return max(0.0, (now if now is not None else time.time()) - float(at))


def runs_immediately() -> bool:
    """Tasks run in the caller (tests, CIVICGRID_TASKS_IMMEDIATE): there is no consumer."""
    return bool(HUEY.immediate)


def queue_depth() -> int:
    """Tasks waiting in the queue (raises when its storage cannot be reached)."""
    return int(HUEY.pending_count())
