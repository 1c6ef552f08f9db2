"""Per-worker figures (工作量): reads over the per-worker rollups, for a worker and for the
workers of a community or street. docs/assessment-figures.md says what is counted and why.

The counters come from two rollup tables kept by their own apps in each change's transaction:
`events.WorkerMonthRollup` (events reported, handled on the spot, handled, closed, closed on
time, overdue, verified, 三跨 reports, patrols with their hours and kilometres, quick notes)
and `people.VisitMonthRollup` (household visits). Periods are whole months: a period from
January to March sums those months' rows, so a year costs twelve rows per worker and unit.
Beside them: the completeness of the worker's own grids now (people.selectors, the same
checks as the data-quality page), and — where the worker is also a volunteer or a class
attendee — service hours (志愿时长) and classes attended in the period, read from their
records (a worker has a few).

Who sees what (through civicgrid.org.scoping): a grid worker sees only their own figures;
staff and read-only leaders (assessment.roles.READER_ROLES) see the workers posted in their
subtree, and a ranking of a community or street in it; anything else answers 404 like a
missing page. The work a viewer sees counted is the work done in units they may see (the
worker themself sees all of theirs).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.assessment.roles import READER_ROLES, WORKER_ROLES
from civicgrid.classes.models import Enrolment
from civicgrid.core.errors import InvalidInput
from civicgrid.events.models import WORKER_COUNTERS, WorkerMonthRollup
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit, Posting
from civicgrid.org.scoping import holds, postings_of_user, scope, sees_everything
from civicgrid.people.models import VisitMonthRollup
from civicgrid.people.selectors import Check, Completeness, completeness_below
from civicgrid.volunteers.models import RecordKind, VolunteerRecord

# Every column a worker's figures have, in the order shown, with its Chinese label.
COLUMNS: dict[str, Any] = {
    "score": pgettext_lazy("assessment", "Workload"),
    "reported": pgettext_lazy("assessment", "Reported"),
    "on_the_spot": pgettext_lazy("assessment", "Handled on the spot"),
    "handled": pgettext_lazy("assessment", "Handled"),
    "closed_on_time": pgettext_lazy("assessment", "Closed on time"),
    "overdue": pgettext_lazy("assessment", "Overdue"),
    "verified": pgettext_lazy("assessment", "Verified"),
    "cross_boundary": pgettext_lazy("assessment", "Cross-boundary reports"),
    "patrols": pgettext_lazy("assessment", "Patrols"),
    "patrol_hours": pgettext_lazy("assessment", "Patrol hours"),
    "patrol_km": pgettext_lazy("assessment", "Patrol km"),
    "quick_notes": pgettext_lazy("assessment", "Quick notes"),
    "visits": pgettext_lazy("assessment", "Visits"),
    "on_time_share": pgettext_lazy("assessment", "On-time share"),
    "completeness": pgettext_lazy("assessment", "Data completeness"),
    "service_hours": pgettext_lazy("assessment", "Volunteer hours"),
    "classes": pgettext_lazy("assessment", "Classes attended"),
}
# The stated composite a ranking is ordered by unless a column is chosen: one point for each
# event reported, event handled, verify step, patrol, quick note and household visit, minus one
# for each overdue event in the worker's hands. It sums work; it is not the assessment's score.
SCORE_PLUS = ("reported", "handled", "verified", "patrols", "quick_notes", "visits")
SCORE_MINUS = ("overdue",)
# Columns where less is better: ranked ascending.
ASCENDING = frozenset({"overdue"})
DEFAULT_SORT = "score"


@dataclass
class Figures:
    """One worker's figures for a period (or one month of them)."""

    counts: dict[str, int] = field(default_factory=dict)
    visits: int = 0
    service_hours: Decimal = Decimal(0)
    classes: int = 0
    class_hours: Decimal = Decimal(0)
    completeness: float | None = None

    def __getitem__(self, name: str) -> Any:
        return self.value(name)

    def value(self, name: str) -> Any:
        if name in WORKER_COUNTERS:
            return self.counts.get(name, 0)
        return getattr(self, name)

    @property
    def score(self) -> int:
        return sum(self.value(name) for name in SCORE_PLUS) - sum(
            self.value(name) for name in SCORE_MINUS
        )

    @property
    def patrol_hours(self) -> Decimal:
        return (Decimal(self.counts.get("patrol_seconds", 0)) / 3600).quantize(Decimal("0.1"))

    @property
    def patrol_km(self) -> Decimal:
        return (Decimal(self.counts.get("patrol_metres", 0)) / 1000).quantize(Decimal("0.1"))

    @property
    def on_time_share(self) -> float | None:
        """Closed on time over closed, of the events in the worker's hands, in per cent."""
        closed = self.counts.get("closed", 0)
        if not closed:
            return None
        return round(100 * self.counts.get("closed_on_time", 0) / closed, 1)

    @property
    def on_the_spot_share(self) -> float | None:
        """Handled on the spot over reported, in per cent."""
        reported = self.counts.get("reported", 0)
        if not reported:
            return None
        return round(100 * self.counts.get("on_the_spot", 0) / reported, 1)


# ---- the period ---------------------------------------------------------------------------------


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_month(text: str, field_name: str) -> dt.date:
    try:
        year, month = (int(part) for part in (text or "").strip().split("-"))
        day = dt.date(year, month, 1)
    except (TypeError, ValueError):
        raise InvalidInput(
            _("A month is written YYYY-MM, e.g. 2026-12."), field=field_name
        ) from None
    if not 2000 <= day.year <= 2100:
        raise InvalidInput(_("Give a date between 2000 and 2100."), field=field_name)
    return day


def period(first: str = "", last: str = "") -> tuple[dt.date, dt.date]:
    """The first days of the period's first and last months (both included), from the page's
    `from` and `to` (YYYY-MM); this year so far by default. At most five years."""
    this_month = timezone.localdate().replace(day=1)
    start = parse_month(first, "from") if first else this_month.replace(month=1)
    end = parse_month(last, "to") if last else this_month
    if start > end:
        raise InvalidInput(_("The period must start before it ends."), field="from")
    if (end.year - start.year) * 12 + end.month - start.month >= 60:
        raise InvalidInput(_("Choose at most five years."), field="from")
    return start, end


def months_of(first: dt.date, last: dt.date) -> list[dt.date]:
    out, month = [], first
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


# ---- who may see whom ---------------------------------------------------------------------------


def _worker_postings(users) -> dict[int, list[Posting]]:
    postings: dict[int, list[Posting]] = defaultdict(list)
    rows = (
        Posting.objects.filter(
            user__in=users, role__in=WORKER_ROLES, active=True, unit__active=True
        )
        .select_related("unit__parent")
        .defer("unit__polygon", "unit__parent__polygon")
        .order_by("unit__code", "id")
    )
    for posting in rows:
        postings[posting.user_id].append(posting)
    return postings


def may_read(viewer, code: str) -> bool:
    """Whether `viewer` reads the figures of workers at `code`: staff and leaders at or above."""
    return holds(viewer, code, READER_ROLES)


def worker_for(viewer, pk: int):
    """The grid worker numbered `pk`, with `grid_postings` (their active grid postings) attached, if
    `viewer` may see their figures: themself, or staff and leaders over one of their grids;
    Http404 otherwise, exactly as for nobody."""
    worker: Any = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if worker is None:
        raise Http404
    postings = _worker_postings([worker]).get(worker.pk, [])
    if not postings:
        raise Http404
    if worker.pk != viewer.pk and not any(may_read(viewer, p.unit.code) for p in postings):
        raise Http404
    worker.grid_postings = postings
    return worker


def ranking_unit_for(viewer, code: str) -> OrgUnit:
    """A community or street whose ranking `viewer` may read (404 otherwise)."""
    unit = (
        OrgUnit.objects.filter(code=code, active=True, kind__in=[Kind.COMMUNITY, Kind.STREET])
        .defer("polygon")
        .first()
    )
    if unit is None or not may_read(viewer, unit.code):
        raise Http404
    return unit


def ranking_units(viewer) -> list[OrgUnit]:
    """The communities and streets whose ranking `viewer` may read, for the page's picker (the
    streets and communities in their subtree; none for a grid worker)."""
    units = OrgUnit.objects.filter(active=True, kind__in=[Kind.COMMUNITY, Kind.STREET]).defer(
        "polygon"
    )
    if not sees_everything(viewer):
        prefixes = [code for code, role in postings_of_user(viewer) if role in READER_ROLES]
        if not prefixes:
            return []
        condition = Q()
        for prefix in prefixes:
            condition |= Q(code__under=prefix)
        units = units.filter(condition)
    return list(units.order_by("code")[:200])


# ---- reads --------------------------------------------------------------------------------------


def _rows(model, viewer, worker_ids, first, last, unit: OrgUnit | None, *, own: bool = False):
    rows = model.objects.filter(user_id__in=worker_ids, month__gte=first, month__lte=last)
    if unit is not None:
        rows = rows.filter(unit_code__under=unit.code)
    if not own:
        rows = scope(rows, viewer)
    return rows


def _sums(names: tuple[str, ...]) -> dict[str, Sum]:
    return {name: Sum(name) for name in names}


def _completeness(viewer, grids: list[OrgUnit], within: OrgUnit | None) -> dict[int, Completeness]:
    """Completeness of each grid now, by grid id: one query per check for all of them (per
    community when `within` is not given)."""
    out: dict[int, Completeness] = {}
    if within is not None:
        groups = {within.pk: (within, grids)}
    else:
        groups = {}
        for grid in grids:
            parent = grid.parent if grid.parent is not None else grid
            groups.setdefault(parent.pk, (parent, []))[1].append(grid)
    for parent, members in groups.values():
        for grid, result in zip(members, completeness_below(viewer, parent, members), strict=True):
            out[grid.pk] = result
    return out


def combined(results: list[Completeness]) -> float | None:
    """One score over several grids: each check's totals summed, then `Completeness.score`."""
    if not results:
        return None
    checks: dict[str, Check] = {}
    for result in results:
        for check in result.checks:
            kept = checks.setdefault(check.code, Check(check.code, check.label, 0, 0))
            kept.total += check.total
            kept.done += check.done
    return Completeness(results[0].unit, list(checks.values())).score


def _extras(worker_ids, first: dt.date, last: dt.date) -> tuple[dict, dict]:
    """Volunteer service hours and classes attended (with their class hours) per worker in the
    period: the worker's own volunteer record and check-ins (one query each)."""
    until = add_months(last, 1)
    hours = dict(
        VolunteerRecord.objects.filter(
            volunteer__user_id__in=worker_ids,
            kind=RecordKind.SERVICE,
            day__gte=first,
            day__lt=until,
        )
        .values_list("volunteer__user_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(until, dt.time(), tzinfo=zone)
    classes = {
        row["user_id"]: (row["n"], row["class_hours"] or Decimal(0))
        for row in Enrolment.objects.filter(
            user_id__in=worker_ids, checked_in_at__gte=start, checked_in_at__lt=end
        )
        .values("user_id")
        .annotate(n=Count("pk"), class_hours=Sum("session__class_hours"))
        .order_by()
    }
    return hours, classes


@dataclass
class WorkerPage:
    worker: Any
    first: dt.date
    last: dt.date
    total: Figures
    months: list[tuple[dt.date, Figures]]
    grids: list[OrgUnit]


def worker_figures(viewer, worker, first: dt.date, last: dt.date) -> WorkerPage:
    """A worker's figures for the months `first`..`last` (from `worker_for`), with a row per
    month of the period."""
    own = worker.pk == viewer.pk
    ids = [worker.pk]
    per_month: dict[dt.date, Figures] = {month: Figures() for month in months_of(first, last)}
    counted = (
        _rows(WorkerMonthRollup, viewer, ids, first, last, None, own=own)
        .values("month")
        .annotate(**_sums(WORKER_COUNTERS))
        .order_by()
    )
    for row in counted:
        per_month[row["month"]].counts = {name: row[name] or 0 for name in WORKER_COUNTERS}
    visits = (
        _rows(VisitMonthRollup, viewer, ids, first, last, None, own=own)
        .values("month")
        .annotate(visits=Sum("visits"))
        .order_by()
    )
    for row in visits:
        per_month[row["month"]].visits = row["visits"] or 0
    total = Figures(counts={name: 0 for name in WORKER_COUNTERS})
    for figures in per_month.values():
        for name, value in figures.counts.items():
            total.counts[name] += value
        total.visits += figures.visits
    hours, classes = _extras(ids, first, last)
    total.service_hours = hours.get(worker.pk, Decimal(0))
    total.classes, total.class_hours = classes.get(worker.pk, (0, Decimal(0)))
    grids = [posting.unit for posting in getattr(worker, "grid_postings", [])]
    found = _completeness(viewer, grids, None)
    total.completeness = combined([found[grid.pk] for grid in grids])
    return WorkerPage(worker, first, last, total, sorted(per_month.items()), grids)


@dataclass
class Ranked:
    rank: int
    worker: Any
    grids: list[OrgUnit]
    figures: Figures
    # The value of the column the ranking is ordered by.
    value: Any = None


def sort_key(name: str):
    """How a ranking is ordered by column `name` (missing values last, then by name)."""

    def key(row: tuple[Any, Figures]) -> tuple:
        worker, figures = row
        value = figures.value(name)
        missing = value is None
        number = 0 if missing else (value if name in ASCENDING else -value)
        return (missing, number, str(worker), worker.pk)

    return key


def ranking(viewer, unit: OrgUnit, first: dt.date, last: dt.date, sort: str = DEFAULT_SORT):
    """The grid workers posted in `unit` (a community or street, from `ranking_unit_for`), ranked
    by `sort` (a key of COLUMNS; the composite by default) over the work counted in `unit` in the
    months `first`..`last`. A fixed number of queries however many workers there are."""
    if sort not in COLUMNS:
        raise InvalidInput(_("Choose a column to rank by."), field="sort")
    postings = (
        Posting.objects.filter(
            unit__code__under=unit.code, role__in=WORKER_ROLES, active=True, unit__active=True
        )
        .select_related("user", "unit")
        .defer("unit__polygon")
        .order_by("unit__code", "id")
    )
    workers: dict[int, Any] = {}
    grids: dict[int, list[OrgUnit]] = defaultdict(list)
    for posting in postings:
        if not posting.user.is_active:
            continue
        workers.setdefault(posting.user_id, posting.user)
        grids[posting.user_id].append(posting.unit)
    ids = list(workers)
    figures = {pk: Figures(counts={name: 0 for name in WORKER_COUNTERS}) for pk in ids}
    if ids:
        counted = (
            _rows(WorkerMonthRollup, viewer, ids, first, last, unit)
            .values("user_id")
            .annotate(**_sums(WORKER_COUNTERS))
            .order_by()
        )
        for row in counted:
            figures[row["user_id"]].counts = {name: row[name] or 0 for name in WORKER_COUNTERS}
        visits = (
            _rows(VisitMonthRollup, viewer, ids, first, last, unit)
            .values("user_id")
            .annotate(visits=Sum("visits"))
            .order_by()
        )
        for row in visits:
            figures[row["user_id"]].visits = row["visits"] or 0
        hours, classes = _extras(ids, first, last)
        every_grid = list({grid.pk: grid for pk in ids for grid in grids[pk]}.values())
        found = _completeness(viewer, every_grid, unit)
        for pk in ids:
            figures[pk].service_hours = hours.get(pk, Decimal(0))
            figures[pk].classes, figures[pk].class_hours = classes.get(pk, (0, Decimal(0)))
            figures[pk].completeness = combined([found[grid.pk] for grid in grids[pk]])
    ordered = sorted(((workers[pk], figures[pk]) for pk in ids), key=sort_key(sort))
    return [
        Ranked(index, worker, grids[worker.pk], result, result.value(sort))
        for index, (worker, result) in enumerate(ordered, start=1)
    ]
