"""What the navigation in base.html needs on every page, each figure counted only when a page
shows it (a lazy object: a page without the navigation asks the database nothing)."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from civicgrid.messaging.selectors import unread_count
from civicgrid.org.scoping import reads_only
from civicgrid.site.menus import menu_for


def menu(request: HttpRequest) -> dict[str, object]:
    """The role's menu (site/menus.py): only the pages the user may open, the current one
    marked; and the platform's name for the top bar."""
    context: dict[str, object] = {"platform_name": settings.PLATFORM_NAME}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    match = getattr(request, "resolver_match", None)
    view = match.view_name if match is not None else ""
    context["menu"] = SimpleLazyObject(lambda: menu_for(user, view))
    return context


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
