"""Reads of the monthly and quarterly reports: who may read and generate them, the reports of a
unit, and what a report states (`content`), computed from figures.overview() for the same unit
and period, so the report, the overview page and the big screen state the same figures."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from civicgrid.cockpit import figures as cockpit_figures
from civicgrid.cockpit.figures import Figure, Overview, Period
from civicgrid.cockpit.models_reports import Report
from civicgrid.cockpit.reports import Phrase, phrase
from civicgrid.cockpit.selectors import OVERVIEW_ROLES
from civicgrid.core.types import Actor
from civicgrid.events import selectors as event_selectors
from civicgrid.org.models import OrgUnit
from civicgrid.org.roles import Role
from civicgrid.org.scoping import holds, reads_only, scope_under

# Who reads a unit's reports: whoever may see the unit's overview (the staff of the unit or
# above, read-only leaders and grid leaders).
READERS = OVERVIEW_ROLES
# Who asks for one to be generated now: the staff of the unit or above.
WRITERS = frozenset({Role.DISTRICT_STAFF, Role.STREET_STAFF, Role.COMMUNITY_STAFF})


def may_read(user: Actor, unit: OrgUnit) -> bool:
    return holds(user, unit.code, READERS)


def may_generate(user: Actor, unit: OrgUnit) -> bool:
    return holds(user, unit.code, WRITERS) and not reads_only(user)


def reported_on(unit: OrgUnit) -> bool:
    """Whether the schedule writes reports for units of this kind (REPORT_UNIT_KINDS)."""
    return unit.kind in settings.REPORT_UNIT_KINDS


def reports_for(user: Actor, unit: OrgUnit) -> QuerySet[Report]:
    """The unit's own reports (not those of the units below), newest period first. The caller
    has checked `may_read` for the unit (404 otherwise)."""
    return (
        scope_under(Report.objects.all(), user, unit).filter(unit=unit).order_by("-first", "kind")
    )


def report_for(user: Actor, unit: OrgUnit, pk: int) -> Report:
    """One of the unit's reports; Http404 when missing or out of the user's scope."""
    report = reports_for(user, unit).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def last_finished_period(kind: str, today: dt.date | None = None) -> Period:
    """The last month (or quarter) that has ended by `today`."""
    today = today or timezone.localdate()
    return Period.containing(kind, today).previous()


def periods_offered(today: dt.date | None = None) -> list[Period]:
    """The periods the generate form offers: the last 12 months and the last 4 quarters (the
    current ones, so far, first)."""
    today = today or timezone.localdate()
    months = [Period.containing("month", today)]
    quarters = [Period.containing("quarter", today)]
    while len(months) < 13:
        months.append(months[-1].previous())
    while len(quarters) < 5:
        quarters.append(quarters[-1].previous())
    return months + quarters


def title_of(unit: OrgUnit, period: Period) -> str:
    """ "中原区2026年11月工作月报"."""
    word = "月报" if period.kind == "month" else "季报"
    return f"{unit.name}{period.label}工作{word}"


# ---- what a report states -----------------------------------------------------------------------


@dataclass
class Row:
    figure: Figure
    phrase: Phrase


@dataclass
class Part:
    """One module's part of the report (one sheet of the xlsx, one section of the PDF)."""

    key: str
    title: str
    rows: list[Row]
    now_only: bool  # counts of now (ledgers): no previous period to compare with


@dataclass
class Content:
    unit: OrgUnit
    period: Period
    overview: Overview
    parts: list[Part]
    # 12 months up to the period's end: {"period": "2026-11", "reported": n, "closed": n, ...}.
    trend: list[dict] = field(default_factory=list)

    @property
    def title(self) -> str:
        return title_of(self.unit, self.period)

    def values(self) -> dict[str, cockpit_figures.Number]:
        return self.overview.values()

    def highlights_by_part(self) -> list[tuple[str, list[Phrase]]]:
        """The sentences of the summary, by module: every periodic figure that has something to
        say (a rate with a value, a count above 0: a report does not state "已开展0期"). The
        tables keep every figure."""
        found = [
            (
                part.title,
                [
                    row.phrase
                    for row in part.rows
                    if row.figure.value is not None
                    and (row.figure.measure == "%" or row.figure.value)
                ],
            )
            for part in self.parts
            if not part.now_only
        ]
        return [(title, phrases) for title, phrases in found if phrases]

    def highlights(self) -> list[Phrase]:
        return [p for _title, phrases in self.highlights_by_part() for p in phrases]


def content(unit: OrgUnit, period: Period) -> Content:
    """What the report of `unit` for `period` states: figures.overview() (with the previous
    period and the same period last year), each figure's phrase, and the events' monthly trend.
    The caller has checked the unit may be reported on for whoever reads it."""
    overview = cockpit_figures.overview(unit, period)
    parts = [
        Part(
            section.key,
            section.title,
            [Row(f, phrase(f, period.kind)) for f in section.figures],
            section.key in cockpit_figures.NOW_ONLY,
        )
        for section in overview.sections
    ]
    months = period.last.year * 12 + period.last.month - 12  # 11 months before the last one
    start = dt.date(months // 12, months % 12 + 1, 1)
    trend = event_selectors.trend_for(unit, start, period.last)
    return Content(unit, period, overview, parts, trend)
