import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


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
