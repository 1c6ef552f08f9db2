from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from civicgrid.core import limits


@db_periodic_task(crontab(minute="7", hour="*"))
def purge_throttles() -> None:
    """Rate-limit windows that ended are of no further use."""
    limits.purge()
