"""Status and results sent back to other systems.

Every step of an event that came from (or was recorded for) another system's order writes one
`OutboxMessage` per connector concerned — the order's system, and for a whistle each whistled
department that has a system of its own — in the step's own transaction
(`events.services.step_hooks`), so a step that fails leaves no message and a message never
tells of a step that did not happen. After the commit the task queue delivers it through the
connector's adapter (interop.adapters); a failed attempt is logged (`DeliveryAttempt`) and
retried after INTEROP_RETRY_DELAYS, then the message is given up (FAILED) until staff retry it
(the outbox page or the admin).
"""

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core import jobs
from civicgrid.core.errors import Conflict, NotAllowed
from civicgrid.events.models import Event, EventStep, StepAction
from civicgrid.events.roles import DISPATCH_ROLES
from civicgrid.interop.adapters import adapter_for
from civicgrid.interop.models import (
    Connector,
    DeliveryAttempt,
    DeliveryStatus,
    OutboxMessage,
    WorkOrder,
)
from civicgrid.org.scoping import holds, sees_everything

log = logging.getLogger(__name__)

# Steps not worth telling another system: the system's own reminders.
NOT_SENT = frozenset({StepAction.ASK_RATING})


def payload_for(event: Event, step: EventStep, order: WorkOrder | None) -> dict[str, Any]:
    """The JSON a connector receives for one step (docs/connectors.md)."""
    handler = event.handler_unit
    result: dict[str, Any] = {}
    if step.action == StepAction.RATE:
        result = {"solved": event.solved, "satisfaction": event.satisfaction}
    return {
        "id": None,  # the outbox message's id, filled in once it has one
        "system": order.system if order else "",
        "order_number": order.order_number if order else "",
        "event": event.number,
        "action": step.action,
        "status": event.status,
        "status_label": str(event.get_status_display()),
        "note": step.note,
        "details": step.details,
        "at": step.at.isoformat(),
        "version": event.version,
        "handler_unit": handler.display_name if handler is not None else "",
        "closure_due": event.closure_due.isoformat() if event.closure_due else None,
        "closed_at": event.closed_at.isoformat() if event.closed_at else None,
        "result": result,
        "url": settings.SITE_URL.rstrip("/") + event.get_absolute_url(),
    }


def on_step(event: Event, step: EventStep) -> None:
    """`events.services.step_hooks`: one outbox message per connector concerned, in the step's
    transaction; delivered once it commits."""
    if step.action in NOT_SENT:
        return
    order = WorkOrder.objects.filter(event_id=event.pk).first()
    targets: list[tuple[Connector, WorkOrder | None]] = []
    if order is not None:
        connector = Connector.objects.filter(system=order.system, active=True).first()
        if connector is not None:
            targets.append((connector, order))
    if step.action == StepAction.WHISTLE:
        codes = step.details.get("departments", [])
        for connector in Connector.objects.filter(department__code__in=codes, active=True):
            if all(connector.pk != known.pk for known, _order in targets):
                targets.append((connector, order))
    for connector, known_order in targets:
        message = OutboxMessage.objects.create(
            connector=connector,
            event=event,
            step=step,
            unit_code=event.unit_code,
            action=step.action,
            payload=payload_for(event, step, known_order),
            next_attempt_at=step.at if step.at < timezone.now() else timezone.now(),
        )
        message.payload["id"] = message.pk
        OutboxMessage.objects.filter(pk=message.pk).update(payload=message.payload)
        jobs.enqueue_on_commit(_enqueue, message.pk)


def _enqueue(message_id: int) -> None:
    from civicgrid.interop.tasks import deliver_outbox_message

    deliver_outbox_message(message_id)


def _max_attempts() -> int:
    return len(settings.INTEROP_RETRY_DELAYS) + 1


def deliver(message_id: int, now: dt.datetime | None = None) -> bool:
    """One delivery attempt of a pending message that is due; True when delivered.

    Claimed in a short statement (its next attempt moved past the adapter's timeout, so a
    crashed worker's message comes back by itself); the adapter runs outside any transaction
    (no lock held during a network call); the attempt and its outcome are written after."""
    now = now or timezone.now()
    message = OutboxMessage.objects.select_related("connector").filter(pk=message_id).first()
    if message is None:
        return False
    lease = dt.timedelta(seconds=message.connector.timeout + 60)
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + lease)
    if not claimed:
        return False
    message.refresh_from_db()
    code: int | None = None
    try:
        code = adapter_for(message.connector).deliver(message.connector, message.payload)
    except Exception as exc:  # any adapter failure is logged and retried, never lost
        code = getattr(exc, "status_code", None)
        error = str(exc)[:300] or type(exc).__name__
        log.warning(
            "outbox %s to %s failed (attempt %s): %s",
            message.pk,
            message.connector.system,
            message.attempts,
            error,
        )
        fields: dict[str, Any] = {"last_error": error, "last_status_code": code}
        if message.attempts >= _max_attempts():
            fields |= {"status": DeliveryStatus.FAILED, "next_attempt_at": None}
            log.error(
                "outbox %s to %s given up after %s attempts: %s",
                message.pk,
                message.connector.system,
                message.attempts,
                error,
            )
        else:
            delay = settings.INTEROP_RETRY_DELAYS[message.attempts - 1]
            fields["next_attempt_at"] = now + dt.timedelta(seconds=delay)
        with transaction.atomic():
            DeliveryAttempt.objects.create(
                message=message, at=timezone.now(), ok=False, status_code=code, error=error
            )
            OutboxMessage.objects.filter(pk=message.pk).update(**fields)
        return False
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message=message, at=timezone.now(), ok=True, status_code=code
        )
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=DeliveryStatus.SENT,
            sent_at=timezone.now(),
            next_attempt_at=None,
            last_error="",
            last_status_code=code,
        )
    return True


def retry_due(now: dt.datetime | None = None) -> int:
    """Attempt every pending message whose next attempt is due (the periodic job); returns how
    many were delivered."""
    now = now or timezone.now()
    due = OutboxMessage.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    return sum(deliver(pk, now) for pk in due.order_by("id").values_list("pk", flat=True)[:500])


def may_retry(actor, message: OutboxMessage) -> bool:
    return sees_everything(actor) or holds(actor, message.unit_code, DISPATCH_ROLES)


def retry_message(*, actor, message: OutboxMessage) -> OutboxMessage:
    """Staff send a given-up (or waiting) message again now: the dispatchers of its event's
    unit and above, or a superuser. Its attempts start over."""
    if not may_retry(actor, message):
        raise NotAllowed(_("Your role does not allow retrying this delivery."))
    now = timezone.now()
    # Given up, or waiting for a later attempt after a failure; never one that is due, which a
    # worker may be sending right now (it would go out twice).
    retryable = Q(status=DeliveryStatus.FAILED) | Q(
        status=DeliveryStatus.PENDING, attempts__gt=0, next_attempt_at__gt=now
    )
    with transaction.atomic():
        changed = OutboxMessage.objects.filter(retryable, pk=message.pk).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now
        )
        if not changed:
            raise Conflict(_("This message is being sent or was delivered already."))
        jobs.enqueue_on_commit(_enqueue, message.pk)
    message.refresh_from_db()
    return message
