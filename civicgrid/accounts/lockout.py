"""Failed log-ins (django-axes): counted per user name AND real client address, answered with a
growing wait rather than a hard lock.

A hard lock keyed on the user name lets anyone lock any account (user names are predictable),
and one keyed on REMOTE_ADDR behind a reverse proxy puts every client on the proxy's address.
So axes reads the address from core.limits.client_ip (the trusted proxy header only), and the
failure limit is a function: after LOGIN_FREE_FAILURES failures of one user name from one
address, that pair waits LOGIN_FIRST_DELAY_SECONDS, then twice as long after each further
failure (capped at LOGIN_MAX_DELAY_SECONDS) before another attempt is even checked. Attempts
made during the wait are refused unchecked and not counted. Other addresses — the account's
owner among them — are not affected; a success from the address clears its count.
"""

import datetime as dt
import math

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone

from civicgrid.core import limits


def delay_after(failures: int) -> int:
    """Seconds one user name + address waits after `failures` failed attempts."""
    beyond = failures - settings.LOGIN_FREE_FAILURES
    if beyond < 0:
        return 0
    return min(settings.LOGIN_FIRST_DELAY_SECONDS * 2**beyond, settings.LOGIN_MAX_DELAY_SECONDS)


def _record(request: HttpRequest, credentials: dict | None) -> tuple[int, dt.datetime | None]:
    address = getattr(request, "axes_ip_address", None) or limits.client_ip(request)
    found = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials), ip_address=address
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    return found["failures"] or 0, found["last"]


def wait_left(request: HttpRequest, credentials: dict | None = None) -> int:
    """Whole seconds this user name + client address must still wait (0: may try now)."""
    failures, last = _record(request, credentials)
    delay = delay_after(failures)
    if not delay or last is None:
        return 0
    left = (last + dt.timedelta(seconds=delay) - timezone.now()).total_seconds()
    return max(0, math.ceil(left))


def failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    """AXES_FAILURE_LIMIT as a function: axes refuses when failures >= limit, so the limit is
    the count so far while the wait runs and one more once it is over."""
    if request is None:
        return settings.LOGIN_FREE_FAILURES
    failures, _last = _record(request, credentials)
    if failures < settings.LOGIN_FREE_FAILURES:
        return settings.LOGIN_FREE_FAILURES
    return failures if wait_left(request, credentials) else failures + 1
