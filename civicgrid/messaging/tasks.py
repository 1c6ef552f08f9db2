"""Delivery in the background: each message once queued, and every minute the ones due for
another attempt after a failure (MESSAGING_RETRY_DELAYS)."""

from huey import crontab
from huey.contrib.djhuey import db_task

from civicgrid.core import jobs
from civicgrid.messaging import services


@db_task()
def deliver_message(message_id: int) -> bool:
    return services.deliver(message_id)


@jobs.periodic(crontab(minute="*"))
def retry_due_messages() -> int:
    return services.retry_due()


@jobs.periodic(crontab(minute="23", hour="*"))
def purge_codes() -> int:
    return services.purge_codes()
