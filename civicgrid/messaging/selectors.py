"""Reads of the in-app inbox: a user sees only their own notifications."""

from django.db.models import QuerySet

from civicgrid.core.types import Actor
from civicgrid.messaging.models import Notification


def notifications_for(user: Actor) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk)


def unread_count(user: Actor) -> int:
    return notifications_for(user).filter(read_at=None).count()
