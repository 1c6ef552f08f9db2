"""Limits on public doors: who is asking (the real client address behind a trusted proxy) and
how often they may ask (fixed windows counted in the database, so every app server and worker
shares one count).

    limits.hit("report_ip", client_ip(request))   # raises TooMany past the configured limit

A limit's name maps to "count/seconds" in settings.RATE_LIMITS (each overridable from the
environment). The key is kept only as a keyed hash: the table holds no address or phone.
"""

import datetime as dt
import ipaddress
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core import privacy
from civicgrid.core.errors import CivicgridError


class TooMany(CivicgridError):
    """Too many attempts in the window; the message says when to try again."""

    status = 429

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field, details={"retry_after": retry_after})
        self.retry_after = retry_after


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or — behind the reverse proxies named by
    CIVICGRID_TRUSTED_PROXIES — the address those proxies put in CIVICGRID_PROXY_HEADER.

    X-Forwarded-For is read from the right: each trusted proxy appends the address it saw, so
    the first address from the right that is not a trusted proxy is the client. A header sent
    by the client itself, or by a proxy that is not trusted, is ignored."""
    remote: str = request.META.get("REMOTE_ADDR", "") or ""
    header = settings.PROXY_HEADER
    if not header or not _trusted(remote):
        return remote
    raw: str = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
    hops = [hop.strip() for hop in raw.split(",") if hop.strip()]
    # Walk back through trusted proxies; stop at a hop that is not an address (anything to
    # its left was written by the client) and take the last trusted one then.
    last = remote
    for hop in reversed(hops):
        if not _valid(hop):
            break
        if not _trusted(hop):
            return hop
        last = hop
    return last


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXIES)


def _window(name: str, key: str) -> tuple[int, int, dict[str, object]]:
    """(count allowed, seconds left in the window, the window's row lookup) for `key`."""
    count, seconds = settings.RATE_LIMITS[name]
    now = int(timezone.now().timestamp())
    start = now // seconds * seconds
    lookup = {
        "name": name,
        "key": privacy.blind_index(f"{name}:{key}"),
        "window": dt.datetime.fromtimestamp(start, dt.UTC),
    }
    return count, max(1, start + seconds - now), lookup


def hit(name: str, key: str, *, field: str | None = None) -> int:
    """Count one attempt of `key` (an address, a phone, a user id) against limit `name`;
    returns how many are left in this window, or raises TooMany. A blank key is not limited
    (e.g. a report with no phone)."""
    from civicgrid.core.models import Throttle

    count, retry_after, lookup = _window(name, key)
    if not key or count <= 0:
        return count
    with transaction.atomic():
        rows = Throttle.objects.filter(**lookup)
        if not rows.update(hits=F("hits") + 1):
            try:
                with transaction.atomic():
                    Throttle.objects.create(**lookup, hits=1)
            except IntegrityError:
                rows.update(hits=F("hits") + 1)
        hits = rows.get().hits
    if hits > count:
        raise TooMany(too_many_message(retry_after), retry_after=retry_after, field=field)
    return count - hits


def check(name: str, key: str, *, field: str | None = None) -> None:
    """Raise TooMany when `key` is already at limit `name` in this window, without counting
    this attempt (for limits counted only on failure, e.g. wrong venue codes)."""
    from civicgrid.core.models import Throttle

    count, retry_after, lookup = _window(name, key)
    if not key or count <= 0:
        return
    hits = Throttle.objects.filter(**lookup).values_list("hits", flat=True).first() or 0
    if hits >= count:
        raise TooMany(too_many_message(retry_after), retry_after=retry_after, field=field)


def phone_key(phone: str) -> str:
    """The digits of a phone number as typed (a leading +86 dropped), so "138 0000 0000",
    "+8613800000000" and full-width "１３８…" count as one phone; blank when no digits."""
    digits = re.sub(r"[^0-9]", "", privacy.ascii_digits(phone or ""))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def guard(request: HttpRequest, door: str, *, phone: str = "", phone_field: str = "phone") -> None:
    """Count one attempt at the public door `door` by the client's address (limit
    "<door>_ip") and, when a phone number was given and "<door>_phone" is configured, by that
    phone (a phone has its own count, shared by every address). Raises TooMany."""
    hit(f"{door}_ip", client_ip(request))
    if phone and f"{door}_phone" in settings.RATE_LIMITS:
        hit(f"{door}_phone", phone_key(phone), field=phone_field)


def too_many_message(retry_after: int) -> str:
    minutes = (retry_after + 59) // 60
    return _("Too many attempts. Please try again in %(minutes)d minutes.") % {"minutes": minutes}


def reset(name: str, key: str) -> None:
    """Forget `key`'s attempts against `name` (e.g. after a successful log-in)."""
    from civicgrid.core.models import Throttle

    Throttle.objects.filter(name=name, key=privacy.blind_index(f"{name}:{key}")).delete()


def purge(before: dt.datetime | None = None) -> int:
    """Delete windows that ended; run by a periodic task."""
    from civicgrid.core.models import Throttle

    longest = max((seconds for _count, seconds in settings.RATE_LIMITS.values()), default=3600)
    before = before or timezone.now() - dt.timedelta(seconds=longest)
    deleted, _ = Throttle.objects.filter(window__lt=before).delete()
    return deleted
