from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from civicgrid.core.errors import CivicgridError
from civicgrid.org import selectors


def posted(request: HttpRequest, call: Callable, success: str, to: str, **kwargs) -> HttpResponse:
    """A form's POST: run its service `call`; the service's error or `success` becomes a
    message, and the user goes back to the page `to` (a URL name with `kwargs`)."""
    try:
        call()
    except CivicgridError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(to, **kwargs)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each user's start page: their postings, what lies under each, and where to go next."""
    user = request.user
    cards = [
        {
            "posting": posting,
            "counts": selectors.subtree_counts(user, posting.unit),
            "children": selectors.children_for(user, posting.unit)[:12],
        }
        for posting in selectors.postings_of(user)
    ]
    roots = selectors.top_units_for(user) if user.is_superuser else []
    return render(request, "core/home.html", {"cards": cards, "roots": roots})


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
