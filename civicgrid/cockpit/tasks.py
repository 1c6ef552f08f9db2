"""The cockpit's background work. Each task only calls a service (cockpit.report_services)."""

from huey import crontab
from huey.contrib.djhuey import db_task

from civicgrid.cockpit import report_services
from civicgrid.core import jobs


@db_task()
def generate_report(report_id: int) -> bool:
    return report_services.generate(report_id)


@jobs.periodic(crontab(minute="30", hour="6"))
def schedule_reports() -> int:
    """Daily at 06:30: on the first working day of a month, queue the month's (and quarter's)
    reports of every unit (report_services.schedule_reports)."""
    return report_services.schedule_reports()
