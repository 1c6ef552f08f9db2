"""Background jobs of interop: large history imports, and the sweep for imports whose worker
died."""

from huey import crontab
from huey.contrib.djhuey import db_task

from civicgrid.core import jobs
from civicgrid.interop import history
from civicgrid.interop.models import HistoryImport


@db_task()
def import_history(job_id: int) -> None:
    job = HistoryImport.objects.filter(pk=job_id, state=HistoryImport.State.QUEUED).first()
    if job is not None:
        history.run_job(job)


@jobs.periodic(crontab(minute="*/5"))
def sweep_history_imports() -> None:
    history.sweep()
