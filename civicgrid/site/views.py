"""The shell around every app: the start page, the inbox behind the bell, the 500 page."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from civicgrid.core.cleaning import redirect_to_local
from civicgrid.messaging import selectors as messaging_selectors
from civicgrid.messaging import services as messaging
from civicgrid.org import selectors as org_selectors

# The inbox page shows the unread ones, then this many of the latest read ones.
READ_SHOWN = 30


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each user's start page: their postings, what lies under each, and where to go next."""
    user = request.user
    cards = [
        {
            "posting": posting,
            "counts": org_selectors.subtree_counts(user, posting.unit),
            "children": org_selectors.children_for(user, posting.unit)[:12],
        }
        for posting in org_selectors.postings_of(user)
    ]
    roots = org_selectors.top_units_for(user) if user.is_superuser else []
    return render(request, "site/home.html", {"cards": cards, "roots": roots})


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """The inbox behind the bell: every unread notification, then the latest read ones."""
    mine = messaging_selectors.notifications_for(request.user)
    context = {
        "unread": mine.filter(read_at=None),
        "read": mine.exclude(read_at=None)[:READ_SHOWN],
    }
    return render(request, "site/notifications.html", context)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    messaging.mark_notifications_read(user=request.user)
    return redirect_to_local(request, request.POST.get("next"), "site:notifications")


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page (handler500). The database may be what failed, so nothing here may query
    it: no context processors, and the navigation only for a user the request had already
    loaded (AuthenticationMiddleware keeps them in `_cached_user`), without its counts."""
    user = getattr(request, "_cached_user", None) or AnonymousUser()
    context = {"request": request, "user": user, "csrf_token": get_token(request)}
    return HttpResponseServerError(render_to_string("500.html", context))
