from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from civicgrid.core import limits


@db_periodic_task(crontab(minute="7", hour="*"))  # type: ignore[untyped-decorator]  # huey: no types
def purge_expired() -> None:
    """Rate-limit windows that ended are of no further use; nor are expired sessions (a
    resident's kept form among them)."""
    limits.purge()
    call_command("clearsessions")
