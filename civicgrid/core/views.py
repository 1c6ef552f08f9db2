import functools
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render, resolve_url

from civicgrid.core import limits, privacy
from civicgrid.core.errors import CivicgridError

if TYPE_CHECKING:
    from django.http.request import _ImmutableQueryDict


def kept_form(post: "_ImmutableQueryDict") -> dict[str, str]:
    """What a failed public form sent, to show it again filled in: every field but the CSRF
    token and the one-time code (a code is never echoed)."""
    return {
        name: value
        for name, value in post.dict().items()
        if name not in {"csrfmiddlewaretoken", "code"}
    }


# A public form sent away to another page (e.g. to ask for a code without JavaScript) and
# expected back filled in: kept in the session for the next page only.
_KEPT = "civicgrid_kept_form"


def keep_form(request: HttpRequest) -> None:
    """Remember what the posted form held for the next page (`take_kept_form`), encrypted like
    a phone number: a session row holds no name, phone or address in clear."""
    request.session[_KEPT] = privacy.encrypt(json.dumps(kept_form(request.POST)))


def take_kept_form(request: HttpRequest) -> dict[str, str]:
    """What `keep_form` remembered, once; {} when nothing was (or it cannot be read)."""
    sealed = request.session.pop(_KEPT, "")
    try:
        kept = json.loads(privacy.decrypt(sealed)) if sealed else {}
    except ValueError:
        return {}
    return kept if isinstance(kept, dict) else {}


def posted(
    request: HttpRequest, call: Callable[[], object], success: str, to: str, **kwargs: Any
) -> HttpResponse:
    """A form's POST: run its service `call`; the service's error or `success` becomes a
    message, and the user goes back to the page `to` (a URL name with `kwargs`)."""
    try:
        call()
    except CivicgridError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return HttpResponseRedirect(resolve_url(to, **kwargs))


# A view function: the request first, the URL's arguments after it.
View: TypeAlias = Callable[..., HttpResponseBase]


def too_many(request: HttpRequest, exc: limits.TooMany) -> HttpResponse:
    """The page for a refused request: the message, status 429 and Retry-After."""
    response = render(request, "core/too_many.html", {"message": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def limited(
    door: str | Callable[[HttpRequest], str | None],
    *,
    phone_field: str | None = None,
    methods: Iterable[str] = ("POST",),
) -> Callable[[View], View]:
    """A public page's rate limit (core.limits.guard) for requests of `methods`, checked before
    the view runs: by client address, and by the phone posted in `phone_field`. `door` may be
    a function of the request (e.g. one page, several forms); None lets the request through."""
    methods = frozenset(methods)

    def wrap(view: View) -> View:
        @functools.wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method in methods:
                name = door(request) if callable(door) else door
                phone = request.POST.get(phone_field, "") if phone_field else ""
                try:
                    if name:
                        limits.guard(request, name, phone=phone, phone_field=phone_field or "")
                except limits.TooMany as exc:
                    return too_many(request, exc)
            return view(request, *args, **kwargs)

        return inner

    return wrap


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. It touches nothing (no database, no queue), so an outage
    elsewhere never has the app servers restarted; readiness is /readyz (core.health)."""
    return HttpResponse("ok", content_type="text/plain")
