from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from civicgrid.events.models import Notification


def unread(request: HttpRequest) -> dict:
    """The number of unread messages for the nav, counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_count": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at=None).count()
        )
    }
