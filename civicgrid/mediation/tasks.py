"""Periodic work for mediation: cases past a deadline are raised to the street."""

from huey import crontab

from civicgrid.core import jobs
from civicgrid.mediation import services


@jobs.periodic(crontab(minute="*/10"))
def escalate_overdue_cases() -> int:
    return services.escalate_overdue()
