"""Background jobs of basic data: large ledger imports, and the sweep for imports whose
worker died."""

from huey import crontab
from huey.contrib.djhuey import db_task

from civicgrid.core import jobs
from civicgrid.people import ledgers
from civicgrid.people.models import ImportJob


@db_task()
def import_ledger(job_id: int) -> None:
    job = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).first()
    if job is not None:
        ledgers.run_import(job)


@jobs.periodic(crontab(minute="*/5"))
def sweep_imports() -> None:
    ledgers.sweep()
