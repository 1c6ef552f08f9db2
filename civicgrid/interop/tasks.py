"""Outbox delivery in the background: each message once queued after its step commits, and every
minute the ones due for another attempt after a failure (INTEROP_RETRY_DELAYS)."""

from huey import crontab
from huey.contrib.djhuey import db_task

from civicgrid.core import jobs
from civicgrid.interop import outbox


@db_task()
def deliver_outbox_message(message_id: int) -> bool:
    return outbox.deliver(message_id)


@jobs.periodic(crontab(minute="*"))
def retry_due_outbox() -> int:
    return outbox.retry_due()
