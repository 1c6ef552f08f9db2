"""Reads of events, always through the acting user's scope.

A user sees the events of the units they are posted to, plus the events handled by or
whistled to the departments they are posted to. Anything else is a 404, like a missing row.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Abs
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from civicgrid.core import privacy
from civicgrid.core.errors import InvalidInput
from civicgrid.events import similarity, suggestions
from civicgrid.events.models import (
    COUNTERS,
    OPEN_STATUSES,
    Category,
    Event,
    EventDayRollup,
    EventMonthRollup,
    EventPhoto,
    EventRollup,
    EventStep,
    Patrol,
    QuickNote,
    RateTarget,
    ResponseTemplate,
    Source,
    Status,
    StepAction,
    WhistleTarget,
)
from civicgrid.events.roles import GRID_ROLES, VERIFY_ROLES
from civicgrid.events.workflow import WORK_STEPS
from civicgrid.org import selectors as org_selectors
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit, Posting
from civicgrid.org.scoping import (
    posted_q,
    postings_of_user,
    scope_q,
    sees_everything,
    visible_prefixes,
)
from civicgrid.org.selectors import code_prefixes
from civicgrid.org.tree import levels_of

# `work_order`: the event's order in another system (interop.WorkOrder's one-to-one back to
# the event), joined so that lists show the 工单号 without a query per row.
_RELATED = ("unit", "category", "handler_unit", "handler_user", "reporter", "work_order")


def events_for(user) -> QuerySet[Event]:
    """Events the user may see, with what list pages show already joined."""
    base = Event.objects.select_related(*_RELATED)
    if sees_everything(user):
        return base
    if not user.is_authenticated or not visible_prefixes(user):
        return base.none()
    whistled = WhistleTarget.objects.filter(posted_q(user, "department__code")).values(
        "whistle__event_id"
    )
    condition = (
        posted_q(user, "unit_code") | posted_q(user, "handler_unit__code") | Q(pk__in=whistled)
    )
    return base.filter(condition)


def event_for(user, number: str) -> Event:
    event = events_for(user).filter(number=number).first()
    if event is None:
        raise Http404
    return event


def event_to_merge(user, number: str) -> Event | None:
    """The event a duplicate is merged into, named by number; it must be one the user sees."""
    if not number:
        return None
    event = events_for(user).filter(number=number.strip()).first()
    if event is None:
        raise InvalidInput(_("No such event to merge into."), field="duplicate_of")
    return event


# Steps a resident may read about: the public timeline (tracking page, Open311).
PUBLIC_STEPS = (
    StepAction.REPORT,
    StepAction.ACCEPT,
    StepAction.DISPATCH,
    StepAction.ROUTE,
    StepAction.WHISTLE,
    StepAction.SIGN,
    StepAction.REPORT_IN,
    StepAction.RESOLVE,
    StepAction.CLOSE,
    StepAction.RATE,
    StepAction.REJECT,
    StepAction.REOPEN,
)


def public_events() -> QuerySet[Event]:
    """Events anyone may list (Open311 without a key): public categories only, never
    disputes or hardship. Callers show no personal data."""
    return Event.objects.select_related("category", "unit", "handler_unit").filter(
        category__public=True
    )


def events_or_public(user) -> QuerySet[Event]:
    """What an API client sees: the public events, plus — with a key — every event its user
    may see. A key never narrows the list below what a client sees without one."""
    if user is None:
        return public_events()
    if sees_everything(user):
        return events_for(user)
    mine = events_for(user)
    if not mine.query.is_empty():
        return mine | public_events()
    return public_events()


def visible_ids(user, events: list[Event]) -> set[int]:
    """Which of `events` (read from `events_or_public`) `user` may see as staff: the rest are
    on the public list only, which carries no media."""
    if not events:
        return set()
    ids = [event.pk for event in events]
    return set(events_for(user).filter(pk__in=ids).values_list("pk", flat=True))


def public_steps(events) -> QuerySet[EventStep]:
    return EventStep.objects.filter(event__in=events, action__in=PUBLIC_STEPS)


def last_public_notes(events: list[Event]) -> dict[int, str]:
    """Each event's latest public step note (Open311's status_notes)."""
    notes: dict[int, str] = {}
    rows = public_steps(events).exclude(note="").order_by("id").values_list("event_id", "note")
    for event_id, note in rows:
        notes[event_id] = note
    return notes


def last_step_times(events: list[Event]) -> dict[int, dt.datetime]:
    """Each event's latest step time (Open311's updated_datetime: when it last changed, in the
    times its steps were taken, which a replay gives): one query."""
    rows = (
        EventStep.objects.filter(event_id__in=[event.pk for event in events])
        .values("event_id")
        .annotate(last=Max("at"))
        .values_list("event_id", "last")
    )
    return dict(rows)


def reported_media_urls(events: list[Event]) -> dict[int, str]:
    """The `media_url` each event was reported with (Open311 POST), if any: one query."""
    urls: dict[int, str] = {}
    rows = EventStep.objects.filter(
        event_id__in=[event.pk for event in events], action=StepAction.REPORT
    ).values_list("event_id", "details")
    for event_id, details in rows:
        if isinstance(details, dict) and details.get("media_url"):
            urls[event_id] = str(details["media_url"])
    return urls


def services_changed_at() -> dt.datetime | None:
    """When any category (Open311's services) last changed, or None without categories."""
    return Category.objects.aggregate(last=Max("updated_at"))["last"]


def service_categories() -> QuerySet[Category]:
    """Sub-categories people may report under (Open311's services)."""
    return Category.objects.filter(active=True, parent__isnull=False).select_related("parent")


def event_by_token(token: str) -> Event:
    """A resident's own event, through the tracking link (not scoped: the token is the key)."""
    event = Event.objects.select_related("category", "unit").filter(token=token).first()
    if event is None or not token:
        raise Http404
    return event


def event_for_lookup(number: str, phone: str) -> Event | None:
    """A resident's event found by its number and the phone it was reported with (查询进度), for
    one who lost the tracking link. Both must match: the number alone is a sequence anyone can
    count through, and an event reported without a phone cannot be found this way."""
    hashed = privacy.phone_hash(phone)
    number = privacy.ascii_digits(number or "").strip().upper()
    if not hashed or not number:
        return None
    return Event.objects.filter(number=number, reporter_phone_hash=hashed).only("token").first()


# Signed photo links: the link names the photo and whether it may be served only while its
# event is public (Open311 media), and expires; it never carries the tracking token.
PHOTO_LINK_SALT = "civicgrid.events.photo"
PHOTO_LINK_MAX_AGE = 7 * 24 * 3600


def signed_photo_url(photo: EventPhoto, *, public_only: bool = False) -> str:
    """A link to one photo that works without login for `PHOTO_LINK_MAX_AGE`."""
    value = signing.dumps([photo.pk, int(public_only)], salt=PHOTO_LINK_SALT, compress=True)
    return reverse("events:photo", args=[photo.pk]) + "?" + urlencode({"s": value})


def photo_for(user, pk: int, *, signed: str = "") -> EventPhoto:
    """A photo, for whoever may see its event (staff by scope), or through a valid signed link
    to this photo. Anything else is a 404."""
    photo = EventPhoto.objects.select_related("event__category").filter(pk=pk).first()
    if photo is None:
        raise Http404
    if signed:
        try:
            signed_pk, public_only = signing.loads(
                signed, salt=PHOTO_LINK_SALT, max_age=PHOTO_LINK_MAX_AGE
            )
        except (signing.BadSignature, TypeError, ValueError):
            raise Http404 from None
        if signed_pk == photo.pk and (not public_only or photo.event.category.public):
            return photo
        raise Http404
    if not events_for(user).filter(pk=photo.event_id).exists():
        raise Http404
    return photo


def masked_phone(event: Event) -> str:
    """The reporter's phone as staff see it (revealing it in full comes with the audit log)."""
    return privacy.mask_phone(privacy.decrypt(event.reporter_phone))


def tasks_of(user) -> QuerySet[Event]:
    """My tasks: open events handed to me, or to a unit I work at with nobody named."""
    own = Q(handler_user=user)
    prefixes = visible_prefixes(user)
    unit_tasks = Q()
    for prefix in prefixes:
        unit_tasks |= Q(handler_unit__code=prefix)
    condition = own | (Q(handler_user=None) & unit_tasks) if prefixes else own
    return (
        events_for(user)
        .filter(condition, status__in=[Status.DISPATCHED, Status.HANDLING])
        .order_by("closure_due", "id")
    )


def _under_roles(user, roles: frozenset[str]) -> Q:
    """Events under the units where `user` holds one of `roles` (nothing when none)."""
    codes = [code for code, role in postings_of_user(user) if role in roles]
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(unit_code__under=code)
    return condition


def to_verify_for(user) -> QuerySet[Event]:
    """Resolved events the user may verify (核查): those of the communities and streets they
    work for (never district-wide), and those a department handled that they reported as grid
    worker — less any they resolved themselves. The workflow checks the same again."""
    resolved = events_for(user).filter(status=Status.RESOLVED)
    if not sees_everything(user):
        by_department = Q(whistled_at__isnull=False) | Q(handler_unit__kind=Kind.DEPARTMENT)
        reported = Q(reporter=user) & by_department & _under_roles(user, GRID_ROLES)
        resolved = resolved.filter(_under_roles(user, VERIFY_ROLES) | reported)
    own_work = EventStep.objects.filter(
        event_id=OuterRef("pk"), actor_id=user.pk, action__in=WORK_STEPS
    )
    return resolved.exclude(Exists(own_work)).order_by("resolved_at")


def board_for(user, unit: OrgUnit, status: str = "") -> QuerySet[Event]:
    """The dispatcher's board: open events under `unit`, oldest deadline first."""
    events = events_for(user).filter(unit_code__under=unit.code)
    events = events.filter(status=status) if status else events.filter(status__in=OPEN_STATUSES)
    return events.order_by("closure_due", "id")


@dataclass(frozen=True)
class BoardFilters:
    """The board's filters (its query string), checked: one status, or overdue only (?overdue=1,
    the home page's 超期); one channel (?source=hotline) or one other system (?system=12345).
    The board page and its export both read them here."""

    status: str = ""
    overdue: bool = False
    source: str = ""
    system: str = ""

    def query(self) -> dict[str, str]:
        """The channel filters as kept in the tabs' links."""
        pairs = (("source", self.source), ("system", self.system))
        return {key: value for key, value in pairs if value}


def board_filters(query: Any) -> BoardFilters:
    """`query` (request.GET or anything with .get) as BoardFilters; unknown values are ignored."""
    status = query.get("status", "") or ""
    source = query.get("source", "") or ""
    return BoardFilters(
        status=status if status in Status.values else "",
        overdue=query.get("overdue") == "1",
        source=source if source in Source.values else "",
        system=(query.get("system", "") or "").strip()[:40],
    )


def board_events(user, unit: OrgUnit, filters: BoardFilters, now: dt.datetime) -> QuerySet[Event]:
    """The board's events under `unit` with `filters` applied."""
    events = (
        overdue_under(user, unit, now) if filters.overdue else board_for(user, unit, filters.status)
    )
    return from_source(events, source=filters.source, system=filters.system)


def inbox_for(user) -> QuerySet[Event]:
    """A department's inbox: open events handled by or whistled to its departments."""
    prefixes = visible_prefixes(user)
    if not prefixes and not sees_everything(user):
        return Event.objects.none()
    whistled = WhistleTarget.objects.filter(scope_q(user, "department__code") or Q()).values(
        "whistle__event_id"
    )
    mine = Q(pk__in=whistled, handler_unit__kind="department")
    for prefix in prefixes:
        mine |= Q(handler_unit__code=prefix, handler_unit__kind="department")
    return (
        events_for(user)
        .filter(mine, status__in=OPEN_STATUSES)
        .distinct()
        .order_by("closure_due", "id")
    )


def categories_tree() -> list[tuple[Category, list[Category]]]:
    """Active classes, each with its active sub-categories, in code order."""
    everything = list(Category.objects.filter(active=True).order_by("code"))
    return [
        (top, [c for c in everything if c.parent_id == top.pk])
        for top in everything
        if top.parent_id is None
    ]


def categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True).select_related("parent").order_by("code")


# 智能分拨 on the dispatch board: suggestions for at most this many rows awaiting dispatch per
# page (each is computed from the event's text), kept per event and version for a while.
SUGGESTED_ROWS = 20
SUGGESTION_SECONDS = 300
AWAITING_DISPATCH = (Status.REPORTED, Status.ACCEPTED)
_MISSING = object()


def suggestion_for(event: Event) -> suggestions.Suggestions | None:
    """The suggested category and department for `event` (which the caller may see), or None
    when no suggester answers. Cached per event and version: any step renews it."""
    if not suggestions.suggesters:
        return None
    key = f"events:suggestion:{event.pk}:{event.version}"
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = suggestions.suggest_quietly(
            suggestions.report_text(event.title, event.description), event.lon, event.lat
        )
        cache.set(key, found, SUGGESTION_SECONDS)
    return found


def with_suggestions(events: list[Event]) -> list[Event]:
    """`events` with `suggestion` set on the first SUGGESTED_ROWS awaiting dispatch (None on
    the others)."""
    waiting = [event for event in events if event.status in AWAITING_DISPATCH]
    chosen = {event.pk for event in waiting[:SUGGESTED_ROWS]}
    for event in events:
        event.suggestion = suggestion_for(event) if event.pk in chosen else None  # type: ignore[attr-defined]
    return events


def category_by_code(code: str | None) -> Category | None:
    return Category.objects.filter(code=code).first() if code else None


def dispatch_targets(user, event: Event) -> dict:
    """Whom `user` may send `event` to: grid workers of its grid and the units above, the
    grids and communities of its street the user covers, the departments serving the place,
    and the units of its district it may be transferred to (the services check again)."""
    levels = levels_of(event.unit_code)
    # An event kept above a street (or a district) takes its targets from its own subtree.
    street = levels.get(Kind.STREET, event.unit_code)
    return {
        "departments": org_selectors.departments_serving(event.unit_code),
        "units": org_selectors.units_for(user).filter(
            active=True,
            kind__in=[Kind.COMMUNITY, Kind.GRID, Kind.DEDICATED_GRID],
            code__under=street,
        )[:200],
        "workers": Posting.objects.filter(
            active=True, role__in=list(GRID_ROLES), unit__code__in=code_prefixes(event.unit_code)
        )
        .select_related("user", "unit")
        .order_by("unit__code"),
    }


def event_features(user, *, statuses: list[str], category: str = "") -> dict:
    """Visible events as GeoJSON points (open ones unless `statuses` says), a class code
    taking its sub-categories, newest 5000, placed as the configured tiles draw them."""
    events = events_for(user).filter(status__in=statuses or OPEN_STATUSES)
    if category:
        events = events.filter(category__code__prefix=category)
    features = []
    rows = events.values_list("number", "title", "status", "lon", "lat", "overdue")[:5000]
    for number, title, status, lon, lat, overdue in rows:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": org_selectors.map_point(lon, lat)},
                "properties": {
                    "number": number,
                    "title": title,
                    "status": status,
                    "status_label": str(Status(status).label),
                    "overdue": overdue,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def open_patrol_of(user) -> Patrol | None:
    return Patrol.objects.filter(worker=user, ended_at=None).first()


def notes_to_report(user) -> QuerySet[QuickNote]:
    """The user's own quick notes not yet turned into events."""
    return QuickNote.objects.filter(author=user, event=None)


def templates_for(event: Event) -> list[str]:
    """Ready answers for the event's category and for every category."""
    return list(
        ResponseTemplate.objects.filter(Q(category=event.category_id) | Q(category=None))
        .order_by("status", "id")
        .values_list("text", flat=True)
    )


def steps_of(event: Event):
    return event.steps.select_related("actor").prefetch_related("photos")


def whistles_of(event: Event):
    return event.whistles.prefetch_related("targets__department", "targets__reported_in_by")


EARTH_RADIUS_M = 6_371_000


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


# Duplicates: open events near a point that look like the same problem. The old rule (the same
# category within the category's radius) still holds; by meaning, any category within
# similarity.reach_m and MAX_AGE_DAYS whose text is alike enough (similarity.score).
DUPLICATE_CANDIDATES = 300  # the nearest open events (by box) compared, at most
DUPLICATE_TEXT_CHARS = 2000  # a report's text is cut here before it is compared


@dataclass(frozen=True)
class Duplicate:
    """A possible duplicate and why: its distance, how alike its text is (0–1), the combined
    score, and whether it is the same category within the category's radius."""

    event: Event
    metres: int
    similarity: float
    score: float
    same_rule: bool

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)

    @property
    def by_meaning(self) -> bool:
        return self.score >= similarity.THRESHOLD


def _candidates(
    events: QuerySet[Event],
    category: Category | None,
    lon: float,
    lat: float,
    *,
    text: str = "",
    exclude: int | None = None,
    at: dt.datetime | None = None,
) -> list[Duplicate]:
    """Open events that are likely duplicates of a report of `category` (None: not chosen yet)
    with `text` at the point, best first: one query for the nearest DUPLICATE_CANDIDATES open
    events in a box around the point, with only the fields compared and shown."""
    text = (text or "").strip()[:DUPLICATE_TEXT_CHARS]
    radius = category.duplicate_radius_m if category is not None else 0
    words = similarity.has_words(text)
    if not words and category is None:
        return []
    # No words to compare: the old rule alone.
    reach = similarity.reach_m(radius) if words else radius
    at = at or timezone.now()
    dlat = reach / 111_320
    cosine_lat = max(math.cos(math.radians(lat)), 0.01)
    dlon = reach / (111_320 * cosine_lat)
    candidates = events.filter(
        status__in=OPEN_STATUSES,
        lat__range=(lat - dlat, lat + dlat),
        lon__range=(lon - dlon, lon + dlon),
    )
    if not words:
        candidates = candidates.filter(category=category)
    else:
        recent = Q(reported_at__gte=at - dt.timedelta(days=similarity.MAX_AGE_DAYS))
        candidates = candidates.filter(recent | Q(category=category) if category else recent)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude)
    candidates = (
        candidates.select_related(None)
        .select_related("category")
        .only(
            "number",
            "title",
            "description",
            "status",
            "lon",
            "lat",
            "reported_at",
            "category__name",
        )
        .annotate(box=Abs(F("lat") - lat) + Abs(F("lon") - lon) * cosine_lat)
        .order_by("box", "pk")[:DUPLICATE_CANDIDATES]
    )
    rows = list(candidates)
    alike = similarity.similarities(text, [f"{e.title} {e.description}" for e in rows])
    found = []
    for event, likeness in zip(rows, alike, strict=True):
        metres = distance_m(lon, lat, event.lon, event.lat)
        same = category is not None and event.category_id == category.pk
        days = abs((at - event.reported_at).total_seconds()) / 86_400
        score = similarity.score(likeness, metres, days, same, reach) if words else 0.0
        same_rule = same and metres <= radius
        if same_rule or score >= similarity.THRESHOLD:
            found.append(Duplicate(event, round(metres), likeness, score, same_rule))
    return sorted(found, key=lambda d: (-d.score, d.metres))


def nearby_open_events(
    user,
    category: Category | None,
    lon: float,
    lat: float,
    *,
    exclude: int | None = None,
    text: str = "",
    at: dt.datetime | None = None,
) -> list[Duplicate]:
    """Possible duplicates for staff, in `user`'s scope like every other read: open events of
    the same category within its radius and, when there is `text`, open events of any category
    that say the same thing close by and recently; best first, with the reason."""
    return _candidates(events_for(user), category, lon, lat, text=text, exclude=exclude, at=at)


# A resident's point is snapped to the centre of a cell this many metres wide before any
# distance is measured, and distances are shown rounded up to the same step: probing from
# many points cannot place an event more precisely than this.
HINT_STEP_M = 50
HINT_TITLE_CHARS = 20


@dataclass(frozen=True)
class NearbyHint:
    """All a resident learns of a public event near their point: no number, no exact
    distance, a shortened title."""

    title: str
    category: str
    status: str
    within_m: int


def _snapped(lon: float, lat: float) -> tuple[float, float]:
    step_lat = HINT_STEP_M / 111_320
    lat = (math.floor(lat / step_lat) + 0.5) * step_lat
    step_lon = HINT_STEP_M / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return (math.floor(lon / step_lon) + 0.5) * step_lon, lat


def nearby_hints(
    category: Category | None, lon: float, lat: float, *, text: str = ""
) -> list[NearbyHint]:
    """The duplicate hint on the residents' report page: open events of PUBLIC categories
    only, near the snapped point — of the same category, or saying the same as `text`. Events
    of non-public categories (disputes, hardship) are never candidates, because even
    "something is within 100 m" can be triangulated, and a text can be tried many times; the
    hint tells no more than before whatever the text (no number, no similarity, a band)."""
    if category is not None and not category.public:
        category = None  # its events are not public: only public ones alike in words remain
    lon, lat = _snapped(lon, lat)
    return [
        NearbyHint(
            title=Truncator(found.event.title).chars(HINT_TITLE_CHARS),
            category=found.event.category.name,
            status=str(Status(found.event.status).label),
            within_m=max(1, math.ceil(found.metres / HINT_STEP_M)) * HINT_STEP_M,
        )
        for found in _candidates(public_events(), category, lon, lat, text=text)
    ]


def reads_events(user) -> bool:
    """Whether `user` is staff who may see some events (and so gets the scoped duplicate
    list rather than the residents' hint)."""
    return sees_everything(user) or bool(user.is_authenticated and visible_prefixes(user))


# ---- figures -----------------------------------------------------------------------------------


@dataclass
class Rate:
    key: str
    label: str
    numerator: int
    denominator: int
    target: int
    formula: str

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    @property
    def met(self) -> bool | None:
        return None if self.percent is None else self.percent >= self.target


@dataclass
class Figures:
    unit: OrgUnit
    start: dt.date
    end: dt.date
    counts: dict[str, int]
    rates: list[Rate] = field(default_factory=list)


# The formulas, shown on the dashboard as they are computed.
RATE_DEFINITIONS = [
    (
        "response",
        _("Response rate"),
        "responded_on_time",
        "dispatched",
        _("events signed for by the handler within the response deadline ÷ events dispatched"),
    ),
    (
        "closure",
        _("Closure rate"),
        "due_closed",
        "due",
        _("events closed ÷ events whose closure deadline falls in the period"),
    ),
    (
        "solution",
        _("Solution rate"),
        "solved",
        "follow_ups",
        _("follow-ups where the reporter says the problem is solved ÷ follow-ups"),
    ),
    (
        "satisfaction",
        _("Satisfaction rate"),
        "pleased",
        "follow_ups",
        _("(satisfied + basically satisfied) ÷ follow-ups"),
    ),
    (
        "on_time_closure",
        _("On-time closure rate"),
        "closed_on_time",
        "closed",
        _("events closed by their closure deadline ÷ events closed in the period"),
    ),
]


def rate_targets_for(units: list[OrgUnit]) -> dict[int, RateTarget]:
    """Each unit's nearest configured targets at or above it, else the defaults, by the unit's
    id: one query for a whole ranking table."""
    codes = {prefix for unit in units for prefix in code_prefixes(unit.code)}
    configured = {
        target.code: target
        for target in RateTarget.objects.filter(unit__code__in=codes).annotate(code=F("unit__code"))
    }
    targets = {}
    for unit in units:
        nearest = [configured[code] for code in code_prefixes(unit.code) if code in configured]
        targets[unit.pk] = nearest[-1] if nearest else RateTarget(unit=unit)
    return targets


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _summed(
    model, unit_ids: list[int], column: str, low: dt.date, high: dt.date
) -> dict[int, list[int]]:
    """The counters of each unit's rows with `column` in [low, high], summed per unit (units
    without rows are left out). Plain SQL: the ORM spends longer building 31 Sum() expressions
    than the database spends on 40 rows."""
    table = model._meta.db_table
    sql = (
        f"SELECT unit_id, {', '.join(f'SUM({name})' for name in COUNTERS)} FROM {table} "
        f"WHERE unit_id IN ({', '.join(['%s'] * len(unit_ids))}) "
        f"AND {column} >= %s AND {column} <= %s GROUP BY unit_id"
    )
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(sql, [*unit_ids, low, high])
        return {row[0]: [value or 0 for value in row[1:]] for row in cursor.fetchall()}


def counters_for(unit_id: int, start: dt.date, end: dt.date) -> dict[str, int]:
    """Every counter of a unit's subtree for the days start..end (inclusive): whole months
    from the unit's month rows, the ragged edges from its day rows."""
    return counters_for_units([unit_id], start, end)[unit_id]


def counters_for_units(
    unit_ids: list[int], start: dt.date, end: dt.date
) -> dict[int, dict[str, int]]:
    """`counters_for` of each unit by its id, in the same one to three statements for any
    number of units (a dashboard's ranking of its sub-units)."""
    first_full = start if start.day == 1 else _next_month(start)
    after_end = end + dt.timedelta(days=1)
    last_full = after_end if after_end.day == 1 else _month_start(after_end)
    totals = {unit_id: [0] * len(COUNTERS) for unit_id in unit_ids}
    parts: list[tuple[type[EventMonthRollup | EventDayRollup], str, dt.date, dt.date]] = []
    if first_full < last_full:
        parts.append((EventMonthRollup, "month", first_full, last_full - dt.timedelta(days=1)))
        parts += [
            (EventDayRollup, "day", start, first_full - dt.timedelta(days=1)),
            (EventDayRollup, "day", last_full, end),
        ]
    else:
        parts.append((EventDayRollup, "day", start, end))
    for model, column, low, high in parts:
        if low <= high and unit_ids:
            for unit_id, summed in _summed(model, unit_ids, column, low, high).items():
                totals[unit_id] = [a + b for a, b in zip(totals[unit_id], summed, strict=True)]
    return {unit_id: dict(zip(COUNTERS, row, strict=True)) for unit_id, row in totals.items()}


def figures_for(unit: OrgUnit, start: dt.date, end: dt.date) -> Figures:
    """The four rates, on-time closure and the counts for `unit`'s subtree over a period.
    The caller has checked the user may see `unit` (org.selectors.unit_for)."""
    return figures_for_units([unit], start, end)[0]


def figures_for_units(units: list[OrgUnit], start: dt.date, end: dt.date) -> list[Figures]:
    """`figures_for` of each unit, in order, with a fixed number of queries however many."""
    counters = counters_for_units([unit.pk for unit in units], start, end)
    targets = rate_targets_for(units)
    figures = []
    for unit in units:
        counts = counters[unit.pk]
        counts["pleased"] = counts["satisfied"] + counts["basically_satisfied"]
        counts["open"] = sum(counts[f"status_{status}"] for status in OPEN_STATUSES)
        rates = [
            Rate(
                key,
                str(label),
                counts[num],
                counts[den],
                getattr(targets[unit.pk], key),
                str(formula),
            )
            for key, label, num, den, formula in RATE_DEFINITIONS
        ]
        figures.append(Figures(unit, start, end, counts, rates))
    return figures


def trend_for(unit: OrgUnit, start: dt.date, end: dt.date) -> list[dict]:
    """Per month (periods over 62 days) or per day: reported, closed and the four rates."""
    monthly = (end - start).days > 62
    rows: QuerySet[Any, dict[str, Any]]
    if monthly:
        rows = (
            EventMonthRollup.objects.filter(
                unit=unit, month__gte=_month_start(start), month__lte=end
            )
            .values("month")
            .annotate(**{name: Sum(name) for name in COUNTERS})
            .order_by("month")
        )
        key = "month"
    else:
        rows = (
            EventDayRollup.objects.filter(unit=unit, day__range=(start, end))
            .values("day")
            .annotate(**{name: Sum(name) for name in COUNTERS})
            .order_by("day")
        )
        key = "day"

    def percent(num: int, den: int) -> float | None:
        return round(100 * num / den, 1) if den else None

    return [
        {
            "period": row[key].strftime("%Y-%m" if monthly else "%m-%d"),
            "reported": row["reported"],
            "closed": row["closed"],
            "response": percent(row["responded_on_time"], row["dispatched"]),
            "closure": percent(row["due_closed"], row["due"]),
            "solution": percent(row["solved"], row["follow_ups"]),
            "satisfaction": percent(
                row["satisfied"] + row["basically_satisfied"], row["follow_ups"]
            ),
        }
        for row in rows
    ]


def by_category_for(unit: OrgUnit, start: dt.date, end: dt.date) -> list[tuple[Category, int]]:
    rows = (
        EventRollup.objects.filter(unit_code__under=unit.code, day__range=(start, end))
        .values("category_id")
        .annotate(total=Sum("reported"))
        .filter(total__gt=0)
        .order_by("-total")[:15]
    )
    categories = Category.objects.in_bulk([row["category_id"] for row in rows])
    return [(categories[row["category_id"]], row["total"]) for row in rows]


def dashboard_period(query: Any) -> tuple[dt.date, dt.date]:
    """The four-rates page's period (?start=2026-01-01&end=2026-01-31; this year so far by
    default), checked; InvalidInput naming the field. The page and its export read it here."""
    from django.utils.translation import gettext

    start, end = default_period()
    try:
        if query.get("start"):
            start = dt.date.fromisoformat(query.get("start"))
        if query.get("end"):
            end = dt.date.fromisoformat(query.get("end"))
    except ValueError:
        raise InvalidInput(gettext("Dates are written like 2026-01-31."), field="start") from None
    return checked_period(start, end)


def by_child_for(user, unit: OrgUnit, start: dt.date, end: dt.date) -> list[Figures]:
    """The same figures for each child unit the user may see (ranking table)."""
    from civicgrid.org.selectors import children_for

    return figures_for_units(children_for(user, unit), start, end)


def from_source(events: QuerySet[Event], *, source: str = "", system: str = "") -> QuerySet[Event]:
    """Only the events that came in by channel `source` (Source) and, with `system`, whose
    order belongs to that other system (interop's WorkOrder, e.g. "12345")."""
    if source:
        events = events.filter(source=source)
    if system:
        events = events.filter(work_order__system=system)
    return events


def status_counts(user, unit: OrgUnit, *, source: str = "", system: str = "") -> dict[str, int]:
    """Live counts by status of the events under `unit` (for the board's tabs), of one
    channel or other system when given."""
    rows = (
        from_source(events_for(user), source=source, system=system)
        .filter(unit_code__under=unit.code)
        .values("status")
        .annotate(total=Count("id"))
        .order_by()
    )
    return {row["status"]: row["total"] for row in rows}


def default_period() -> tuple[dt.date, dt.date]:
    """This year so far (Asia/Shanghai)."""
    today = timezone.localdate()
    return today.replace(month=1, day=1), today


# Figures are kept for the years a deployment can hold; a date at the ends of the calendar
# (0001-01-01, 9999-12-31) would overflow the month arithmetic, and a span of centuries only
# costs time.
PERIOD_BOUNDS = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))


def checked_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """`start`..`end` in order, or InvalidInput when either lies outside PERIOD_BOUNDS."""
    if end < start:
        start, end = end, start
    low, high = PERIOD_BOUNDS
    for name, day in (("start", start), ("end", end)):
        if not low <= day <= high:
            raise InvalidInput(
                _("Give dates between %(low)s and %(high)s.")
                % {"low": low.isoformat(), "high": high.isoformat()},
                field=name,
            )
    return start, end


# ---- work queues on the home pages (site/views.py) ----------------------------------------------

# Open and running against its deadline: a suspended event's clock stands still.
RUNNING_STATUSES = OPEN_STATUSES - {Status.SUSPENDED}


def overdue_q(now: dt.datetime) -> Q:
    """Open events past their closure deadline (超期)."""
    return Q(status__in=RUNNING_STATUSES, closure_due__lt=now)


def overdue_count() -> int:
    """Every overdue event of the deployment (/metrics): one count on the open events."""
    return Event.objects.filter(overdue_q(timezone.now())).count()


def overdue_under(user, unit: OrgUnit, now: dt.datetime) -> QuerySet[Event]:
    """The overdue events under `unit`, the longest overdue first."""
    return (
        events_for(user)
        .filter(overdue_q(now), unit_code__under=unit.code)
        .order_by("closure_due", "id")
    )


def queue_counts(user, unit: OrgUnit, now: dt.datetime) -> dict[str, int]:
    """The community's queue in one query: to accept (待受理), to dispatch (待派遣), to verify
    (待核查) and overdue (超期), under `unit`."""
    return (
        events_for(user)
        .filter(unit_code__under=unit.code)
        .aggregate(
            reported=Count("id", filter=Q(status=Status.REPORTED)),
            accepted=Count("id", filter=Q(status=Status.ACCEPTED)),
            resolved=Count("id", filter=Q(status=Status.RESOLVED)),
            overdue=Count("id", filter=overdue_q(now)),
        )
    )


def overview_counts(user, now: dt.datetime) -> dict[str, int]:
    """Today's overview for the superuser, in one query: reported today, open, waiting to be
    accepted, overdue."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return events_for(user).aggregate(
        today=Count("id", filter=Q(reported_at__gte=today)),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        reported=Count("id", filter=Q(status=Status.REPORTED)),
        overdue=Count("id", filter=overdue_q(now)),
    )


def report_ins_due(user) -> QuerySet[WhistleTarget]:
    """The department's whistles still waiting for its report-in (报到), the earliest deadline
    first."""
    condition = scope_q(user, "department__code")
    targets = WhistleTarget.objects.filter(reported_in_at=None)
    if condition is not None:
        targets = targets.filter(condition)
    return targets.select_related("whistle__event", "department").order_by(
        "whistle__report_in_due", "id"
    )


# ---- departments' performance in 吹哨报到 ---------------------------------------------------


@dataclass
class DepartmentFigures:
    """How a department answered the whistles it received in a period: counted from the
    WhistleTarget rows themselves (a department is no event's unit, so the unit rollups never
    hold its work)."""

    department: OrgUnit
    received: int = 0
    reported_in: int = 0
    reported_in_on_time: int = 0
    resolved: int = 0

    @property
    def on_time_percent(self) -> float | None:
        if not self.received:
            return None
        return round(100 * self.reported_in_on_time / self.received, 1)


# The statuses of an event whose work is done (resolved, and on from there).
DONE_STATUSES = (Status.RESOLVED, Status.VERIFIED, Status.CLOSED, Status.RATED)


def department_figures(
    departments: list[OrgUnit], start: dt.date, end: dt.date
) -> list[DepartmentFigures]:
    """For each department (in order), the whistles raised to it on the days start..end
    (Asia/Shanghai): received, reported in (报到), reported in by the whistle's deadline, and
    whose event is resolved (or verified, closed, rated) now. One query for any number of
    departments. The caller has checked the user may see them."""
    if not departments:
        return []
    low = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    high = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    rows = (
        WhistleTarget.objects.filter(
            department__in=[unit.pk for unit in departments],
            whistle__created_at__gte=low,
            whistle__created_at__lt=high,
        )
        .values("department_id")
        .annotate(
            received=Count("id"),
            reported_in=Count("id", filter=Q(reported_in_at__isnull=False)),
            reported_in_on_time=Count(
                "id", filter=Q(reported_in_at__lte=F("whistle__report_in_due"))
            ),
            resolved=Count("id", filter=Q(whistle__event__status__in=DONE_STATUSES)),
        )
        .order_by()
    )
    by_unit = {row.pop("department_id"): row for row in rows}
    return [DepartmentFigures(unit, **by_unit.get(unit.pk, {})) for unit in departments]


def departments_under(user, unit: OrgUnit) -> list[OrgUnit]:
    """The active departments in `unit`'s subtree that `user` may see (a street's or a
    district's, for their per-department table), in code order."""
    return list(
        org_selectors.units_for(user)
        .filter(kind=Kind.DEPARTMENT, active=True, code__under=unit.code)
        .order_by("code")[:200]
    )
