"""Background jobs of interop: outbox delivery (each message once queued after its step
commits, and every minute the ones due for another attempt after a failure,
INTEROP_RETRY_DELAYS); large history imports, and the sweep for imports whose worker died."""

from huey import crontab
from huey.contrib.djhuey import db_task

from civicgrid.core import jobs
from civicgrid.interop import history, outbox
from civicgrid.interop.models import HistoryImport


@db_task()
def deliver_outbox_message(message_id: int) -> bool:
    return outbox.deliver(message_id)


@jobs.periodic(crontab(minute="*"))
def retry_due_outbox() -> int:
    return outbox.retry_due()


@db_task()
def import_history(job_id: int) -> None:
    job = HistoryImport.objects.filter(pk=job_id, state=HistoryImport.State.QUEUED).first()
    if job is not None:
        history.run_job(job)


@jobs.periodic(crontab(minute="*/5"))
def sweep_history_imports() -> None:
    history.sweep()
