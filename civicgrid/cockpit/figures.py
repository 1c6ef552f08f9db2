"""The figures of every module for one unit and period, in one shape (issue 19).

Each module contributes a `Section` through a builder registered in `SECTIONS`: a function
`(unit, first, last) -> Section | None` that reads that module's rollups (never its rows, except
small "open now" counts) and returns None when the module has nothing to say for the unit.
`overview` asks each builder for the period, the previous period and the same period last year,
so the overview page, the big screen and the monthly report all state the same figures.

A `Figure.key` is "section.name" ("events.reported"); keys are stable, the report and the
screen name figures by them.
"""

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext_lazy as _

from civicgrid.events import selectors as event_selectors
from civicgrid.org.models import OrgUnit
from civicgrid.people import selectors as people_selectors

Number = int | float | None


# ---- periods ------------------------------------------------------------------------------------

PERIOD_KINDS = {
    "month": _("Month"),
    "quarter": _("Quarter"),
    "year": _("Year"),
}


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _shift_months(day: dt.date, months: int) -> dt.date:
    """The 1st of the month `months` away from `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year: `first` and `last` are days, both included."""

    kind: str
    first: dt.date

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    @property
    def last(self) -> dt.date:
        return _month_end(_shift_months(self.first, self.months - 1))

    @property
    def value(self) -> str:
        """The period in the URL: 2026-11, 2026-Q4, 2026."""
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.first.year}年{self.first.month}月"
        if self.kind == "quarter":
            return f"{self.first.year}年第{(self.first.month - 1) // 3 + 1}季度"
        return f"{self.first.year}年"

    def previous(self) -> "Period":
        return Period(self.kind, _shift_months(self.first, -self.months))

    def next(self) -> "Period":
        return Period(self.kind, _shift_months(self.first, self.months))

    def last_year(self) -> "Period":
        return Period(self.kind, self.first.replace(year=self.first.year - 1))

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> "Period":
        if kind == "month":
            return cls(kind, day.replace(day=1))
        if kind == "quarter":
            return cls(kind, dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1))
        if kind == "year":
            return cls(kind, dt.date(day.year, 1, 1))
        raise ValueError(kind)

    @classmethod
    def parse(cls, value: str) -> "Period":
        """2026-11 (a month), 2026-Q4 (a quarter) or 2026 (a year); ValueError otherwise."""
        value = value.strip().upper()
        if len(value) == 4 and value.isdigit():
            return cls("year", dt.date(int(value), 1, 1))
        if len(value) == 7 and value[4:6] == "-Q" and value[6] in "1234" and value[:4].isdigit():
            return cls("quarter", dt.date(int(value[:4]), (int(value[6]) - 1) * 3 + 1, 1))
        if len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
            month = int(value[5:])
            if 1 <= month <= 12:
                return cls("month", dt.date(int(value[:4]), month, 1))
        raise ValueError(value)


# ---- figures ------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One figure of one module. `value` None means "no data" (a rate with no denominator).

    `measure` is what it counts in ("件", "人次", "%", "小时"), shown after the number; `url` the
    list behind it with the unit and period applied ("" where there is none); `target` a rate's
    target in per cent; `better` which way is good ("up", "down", or "" where neither is), which
    colours the change against the previous period."""

    key: str
    label: str
    value: Number
    measure: str = ""
    url: str = ""
    target: float | None = None
    better: str = "up"
    previous: Number = None
    last_year: Number = None

    @property
    def met(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target

    @staticmethod
    def _change(value: Number, base: Number) -> Number:
        if value is None or base is None:
            return None
        return round(value - base, 1) if isinstance(value, float) else value - base

    @property
    def change(self) -> Number:
        """The difference from the previous period (None where either is missing)."""
        return self._change(self.value, self.previous)

    @property
    def change_last_year(self) -> Number:
        return self._change(self.value, self.last_year)


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    url: str = ""  # the module's own figures page for the unit, if any


@dataclass
class Overview:
    unit: OrgUnit
    period: Period
    sections: list[Section]

    def figure(self, key: str) -> Figure:
        for section in self.sections:
            for figure in section.figures:
                if figure.key == key:
                    return figure
        raise KeyError(key)

    def values(self) -> dict[str, Number]:
        return _values(self.sections)


Builder = Callable[[OrgUnit, dt.date, dt.date], Section | None]

# The sections in the order the overview shows them: key -> builder.
SECTIONS: dict[str, Builder] = {}
# The sections whose figures are counts of now (ledgers, volunteers registered): asked once,
# whatever the period, and never compared with another period.
NOW_ONLY: set[str] = set()


def register(key: str, *, now: bool = False) -> Callable[[Builder], Builder]:
    def wrap(builder: Builder) -> Builder:
        SECTIONS[key] = builder
        if now:
            NOW_ONLY.add(key)
        return builder

    return wrap


def sections(
    unit: OrgUnit, first: dt.date, last: dt.date, *, periodic_only: bool = False
) -> list[Section]:
    """Every module's section for the unit and days first..last, in SECTIONS' order (without
    the NOW_ONLY ones with `periodic_only`)."""
    found = (
        builder(unit, first, last)
        for key, builder in SECTIONS.items()
        if not (periodic_only and key in NOW_ONLY)
    )
    return [section for section in found if section is not None]


def _values(found: list[Section]) -> dict[str, Number]:
    return {f.key: f.value for s in found for f in s.figures}


def overview(unit: OrgUnit, period: Period, *, compare: bool = True) -> Overview:
    """Every module's figures for `unit`'s subtree over `period`, each with its value in the
    previous period and in the same period last year (unless `compare` is False). The caller
    has checked the user may see `unit` (org.selectors.unit_for)."""
    now = sections(unit, period.first, period.last)
    if compare:
        before, ago = period.previous(), period.last_year()
        earlier = _values(sections(unit, before.first, before.last, periodic_only=True))
        older = _values(sections(unit, ago.first, ago.last, periodic_only=True))
        now = [
            replace(
                section,
                figures=[
                    replace(f, previous=earlier.get(f.key), last_year=older.get(f.key))
                    for f in section.figures
                ],
            )
            for section in now
        ]
    return Overview(unit, period, now)


# ---- the events' section ------------------------------------------------------------------------


@register("events")
def events_section(unit: OrgUnit, first: dt.date, last: dt.date) -> Section:
    figures = event_selectors.figures_for(unit, first, last)
    counts = figures.counts
    out = [
        Figure("events.reported", str(_("Events reported")), counts["reported"], "件"),
        Figure("events.on_the_spot", str(_("Handled on the spot")), counts["on_the_spot"], "件"),
        Figure("events.closed", str(_("Events closed")), counts["closed"], "件"),
        Figure("events.overdue", str(_("Overdue")), counts["overdue"], "件", better="down"),
        Figure(
            "events.cross_boundary", str(_("Cross-boundary events")), counts["cross_boundary"], "件"
        ),
        Figure("events.whistled", str(_("Whistles blown")), counts["whistled"], "件"),
    ]
    out += [
        Figure(f"events.{rate.key}", rate.label, rate.percent, "%", target=float(rate.target))
        for rate in figures.rates
    ]
    return Section("events", str(_("Events")), out)


# ---- basic data (now, whatever the period) -------------------------------------------------------


@register("people", now=True)
def people_section(unit: OrgUnit, first: dt.date, last: dt.date) -> Section:
    data = people_selectors.basic_data(unit)
    return Section(
        "people",
        str(_("Basic data")),
        [
            Figure(
                "people.persons", str(_("Residents recorded")), data["persons"], "人", better=""
            ),
            Figure("people.households", str(_("Households")), data["households"], "户", better=""),
            Figure("people.houses", str(_("Houses")), data["houses"], "套", better=""),
            Figure(
                "people.organisations",
                str(_("Organisations")),
                data["organisations"],
                "家",
                better="",
            ),
            Figure("people.completeness", str(_("Completeness")), data["completeness"], "%"),
        ],
    )
