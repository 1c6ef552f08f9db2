import logging
import os

from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import HUEY, db_task, periodic_task

from civicgrid.core import jobs, keyring, limits


@jobs.periodic(crontab(minute="7", hour="*"))
def purge_expired() -> None:
    """Rate-limit windows that ended are of no further use; nor are expired sessions (a
    resident's kept form among them)."""
    limits.purge()
    call_command("clearsessions")


@HUEY.on_startup()  # type: ignore[untyped-decorator]  # huey: no types
def check_keys() -> None:
    """The consumer refuses to start when its data keys cannot read the database's
    (core.keyring): the reason is logged as critical and the process ends with status 3 before
    any job runs (huey only logs an exception from a start-up hook and goes on)."""
    try:
        keyring.check_at_start("task consumer")
    except keyring.KeysMismatch:
        logging.shutdown()
        os._exit(3)


@periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey: no types
def consumer_heartbeat() -> None:
    """Every minute, from every consumer: it is alive (readiness and /metrics show the age)."""
    jobs.beat()


@HUEY.on_startup()  # type: ignore[untyped-decorator]
def heartbeat_at_start() -> None:
    jobs.beat()


@db_task()  # type: ignore[untyped-decorator]  # huey: no types
def run_export(job_id: int) -> None:
    """A large list export (core.exports): the file made in the background."""
    from civicgrid.core import exports

    exports.run_job(job_id)


@jobs.periodic(crontab(minute="23", hour="3"))
def purge_exports() -> None:
    """Export files are kept EXPORT_KEEP_DAYS days, then deleted with their jobs."""
    from civicgrid.core import exports

    exports.purge()
