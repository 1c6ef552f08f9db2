"""The cockpit's background work. Each task only calls a service (cockpit.report_services)."""

from huey import crontab
from huey.contrib.djhuey import db_task

from civicgrid.cockpit import report_services
from civicgrid.core import jobs


@db_task()
def generate_report(report_id: int) -> bool:
    return report_services.generate(report_id)


@jobs.periodic(crontab(minute="30"))
def schedule_reports() -> int:
    """Hourly: on the first working day of a month (Asia/Shanghai), queue the month's (and
    quarter's) reports of every unit not reported on yet (report_services.schedule_reports);
    hourly, so a consumer that was down at one hour catches up at the next. Other days cost
    no query."""
    return report_services.schedule_reports()
