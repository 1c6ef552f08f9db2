import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from civicgrid.core.errors import CivicgridError
from civicgrid.core.limits import TooMany
from civicgrid.core.views import too_many

if TYPE_CHECKING:
    from django.http.request import _ImmutableQueryDict


class LanguageMiddleware:
    """Chinese first: the language is the user's own choice (the language cookie set by the
    switcher in the footer), else zh-hans — never guessed from the browser's Accept-Language,
    which on many office PCs says English."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def tile_source(url: str) -> str:
    """The CSP source that allows the configured map tiles: scheme and host of the tile URL
    template, its placeholder label turned into a wildcard ({s}.tile.example.org ->
    *.tile.example.org). Empty when no tiles are configured."""
    from urllib.parse import urlsplit

    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return ""
    labels = parts.netloc.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    if any("{" in label for label in labels[1:]):
        return f"{parts.scheme}:"  # a placeholder past the first label: allow the scheme only
    return f"{parts.scheme}://{'.'.join(labels)}"


def content_security_policy() -> str:
    """No inline script anywhere: every script is a static file from this site. Styles may
    be inline (Leaflet, ECharts and htmx set them; the printable certificate has a <style>),
    images come from the site, data:/blob: (Leaflet, ECharts), the map tile host and any
    extra photo host (CIVICGRID_CSP_IMG_SOURCES, e.g. an S3 bucket)."""
    images = ["'self'", "data:", "blob:", tile_source(settings.MAP_TILE_URL)]
    images += settings.CSP_IMG_SOURCES
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(
        f"{name} {' '.join(source for source in sources if source)}"
        for name, sources in directives.items()
    )


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (Django 5.2 has
    neither built in). HSTS, nosniff and Referrer-Policy come from Django's SecurityMiddleware
    through settings."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class IdleSessionMiddleware:
    """A signed-in session ends after SESSION_COOKIE_AGE seconds without a request. Django
    renews a session's expiry only when it saves it; saving on every request
    (SESSION_SAVE_EVERY_REQUEST) would write a row for each request, htmx polling included,
    so the session is marked changed at most once a minute instead."""

    TOUCH_SECONDS = 60
    KEY = "_civicgrid_touched"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and session.session_key and user and user.is_authenticated:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.TOUCH_SECONDS:
                session[self.KEY] = now
        return response


class PlainTextInputMiddleware:
    """Every text a browser or client sends arrives without control characters (tab and
    newline kept; core.cleaning.plain_text): query strings, form posts and JSON bodies, so no
    free-text field of any app can store one (a single one breaks XML feeds and exports).
    Services that take text clean it again, for callers that are not requests.

    It runs as a view hook after CsrfViewMiddleware, which reads the form of every protected
    POST anyway; the body of a CSRF-exempt multipart post (Open311, the API) is left for its
    view to read, so that those views may still choose their upload handlers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        request.GET = _plain_query(request.GET)
        if request.method in {"POST", "PUT", "PATCH"}:
            content_type = request.content_type or ""
            form = content_type == "application/x-www-form-urlencoded" or (
                # CsrfViewMiddleware reads these forms anyway (when it enforces)
                content_type == "multipart/form-data" and not getattr(view, "csrf_exempt", False)
            )
            if form or hasattr(request, "_post"):
                request.POST = _plain_query(request.POST)
            elif content_type == "application/json":
                _plain_json_body(request)


def _plain_query(query: "_ImmutableQueryDict") -> "_ImmutableQueryDict":
    from civicgrid.core.cleaning import CONTROL_CHARACTERS, plain_text

    if not any(CONTROL_CHARACTERS.search(v) for values in query.lists() for v in values[1]):
        return query
    cleaned = query.copy()
    for key, values in query.lists():
        if "password" not in key:  # a secret is checked as typed, never rewritten
            cleaned.setlist(key, [plain_text(value) for value in values])
    cleaned._mutable = False
    return cast("_ImmutableQueryDict", cleaned)  # frozen again, as Django hands a query over


def _plain_json_body(request: HttpRequest) -> None:
    import json

    from civicgrid.core.cleaning import plain_values

    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return  # the API answers a malformed body itself
    cleaned = plain_values(data)
    if cleaned != data:
        request._body = json.dumps(cleaned, ensure_ascii=False).encode()


# Machine interfaces answer errors in their own formats (civicgrid/api.py's JSON shape, the
# Open311 error list) and catch the app's error themselves; the boundary leaves them alone.
_MACHINE_PATHS = ("/api/", "/open311/")


class ErrorBoundaryMiddleware:
    """The page error boundary: the app's own error (core.errors.CivicgridError) raised by a
    page view — a form value that does not parse, a step the state forbids, a rule a service
    enforces — answers with its translated message, never a 500.

    It answers with a page, for GET and POST alike, with the error's status: 400 (409 for a
    conflict, 403 for a refusal, 404 for something missing, 429 for too many attempts), the
    message, and for a form a link back to it. Not a redirect back with a flash message:
    forms that expect an error already catch it (core.views.posted) and go back with the
    message; what reaches the boundary is an error the view did not expect, where a redirect
    would need the Referer (not always sent) and would answer a 302 that reads as success to
    the browser, to monitoring and to tests, while the request's changes were rolled back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, CivicgridError) or request.path_info.startswith(
            _MACHINE_PATHS
        ):
            return None
        if isinstance(exception, TooMany):
            return too_many(request, exception)
        template = {403: "403.html", 404: "404.html"}.get(exception.status, "400.html")
        context = {
            "message": exception.message,
            # A form is posted to the page that shows it: going back there shows it again.
            "back": request.get_full_path() if request.method == "POST" else "",
        }
        return render(request, template, context, status=exception.status)


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._=+/-]{1,128}$")
request_log = logging.getLogger("civicgrid.request")


def request_id_of(request: HttpRequest) -> str:
    """The request's id: the X-Request-ID header when a trusted proxy sent it (the proxies of
    CIVICGRID_TRUSTED_PROXIES, as core.limits.client_ip trusts them) and it is a plain token,
    else a new one. A client cannot choose the id its request is logged under."""
    from civicgrid.core.limits import _trusted

    sent = request.META.get("HTTP_X_REQUEST_ID", "")
    if sent and _REQUEST_ID.match(sent) and _trusted(request.META.get("REMOTE_ADDR", "")):
        return str(sent)
    return uuid.uuid4().hex


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, if the request looked the user up already (no query here)."""
    from django.utils.functional import empty

    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """The first middleware: every request gets an id (the X-Request-ID response header, the
    request_id of every log line written while it is served and of the tasks it queues,
    core.jobs), is counted in the metrics (core.metrics) and writes one log line: method,
    path (never the query string), status, duration_ms, user_id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from civicgrid.core import metrics
        from civicgrid.core.logs import REQUEST_ID

        request_id = request_id_of(request)
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response.headers.setdefault("X-Request-ID", request_id)
            metrics.observe(request.method or "", response.status_code, seconds)
            request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        except BaseException:
            REQUEST_ID.reset(token)
            raise
        # Kept until the response is closed: Django logs a 4xx/5xx after the last middleware.


def _forget_request_id(**kwargs: Any) -> None:
    from civicgrid.core.logs import REQUEST_ID

    REQUEST_ID.set("")


request_finished.connect(_forget_request_id, dispatch_uid="civicgrid_forget_request_id")
