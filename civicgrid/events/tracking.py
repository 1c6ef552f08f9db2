"""The resident's own channel: which events this browser reported.

A resident who reports on the public page gets a tracking link (/t/<token>/) and, in the same
answer, a signed cookie naming the event. The tracking link alone shows the status; rating
the event as the resident also needs the cookie, so a link that leaked (a shared screenshot,
a log, an old Open311 answer) cannot be used to rate on the resident's behalf.
"""

from django.core import signing
from django.http import HttpRequest, HttpResponse

from civicgrid.events.models import Event

COOKIE = "civicgrid_reports"
SALT = "civicgrid.events.reporting-browser"
# The last reports a browser may still rate, for about a year: long enough for any follow-up.
KEEP = 20
MAX_AGE = 400 * 24 * 3600


def _reported(request: HttpRequest) -> list[int]:
    try:
        value = request.get_signed_cookie(COOKIE, salt=SALT, max_age=MAX_AGE)
        return [int(pk) for pk in (value or "").split(",") if pk]
    except (KeyError, signing.BadSignature, ValueError):
        return []


def remember(request: HttpRequest, response: HttpResponse, event: Event) -> None:
    """Mark `event` as reported from this browser."""
    earlier = [pk for pk in _reported(request) if pk != event.pk][-(KEEP - 1) :]
    reported = [*earlier, event.pk]
    response.set_signed_cookie(
        COOKIE,
        ",".join(map(str, reported)),
        salt=SALT,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def reported_here(request: HttpRequest, event: Event) -> bool:
    return event.pk in _reported(request)
