"""Reads of the in-app inbox: a user sees only their own notifications."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from civicgrid.messaging.models import Notification


def notifications_for(user: AbstractBaseUser) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(user=user)


def unread_count(user: AbstractBaseUser) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()
