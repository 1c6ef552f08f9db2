"""The big screen (一屏观全域, issue 19): what a 1920×1080 wall display shows for one unit, and
the secret links that open it without a log-in.

The screen's numbers are `figures.overview()`'s, so the screen, the overview page and the monthly
report state the same figures. `screen_data` is the one payload the page draws and refreshes
from; with `public=True` (a secret link) it holds aggregate figures only: no names, no event
titles or descriptions, event points rounded to about 100 m.

Services (create_link, revoke_link) take the acting user and run in one transaction; the
selectors take the user and answer a unit or link outside their scope with 404.
"""

import datetime as dt
import hashlib
import secrets
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from civicgrid.assessment import selectors as assessment_selectors
from civicgrid.cockpit import figures
from civicgrid.cockpit import selectors as cockpit_selectors
from civicgrid.cockpit.models_screen import ScreenLink
from civicgrid.core.cleaning import plain_text
from civicgrid.core.errors import InvalidInput, NotAllowed
from civicgrid.core.types import Actor, user_of
from civicgrid.events import selectors as event_selectors
from civicgrid.events.models import OPEN_STATUSES, Event
from civicgrid.org import scoping
from civicgrid.org import selectors as org_selectors
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.roles import Role

# Who makes and revokes a unit's screen links: the unit's staff and the staff above it.
MANAGER_ROLES = frozenset({Role.DISTRICT_STAFF, Role.STREET_STAFF, Role.COMMUNITY_STAFF})

# The figures the screen ranks the units below by, in the order the panels rotate.
RANK_KEYS = (
    "events.closure",
    "events.satisfaction",
    "events.reported",
    "people.completeness",
    "classes.attendances",
    "volunteers.hours",
    "community.needs_met",
)
# The figures drawn large at the top, when the sections have them.
HEADLINE_KEYS = (
    "events.reported",
    "events.closed",
    "events.closure",
    "events.satisfaction",
    "events.overdue",
    "people.persons",
    "people.completeness",
)
# Units below ranked on one screen at most (a district has 10-20 streets).
MAX_RANKED = 30
# Event points on the map: the newest, from the last days.
RECENT_DAYS = 7
MAX_POINTS = 500
# Decimal places a secret link's points keep (3 ≈ 100 m): a point never finds a house.
PUBLIC_POINT_DECIMALS = 3


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---- who may ----------------------------------------------------------------------------------


def may_manage_links(user: Actor, unit: OrgUnit) -> bool:
    """Whether the user may make and revoke `unit`'s screen links (its staff or above)."""
    return scoping.holds(user, unit.code, MANAGER_ROLES)


def screen_unit(user: Actor, code: str) -> OrgUnit:
    """The unit whose screen the user opens: the overview's (404 for a unit outside their scope,
    and for a user who may not see its overview: a grid worker, a department)."""
    return cockpit_selectors.overview_unit(user, code)


def managed_unit(user: Actor, code: str) -> OrgUnit:
    """A unit whose links the user manages: 404 outside their scope, NotAllowed when they may
    see it but not manage its screens (a read-only leader, a grid worker)."""
    unit = screen_unit(user, code)
    if not may_manage_links(user, unit):
        raise NotAllowed(_("Only the unit's staff may manage its screen links."))
    return unit


def home_unit(user: Actor) -> OrgUnit:
    """The first unit the user manages screens of (the 大屏管理 menu's target); 404 if none."""
    for unit in org_selectors.top_units_for(user):
        if may_manage_links(user, unit):
            return unit
    raise Http404


# ---- the links --------------------------------------------------------------------------------


def links_for(user: Actor, unit: OrgUnit) -> QuerySet[ScreenLink]:
    """The screen links of `unit` and the units below it the user may see, newest first."""
    return (
        scoping.scope(ScreenLink.objects.all(), user)
        .filter(unit_code__under=unit.code)
        .select_related("unit", "created_by")
    )


def link_for(user: Actor, pk: int) -> ScreenLink:
    link = scoping.scope(ScreenLink.objects.all(), user).filter(pk=pk).first()
    if link is None:
        raise Http404
    return link


def parse_expiry(value: str, *, today: dt.date | None = None) -> dt.datetime | None:
    """The end of the day typed (YYYY-MM-DD) as an aware time, None for blank; InvalidInput
    for a day that does not parse or has passed."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _("Enter the expiry day as YYYY-MM-DD, or leave it blank."), field="expires_on"
        ) from None
    if day < (today or timezone.localdate()):
        raise InvalidInput(_("The expiry day has already passed."), field="expires_on")
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(end)


@transaction.atomic
def create_link(
    *, actor: Actor, unit: OrgUnit, label: str, expires_at: dt.datetime | None = None
) -> tuple[ScreenLink, str]:
    """A new secret link to `unit`'s screen and its token (shown once; only a hash is kept).
    The unit's staff or staff above it only (NotAllowed otherwise)."""
    if not may_manage_links(actor, unit):
        raise NotAllowed(_("Only the unit's staff may manage its screen links."))
    label = plain_text(label or "").strip()
    if not label:
        raise InvalidInput(_("Name the screen (e.g. the hall's display)."), field="label")
    if len(label) > 60:
        raise InvalidInput(_("The screen's name is at most 60 characters."), field="label")
    token = secrets.token_urlsafe(24)
    link = ScreenLink.objects.create(
        unit=unit,
        label=label,
        token_hash=_hash(token),
        prefix=token[:6],
        created_by=user_of(actor),
        expires_at=expires_at,
    )
    return link, token


@transaction.atomic
def revoke_link(*, actor: Actor, link: ScreenLink) -> ScreenLink:
    """Revoke a link at once: its screen gets 404 on its next refresh. Idempotent."""
    link = ScreenLink.objects.select_for_update().get(pk=link.pk)
    if not may_manage_links(actor, link.unit):
        raise NotAllowed(_("Only the unit's staff may manage its screen links."))
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def link_by_token(token: str) -> ScreenLink:
    """The live link behind `token` with its unit; 404 for a wrong, revoked or expired token
    or an inactive unit (all answered alike)."""
    if not token or len(token) > 64:
        raise Http404
    link = (
        ScreenLink.objects.select_related("unit")
        .filter(token_hash=_hash(token), revoked_at__isnull=True, unit__active=True)
        .first()
    )
    now = timezone.now()
    if link is None or not link.is_live(now):
        raise Http404
    if link.last_seen_at is None or (now - link.last_seen_at).total_seconds() > 300:
        ScreenLink.objects.filter(pk=link.pk).update(last_seen_at=now)
    return link


def labels() -> dict[str, str]:
    """The words the screen's script writes (translated here: the script has no gettext)."""
    return {
        "sections": pgettext("big screen", "Figures by module"),
        "ranking": pgettext("big screen", "Ranking of the units below"),
        "honours": _("Honour list"),
        "honoured": pgettext("big screen", "honoured"),
        "noHonours": _("No honour list has been published here yet."),
        "noRows": pgettext("big screen", "No unit below has this figure yet."),
        "previous": pgettext("big screen", "vs last month"),
        "year": pgettext("big screen", "this year"),
        "reported": pgettext("big screen", "Events reported"),
        "closed": pgettext("big screen", "Events closed"),
        "closure": _("Closure rate"),
        "satisfaction": _("Satisfaction rate"),
        "target": _("target"),
        "gone": _("This screen's link is no longer valid. Ask the unit's staff for a new one."),
    }


# ---- what the screen shows --------------------------------------------------------------------


def _figure(figure: figures.Figure) -> dict[str, Any]:
    return {
        "key": figure.key,
        "label": figure.label,
        "value": figure.value,
        "measure": figure.measure,
        "change": figure.change,
        "change_last_year": figure.change_last_year,
        "better": figure.better,
        "target": figure.target,
        "met": figure.met,
    }


def _headline(overview: figures.Overview, year: figures.Overview) -> list[dict[str, Any]]:
    values = overview.values()
    year_values = year.values()
    out = []
    for key in HEADLINE_KEYS:
        if key in values:
            item = _figure(overview.figure(key))
            item["year"] = year_values.get(key)
            out.append(item)
    return out


def _children(unit: OrgUnit) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(parent=unit, active=True)
        .exclude(kind=Kind.DEPARTMENT)
        .order_by("code")[:MAX_RANKED]
    )


def _ranking(unit: OrgUnit, period: figures.Period) -> dict[str, Any]:
    """The units below `unit` ranked by each of RANK_KEYS over the period, best first (the
    overview's table of units below: a fixed number of queries however many units). A figure
    no unit below has (all empty or zero) gets no board."""
    rows = cockpit_selectors.overview_below(_children(unit), period)
    columns = {column.key: column for column in cockpit_selectors.COLUMNS}
    boards = []
    for key in RANK_KEYS:
        column = columns.get(key)
        if column is None or not any(row.value(key) for row in rows):
            continue
        ranked = cockpit_selectors.sort_rows(rows, key, descending=column.better != "down")
        boards.append(
            {
                "key": key,
                "label": str(column.label),
                "measure": column.measure,
                "rows": [
                    {"name": row.unit.display_name, "code": row.unit.code, "value": row.value(key)}
                    for row in ranked[:10]
                    if row.value(key) is not None
                ],
            }
        )
    return {"boards": boards}


def _points(unit: OrgUnit, *, public: bool, now: dt.datetime) -> list[list[Any]]:
    """The newest events of the last RECENT_DAYS under `unit` as [lat, lon, state] with state
    "open", "overdue" or "closed": points only, never a title or description."""
    rows = (
        Event.objects.filter(
            unit_code__under=unit.code,
            reported_at__gte=now - dt.timedelta(days=RECENT_DAYS),
            duplicate_of__isnull=True,
        )
        .order_by("-reported_at")
        .values_list("lon", "lat", "status", "overdue")[:MAX_POINTS]
    )
    points = []
    for lon, lat, status, overdue in rows:
        x, y = org_selectors.map_point(lon, lat)
        if public:
            x, y = round(x, PUBLIC_POINT_DECIMALS), round(y, PUBLIC_POINT_DECIMALS)
        state = "overdue" if overdue else "open" if status in OPEN_STATUSES else "closed"
        points.append([y, x, state])
    return points


def _honours(unit: OrgUnit, *, public: bool) -> dict[str, Any]:
    """The published honour list (光荣榜) of the unit: names and titles for a signed-in
    screen; for a secret link only how many were honoured per community."""
    honours = list(assessment_selectors.published_honours(unit.code)[:60])
    if public:
        counts = Counter(
            (honour.plan_worker.community.display_name, honour.title) for honour in honours
        )
        return {
            "named": False,
            "rows": [
                {"unit": name, "title": title, "count": count}
                for (name, title), count in counts.most_common(12)
            ],
        }
    return {
        "named": True,
        "rows": [
            {
                "name": str(honour.plan_worker.worker),
                "title": honour.title,
                "unit": honour.plan_worker.community.display_name,
                "year": honour.plan.year,
            }
            for honour in honours[:12]
        ],
    }


def _trend(unit: OrgUnit, period: figures.Period) -> list[dict[str, Any]]:
    """The 12 months up to the period's: events reported and closed, closure and satisfaction
    rates; a month without a rollup row reads 0 events and no rates, so the axis always holds
    12 months."""
    months = [figures.Period("month", period.first)]
    for _step in range(11):
        months.insert(0, months[0].previous())
    found = {
        row["period"]: row
        for row in event_selectors.trend_for(unit, months[0].first, months[-1].last)
    }
    empty = {"reported": 0, "closed": 0, "closure": None, "satisfaction": None}
    return [
        {"period": month.value} | {key: found.get(month.value, empty)[key] for key in empty}
        for month in months
    ]


def _build(unit: OrgUnit, *, public: bool, today: dt.date, now: dt.datetime) -> dict[str, Any]:
    month = figures.Period.containing("month", today)
    year = figures.Period.containing("year", today)
    overview = figures.overview(unit, month)
    year_overview = figures.overview(unit, year, compare=False)
    sections = [
        {
            "key": section.key,
            "title": section.title,
            "figures": [_figure(figure) for figure in section.figures],
        }
        for section in overview.sections
    ]
    return {
        "unit": {
            "code": unit.code,
            "name": unit.display_name,
            "kind": str(Kind(unit.kind).label),
        },
        "period": {"value": month.value, "label": month.label, "year": year.label},
        "headline": _headline(overview, year_overview),
        "sections": sections,
        "trend": _trend(unit, month),
        "ranking": _ranking(unit, month),
        "points": _points(unit, public=public, now=now),
        "outlines": org_selectors.outlines_below(unit),
        "honours": _honours(unit, public=public),
        "public": public,
        "recent_days": RECENT_DAYS,
        "updated_at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
        "refresh_seconds": settings.SCREEN_REFRESH_SECONDS,
    }


def screen_data(unit: OrgUnit, *, public: bool, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the screen draws for `unit`, kept SCREEN_CACHE_SECONDS per unit and kind
    (every screen of a street shares one computation). The caller has checked the user may
    see `unit`, or holds a live link to it."""
    now = now or timezone.now()
    key = f"cockpit:screen:{unit.code}:{'public' if public else 'staff'}:{_lang()}"
    data = cache.get(key)
    if data is None:
        data = _build(unit, public=public, today=timezone.localdate(now), now=now)
        cache.set(key, data, settings.SCREEN_CACHE_SECONDS)
    return data


def _lang() -> str:
    return get_language() or settings.LANGUAGE_CODE
