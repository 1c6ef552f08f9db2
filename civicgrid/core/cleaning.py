"""Input that users type, made safe once at the door: free text without control characters,
web links that can only be http(s), redirects that stay on this site."""

import re
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from civicgrid.core.errors import InvalidInput

# C0 controls but tab and newline, DEL, C1 controls, and the two XML non-characters: none
# has a place in a name or a description, and one of them is enough to break an XML feed.
# A carriage return goes too: "\r\n" from a textarea becomes "\n".
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
WEB_SCHEMES = frozenset({"http", "https"})


def plain_text(value: str | None) -> str:
    """`value` without control characters (tab and newline kept); None becomes ""."""
    if value is None:
        return ""
    return CONTROL_CHARACTERS.sub("", str(value))


def plain_values(value: Any) -> Any:
    """`value` (answers to a form: dicts, lists, strings) with every string made plain text."""
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, dict):
        return {key: plain_values(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [plain_values(inner) for inner in value]
    return value


def _is_web_url(value: str) -> bool:
    if CONTROL_CHARACTERS.search(value) or any(c.isspace() for c in value):
        return False
    parts = urlsplit(value)
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def web_url(value: str | None, *, field: str) -> str:
    """A link a user gave (a live stream, a web page): "" when blank, else an absolute
    http(s) URL; javascript:, data:, file: and relative links are refused."""
    value = (value or "").strip()
    if value and not _is_web_url(value):
        raise InvalidInput(_("Enter a web address starting with http:// or https://."), field=field)
    return value


def validate_web_url(value: str) -> None:
    """Model-field validator for the same rule (the admin and model forms use it)."""
    if value and not _is_web_url(value):
        raise ValidationError(
            _("Enter a web address starting with http:// or https://."), code="scheme"
        )


def is_local_url(request: HttpRequest, url: str | None) -> bool:
    """Whether `url` points at this site (a path, or this host with an allowed scheme)."""
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def redirect_to_local(
    request: HttpRequest, url: str | None, fallback: str, **kwargs: Any
) -> HttpResponse:
    """Redirect to `url` (a `next` parameter, the Referer) only when it is on this site;
    otherwise to `fallback` (a URL name with `kwargs`, or a path)."""
    if url and is_local_url(request, url):
        return HttpResponseRedirect(url)
    return HttpResponseRedirect(resolve_url(fallback, **kwargs))


def redirect_back(request: HttpRequest, fallback: str, **kwargs: Any) -> HttpResponse:
    """Back to the page the form was on (the Referer), when that page is on this site."""
    return redirect_to_local(request, request.META.get("HTTP_REFERER"), fallback, **kwargs)
