"""Reads of the leader cockpit's overview (issue 19): who may see it, which unit and period,
the units below a unit with a few figures each, and the trend of the last twelve months.

The figures themselves come from `figures.py` (every module's rollups); this module only
decides what the user may open and batches the figures of many units into a few queries.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Model, Q, Sum
from django.http import Http404
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from civicgrid.assessment import figures as assessment_figures
from civicgrid.cockpit.figures import Figure, Number, Overview, Period, percent
from civicgrid.core.errors import InvalidInput
from civicgrid.events import selectors as event_selectors
from civicgrid.events.models import EventMonthRollup
from civicgrid.mediation import roles as mediation_roles
from civicgrid.org import selectors as org_selectors
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.roles import Role
from civicgrid.org.scoping import holds, postings_of_user, sees_everything
from civicgrid.people import selectors as people_selectors

# Who reads the overview: the staff of districts, streets and communities, the read-only
# leader and the grid leader (at their unit and below). Grid workers keep their own pages.
OVERVIEW_ROLES = frozenset(
    {
        Role.DISTRICT_STAFF,
        Role.STREET_STAFF,
        Role.COMMUNITY_STAFF,
        Role.LEADER_READONLY,
        Role.GRID_LEADER,
    }
)

# The kinds a drill-down walks through (district → street → community → grid); departments
# and micro-grids are left out of the table of units below.
DRILL_KINDS = frozenset(
    {Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY, Kind.GRID, Kind.DEDICATED_GRID}
)

# Years a period may fall in (the events' figures keep the same bounds).
YEARS = (2000, 2100)


# ---- who may see what ---------------------------------------------------------------------------


def may_see_overview(user: Any) -> bool:
    """Whether `user` may open any overview: a superuser, or a posting with an overview role."""
    if user is None or not user.is_authenticated:
        return False
    if sees_everything(user):
        return True
    return any(role in OVERVIEW_ROLES for _code, role in postings_of_user(user))


def overview_unit(user: Any, code: str) -> OrgUnit:
    """The unit `code` when the user may see its overview (an overview role at it or above);
    Http404 otherwise, exactly like a missing unit."""
    unit = org_selectors.unit_for(user, code)
    if not holds(user, unit.code, OVERVIEW_ROLES):
        raise Http404
    return unit


def overview_home(user: Any) -> OrgUnit:
    """The user's own top unit for the overview: the highest unit they hold an overview role
    at (the tree's root for a superuser); Http404 when there is none."""
    if sees_everything(user):
        units = org_selectors.top_units_for(user)
        if not units:
            raise Http404
        return units[0]
    codes = sorted(
        (code for code, role in postings_of_user(user) if role in OVERVIEW_ROLES),
        key=lambda code: (len(code), code),
    )
    if not codes:
        raise Http404
    return overview_unit(user, codes[0])


# The pages behind figures that not every overview role may open, with the page's own check:
# url name -> may `user` open it for the unit `code`. Links elsewhere go to pages every role of
# the overview opens at its units (site/tests crawl them); a link the user may not follow is
# dropped from the card, the figure stays.
LINK_GATES: dict[str, Callable[[Any, str], bool]] = {
    "mediation:board": lambda user, code: holds(user, code, mediation_roles.DESK_ROLES),
    "mediation:figures": lambda user, code: holds(user, code, mediation_roles.FIGURE_ROLES),
    "assessment:figures_ranking": assessment_figures.may_read,
}


def for_viewer(user: Any, found: Overview) -> Overview:
    """`found` without the links `user` may not open (LINK_GATES)."""
    opens: dict[str, bool] = {}

    def keep(url: str) -> str:
        path = urlsplit(url).path
        if path and path not in opens:
            match = resolve(path)
            gate = LINK_GATES.get(match.view_name)
            opens[path] = gate is None or gate(user, match.kwargs.get("code", ""))
        return url if not path or opens[path] else ""

    return replace(
        found,
        sections=[
            replace(
                section,
                url=keep(section.url),
                figures=[replace(f, url=keep(f.url)) for f in section.figures],
            )
            for section in found.sections
        ],
    )


def ancestors(user: Any, unit: OrgUnit) -> list[tuple[OrgUnit, bool]]:
    """The units above `unit`, the top first, each with whether the user may open its overview
    (named to everyone, linked only for those)."""
    return [(a, holds(user, a.code, OVERVIEW_ROLES)) for a in org_selectors.ancestors_of(unit)]


def units_below(user: Any, unit: OrgUnit) -> list[OrgUnit]:
    """The active units one level below `unit` that the drill-down walks into, in code order."""
    return [
        child
        for child in org_selectors.children_for(user, unit)
        if child.kind in DRILL_KINDS and child.active
    ]


# ---- periods ------------------------------------------------------------------------------------


def default_period() -> Period:
    """This month (Asia/Shanghai); the page shows this year's figures beside it."""
    return Period.containing("month", timezone.localdate())


def parse_period(value: str | None) -> Period:
    """The period of `?period=`: 2026-11 (a month), 2026-Q4 (a quarter) or 2026 (a year);
    this month when empty; InvalidInput on field "period" otherwise."""
    if value is None or not value.strip():
        return default_period()
    try:
        period = Period.parse(value)
    except ValueError:
        raise InvalidInput(
            _("Write the period like 2026-11 (a month), 2026-Q4 (a quarter) or 2026 (a year)."),
            field="period",
        ) from None
    if not YEARS[0] <= period.first.year <= YEARS[1]:
        raise InvalidInput(
            _("Give a period between %(low)s and %(high)s.") % {"low": YEARS[0], "high": YEARS[1]},
            field="period",
        )
    return period


def period_choices(period: Period) -> dict[str, list[Period]]:
    """The picker's choices around `period`: the twelve months, four quarters and the years
    around it."""
    year = period.first.year
    this_year = timezone.localdate().year
    return {
        "month": [Period("month", dt.date(year, month, 1)) for month in range(1, 13)],
        "quarter": [Period("quarter", dt.date(year, month, 1)) for month in (1, 4, 7, 10)],
        "year": [
            Period("year", dt.date(y, 1, 1))
            for y in range(min(year, this_year) - 4, max(year, this_year) + 1)
            if YEARS[0] <= y <= YEARS[1]
        ],
    }


def overview_url(unit: OrgUnit, period: Period) -> str:
    return f"{reverse('cockpit:overview', args=[unit.code])}?{urlencode({'period': period.value})}"


# ---- the units below ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of the table of units below: the figure's key (as in `figures.py`), its label,
    what it counts in, which way is good, and whether it has a target (the events' rates)."""

    key: str
    label: Any
    measure: str = ""
    better: str = "up"


COLUMNS = [
    Column("events.reported", _("Events reported"), "件", ""),
    Column("events.overdue", _("Overdue"), "件", "down"),
    Column("events.closure", _("Closure rate"), "%"),
    Column("events.satisfaction", _("Satisfaction rate"), "%"),
    Column("people.completeness", _("Completeness"), "%"),
    Column("mediation.success_rate", _("Mediation success rate"), "%"),
    Column("classes.held", _("Class sessions held"), "期"),
    Column("classes.attendances", _("Class attendances"), "人次"),
    Column("volunteers.hours", _("Service hours"), "小时"),
    Column("community.needs_met", _("Needs met"), "项"),
]
COLUMN_KEYS = [column.key for column in COLUMNS]


@dataclass
class Row:
    """One unit below: its figures by column key (each a `Figure`, with its target where the
    column has one), and the link to its own overview for the same period."""

    unit: OrgUnit
    url: str
    cells: dict[str, Figure] = field(default_factory=dict)

    def value(self, key: str) -> Number:
        return self.cells[key].value

    def ordered(self) -> list[Figure]:
        return [self.cells[key] for key in COLUMN_KEYS]


def sums_below(
    model: type[Model], units: list[OrgUnit], first: dt.date, last: dt.date, names: tuple[str, ...]
) -> list[dict[str, int]]:
    """A monthly rollup table's counters (rows at each row's own unit) summed over each unit's
    subtree and the months of first..last, in order: one query grouped by unit code for any
    number of units, each code added to the unit it lies under."""
    totals = [dict.fromkeys(names, 0) for _unit in units]
    if not units:
        return totals
    condition = Q()
    for unit in units:
        condition |= Q(unit_code__under=unit.code)
    rows = (
        model._default_manager.filter(condition, month__gte=first.replace(day=1), month__lte=last)
        .order_by()
        .values("unit_code")
        .annotate(**{name: Sum(name) for name in names})
    )
    for row in rows:
        for index, unit in enumerate(units):
            if row["unit_code"].startswith(unit.code):
                for name in names:
                    totals[index][name] += row[name] or 0
                break
    return totals


def overview_below(units: list[OrgUnit], period: Period) -> list[Row]:
    """The figures of COLUMNS for each of `units` (the units below the one shown) over
    `period`, in order; a fixed number of queries however many units. The caller has checked
    the user may see them (`units_below`)."""
    from civicgrid.classes.models import ClassRollup
    from civicgrid.community.models import CommunityRollup
    from civicgrid.mediation.models import MediationRollup
    from civicgrid.volunteers.models import VolunteerRollup

    if not units:
        return []
    first, last = period.first, period.last
    events = event_selectors.figures_for_units(units, first, last)
    basic = people_selectors.basic_data_below(_common_root(units), units)
    mediation = sums_below(MediationRollup, units, first, last, ("mediated", "agreed"))
    classes = sums_below(ClassRollup, units, first, last, ("held", "attended"))
    volunteers = sums_below(VolunteerRollup, units, first, last, ("minutes",))
    community = sums_below(CommunityRollup, units, first, last, ("needs_met",))
    by_key = {column.key: column for column in COLUMNS}
    rows = []
    for index, unit in enumerate(units):
        rates = {rate.key: rate for rate in events[index].rates}
        counts = events[index].counts
        values: dict[str, tuple[Number, float | None]] = {
            "events.reported": (counts["reported"], None),
            "events.overdue": (counts["overdue"], None),
            "events.closure": (rates["closure"].percent, float(rates["closure"].target)),
            "events.satisfaction": (
                rates["satisfaction"].percent,
                float(rates["satisfaction"].target),
            ),
            "people.completeness": (basic[index]["completeness"], None),
            "mediation.success_rate": (
                percent(mediation[index]["agreed"], mediation[index]["mediated"]),
                None,
            ),
            "classes.held": (classes[index]["held"], None),
            "classes.attendances": (classes[index]["attended"], None),
            "volunteers.hours": (round(volunteers[index]["minutes"] / 60, 1), None),
            "community.needs_met": (community[index]["needs_met"], None),
        }
        row = Row(unit, overview_url(unit, period))
        for key, (value, target) in values.items():
            column = by_key[key]
            row.cells[key] = Figure(
                key, str(column.label), value, column.measure, target=target, better=column.better
            )
        rows.append(row)
    return rows


def _common_root(units: list[OrgUnit]) -> OrgUnit:
    """A unit over all of `units` (their parent when they share one): what basic_data_below
    narrows its counts to."""
    parents = {unit.parent_id for unit in units}
    parent = units[0].parent if len(parents) == 1 else None
    return parent if parent is not None else units[0]


def sort_rows(rows: list[Row], key: str, *, descending: bool = True) -> list[Row]:
    """`rows` sorted by the column `key` (by unit code when unknown); units without a value
    last, whichever the direction."""
    if key not in COLUMN_KEYS:
        return sorted(rows, key=lambda row: row.unit.code)
    present = [row for row in rows if row.value(key) is not None]
    absent = [row for row in rows if row.value(key) is None]
    present.sort(key=lambda row: (row.value(key), row.unit.code), reverse=descending)
    return present + sorted(absent, key=lambda row: row.unit.code)


def parse_sort(value: str | None) -> tuple[str, bool]:
    """`?sort=` as (column key, descending): "-events.reported" sorts down; unknown → code."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    return (key, descending) if key in COLUMN_KEYS else ("", False)


# ---- the trend ----------------------------------------------------------------------------------


TREND_SERIES: list[tuple[str, Any]] = [
    ("reported", _("Events reported")),
    ("closed", _("Events closed")),
    ("closure", _("Closure rate")),
    ("attendances", _("Class attendances")),
    ("hours", _("Service hours")),
]


def _monthly(
    model: type[Model], unit: OrgUnit, first: dt.date, last: dt.date, names: tuple[str, ...]
) -> dict[dt.date, dict[str, int]]:
    rows = (
        model._default_manager.filter(unit_code__under=unit.code, month__gte=first, month__lte=last)
        .order_by()
        .values("month")
        .annotate(**{name: Sum(name) for name in names})
    )
    return {row["month"]: row for row in rows}


def trend(unit: OrgUnit, period: Period, *, months: int = 12) -> list[dict[str, Any]]:
    """The `months` months up to the end of `period`: events reported and closed, the closure
    rate, class attendances and volunteer service hours, from the monthly rollups (three
    queries)."""
    from civicgrid.classes.models import ClassRollup
    from civicgrid.volunteers.models import VolunteerRollup

    end = period.last.replace(day=1)
    index = end.year * 12 + end.month - 1 - (months - 1)
    start = dt.date(index // 12, index % 12 + 1, 1)
    # The events' monthly rows are kept at every level of the tree: the unit's own are its
    # subtree's.
    events = (
        EventMonthRollup.objects.filter(unit=unit, month__gte=start, month__lte=end)
        .order_by()
        .values("month", "reported", "closed", "due", "due_closed")
    )
    by_month: dict[dt.date, dict[str, Any]] = {row["month"]: dict(row) for row in events}
    classes = _monthly(ClassRollup, unit, start, end, ("attended",))
    volunteers = _monthly(VolunteerRollup, unit, start, end, ("minutes",))
    out = []
    for step in range(months):
        month_index = index + step
        month = dt.date(month_index // 12, month_index % 12 + 1, 1)
        row = by_month.get(month, {})
        out.append(
            {
                "month": f"{month:%Y-%m}",
                "reported": row.get("reported") or 0,
                "closed": row.get("closed") or 0,
                "closure": percent(row.get("due_closed") or 0, row.get("due") or 0),
                "attendances": (classes.get(month) or {}).get("attended") or 0,
                "hours": round(((volunteers.get(month) or {}).get("minutes") or 0) / 60, 1),
            }
        )
    return out
