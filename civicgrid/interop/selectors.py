"""Reads of the outbox, scoped like the events it reports on (by the event's unit code)."""

from django.db.models import QuerySet

from civicgrid.interop.models import DeliveryStatus, OutboxMessage
from civicgrid.org.scoping import scope


def outbox_for(user, status: str = "") -> QuerySet[OutboxMessage]:
    """Outbox messages about events under the user's units, newest first; `status` one of
    DeliveryStatus (failed ones first to look at)."""
    messages = scope(OutboxMessage.objects.all(), user).select_related("connector", "event")
    if status in DeliveryStatus.values:
        messages = messages.filter(status=status)
    return messages.order_by("-created_at", "-id")


def outbox_message_for(user, pk: int) -> OutboxMessage:
    from django.http import Http404

    message = outbox_for(user).filter(pk=pk).first()
    if message is None:
        raise Http404
    return message
