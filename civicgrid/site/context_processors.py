"""What the navigation in base.html needs on every page, each figure counted only when a page
shows it (a lazy object: a page without the navigation asks the database nothing)."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from civicgrid.messaging.selectors import unread_count
from civicgrid.org.scoping import postings_of_user, reads_only, sees_everything


def scope(request: HttpRequest) -> dict[str, object]:
    """Whether the user has a unit at all, for the nav: pages that open on the user's own unit
    (classes, party, community, board, four rates) are a 404 for an account with no posting
    (a volunteer's), so the nav does not offer them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "has_units": SimpleLazyObject(lambda: sees_everything(user) or bool(postings_of_user(user)))
    }


def unread(request: HttpRequest) -> dict:
    """The number of unread notifications, on the bell."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(lambda: unread_count(user))}


def access(request: HttpRequest) -> dict[str, object]:
    """`read_only`: the user holds only read-only postings (the leader), so templates offer
    no form that changes data (the services refuse such writes anyway)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"read_only": SimpleLazyObject(lambda: reads_only(user))}
