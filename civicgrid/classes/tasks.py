"""Periodic work for classes: sessions that have ended are marked held."""

from huey import crontab

from civicgrid.classes import services
from civicgrid.core import jobs


@jobs.periodic(crontab(minute="*/15"))
def close_ended_sessions() -> int:
    return services.close_ended_sessions()
