"""Delivery in the background: each message once queued, and every minute the ones due for
another attempt after a failure (MESSAGING_RETRY_DELAYS)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from civicgrid.messaging import services


@db_task()
def deliver_message(message_id: int) -> bool:
    return services.deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def retry_due_messages() -> int:
    return services.retry_due()


@db_periodic_task(crontab(minute="23", hour="*"))
def purge_codes() -> int:
    return services.purge_codes()
