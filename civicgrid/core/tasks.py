from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import HUEY, periodic_task

from civicgrid.core import jobs, limits


@jobs.periodic(crontab(minute="7", hour="*"))
def purge_expired() -> None:
    """Rate-limit windows that ended are of no further use; nor are expired sessions (a
    resident's kept form among them)."""
    limits.purge()
    call_command("clearsessions")


@periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey: no types
def consumer_heartbeat() -> None:
    """Every minute, from every consumer: it is alive (readiness and /metrics show the age)."""
    jobs.beat()


@HUEY.on_startup()  # type: ignore[untyped-decorator]
def heartbeat_at_start() -> None:
    jobs.beat()
