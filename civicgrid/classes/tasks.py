"""Periodic work for classes: sessions that have ended are marked held."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from civicgrid.classes import services


@db_periodic_task(crontab(minute="*/15"))
def close_ended_sessions() -> int:
    return services.close_ended_sessions()
