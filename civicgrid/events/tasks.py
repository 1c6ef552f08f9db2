"""Periodic jobs. Each only calls a service; the services do the work in their transactions."""

from huey import crontab

from civicgrid.core import jobs
from civicgrid.events import deadlines, partitions, services


@jobs.periodic(crontab(minute="*"))
def escalate_overdue_events() -> int:
    """Every minute: raise events past a deadline one level (each deadline once)."""
    return deadlines.escalate_overdue()


@jobs.periodic(crontab(minute="15", hour="*"))
def ask_for_ratings() -> int:
    """Hourly: ask again, once, for a rating of events closed three days ago."""
    return deadlines.ask_ratings()


@jobs.periodic(crontab(minute="45", hour="*"))
def purge_report_keys() -> int:
    """Hourly: forget API Idempotency-Keys older than a day."""
    return services.purge_report_keys()


@jobs.periodic(crontab(minute="5", hour="2"))
def create_event_partitions() -> int:
    """Daily: this month's and the next three months' partitions of the events and their step
    log exist (PostgreSQL; nothing on SQLite). A day with nothing to create takes no lock."""
    return len(partitions.ensure_ahead())
