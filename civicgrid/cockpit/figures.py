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

from django.db.models import Avg, Count, F, Model, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from civicgrid.events import selectors as event_selectors
from civicgrid.org.kinds import Kind
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


def section_values(
    unit: OrgUnit, period: Period, *, periodic_only: bool = False
) -> dict[str, Number]:
    """Every figure's value by key for `unit` over `period`, without comparisons (the page's
    "this year" beside a month)."""
    return _values(sections(unit, period.first, period.last, periodic_only=periodic_only))


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


# ---- helpers the builders share --------------------------------------------------------------


def link(name: str, unit: OrgUnit, **query: str) -> str:
    """The url of the page `name` for `unit`, with `query` (empty values left out)."""
    url = reverse(name, args=[unit.code])
    query = {key: value for key, value in query.items() if value}
    return f"{url}?{urlencode(query)}" if query else url


def days(first: dt.date, last: dt.date) -> dict[str, str]:
    """The period as the events pages take it (?start=2026-11-01&end=2026-11-30)."""
    return {"start": first.isoformat(), "end": last.isoformat()}


def months(first: dt.date, last: dt.date) -> dict[str, str]:
    """The period as the figures pages of the modules take it (?from=2026-10&to=2026-12)."""
    return {"from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"}


def monthly_sums(
    model: type[Model], unit: OrgUnit, first: dt.date, last: dt.date, names: tuple[str, ...]
) -> dict[str, int]:
    """The counters `names` of a monthly rollup table (rows per unit and month, each at the
    row's own unit) summed over `unit`'s subtree and the months of first..last: one query."""
    sums = model._default_manager.filter(
        unit_code__under=unit.code, month__gte=first.replace(day=1), month__lte=last
    ).aggregate(**{name: Sum(name) for name in names})
    return {name: value or 0 for name, value in sums.items()}


def is_current(last: dt.date) -> bool:
    """Whether the period runs up to today or later: only then are counts of now (cases open,
    needs open) shown, and never compared with another period."""
    return last >= timezone.localdate()


def percent(part: Number, whole: Number) -> float | None:
    if not whole or part is None:
        return None
    return round(100 * part / whole, 1)


# ---- the events' section ------------------------------------------------------------------------


def _quick_notes(unit: OrgUnit, first: dt.date, last: dt.date) -> int:
    """The grid workers' quick notes (随手记) in `unit`'s subtree over the months of the period,
    from their monthly rollup (kept at the note's own unit, summed over a code prefix)."""
    from civicgrid.events.models import WorkerMonthRollup

    row = WorkerMonthRollup.objects.filter(
        unit_code__under=unit.code, month__gte=first.replace(day=1), month__lte=last
    ).aggregate(notes=Sum("quick_notes"))
    return row["notes"] or 0


@register("events")
def events_section(unit: OrgUnit, first: dt.date, last: dt.date) -> Section:
    figures = event_selectors.figures_for(unit, first, last)
    counts = figures.counts
    dashboard = link("events:dashboard", unit, **days(first, last))
    board = link("events:board", unit)
    out = [
        Figure("events.reported", str(_("Events reported")), counts["reported"], "件", dashboard),
        Figure(
            "events.on_the_spot",
            str(_("Handled on the spot")),
            counts["on_the_spot"],
            "件",
            dashboard,
        ),
        Figure("events.closed", str(_("Events closed")), counts["closed"], "件", dashboard),
        Figure(
            "events.overdue",
            str(_("Overdue")),
            counts["overdue"],
            "件",
            link("events:board", unit, overdue="1"),
            better="down",
        ),
        Figure(
            "events.cross_boundary",
            str(_("Cross-boundary events")),
            counts["cross_boundary"],
            "件",
            dashboard,
        ),
        Figure("events.whistled", str(_("Whistles blown")), counts["whistled"], "件", board),
        Figure(
            "events.quick_notes",
            str(_("Quick notes")),
            _quick_notes(unit, first, last),
            "条",
            # The per-worker figures rank a community's or a street's workers only.
            link("assessment:figures_ranking", unit, sort="quick_notes", **months(first, last))
            if unit.kind in (Kind.COMMUNITY, Kind.STREET)
            else "",
        ),
    ]
    out += [
        Figure(
            f"events.{rate.key}",
            rate.label,
            rate.percent,
            "%",
            dashboard,
            target=float(rate.target),
        )
        for rate in figures.rates
    ]
    return Section("events", str(_("Events")), out, url=dashboard)


# ---- whistles and department report-in (吹哨报到) ---------------------------------------------

# The units whose subtree holds departments: a community's or a grid's events are whistled to
# the street's departments, and their count stays in the events' section.
WHISTLE_KINDS = {Kind.CITY, Kind.DISTRICT, Kind.STREET, Kind.DEPARTMENT}


@register("whistles")
def whistles_section(unit: OrgUnit, first: dt.date, last: dt.date) -> Section | None:
    """How the departments in `unit`'s subtree answered the whistles raised to them in the
    period. Counted from the whistles' targets (a department is no event's unit, so the
    rollups never hold its work): whistles are few beside events, one query."""
    from civicgrid.events.models import WhistleTarget
    from civicgrid.events.selectors import DONE_STATUSES

    if unit.kind not in WHISTLE_KINDS:
        return None
    low = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    high = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    row = WhistleTarget.objects.filter(
        department__code__under=unit.code,
        whistle__created_at__gte=low,
        whistle__created_at__lt=high,
    ).aggregate(
        received=Count("id"),
        reported_in=Count("id", filter=Q(reported_in_at__isnull=False)),
        on_time=Count("id", filter=Q(reported_in_at__lte=F("whistle__report_in_due"))),
        resolved=Count("id", filter=Q(whistle__event__status__in=DONE_STATUSES)),
    )
    url = link("events:dashboard", unit, **days(first, last)) + "#department-figures"
    return Section(
        "whistles",
        str(_("Whistles and department report-in")),
        [
            Figure("whistles.received", str(_("Whistles received")), row["received"], "次", url),
            Figure("whistles.reported_in", str(_("Reported in")), row["reported_in"], "次", url),
            Figure(
                "whistles.on_time_rate",
                str(_("On-time report-in rate")),
                percent(row["on_time"], row["received"]),
                "%",
                url,
            ),
            Figure("whistles.resolved", str(_("Resolved")), row["resolved"], "件", url),
        ],
        url=url,
    )


# ---- basic data (now, whatever the period) -------------------------------------------------------


@register("people", now=True)
def people_section(unit: OrgUnit, first: dt.date, last: dt.date) -> Section:
    data = people_selectors.basic_data(unit)
    url = link("people:unit", unit)
    return Section(
        "people",
        str(_("Basic data")),
        [
            Figure(
                "people.persons",
                str(_("Residents recorded")),
                data["persons"],
                "人",
                url,
                better="",
            ),
            Figure(
                "people.households", str(_("Households")), data["households"], "户", url, better=""
            ),
            Figure("people.houses", str(_("Houses")), data["houses"], "套", url, better=""),
            Figure(
                "people.organisations",
                str(_("Organisations")),
                data["organisations"],
                "家",
                link("people:organisations", unit),
                better="",
            ),
            Figure("people.completeness", str(_("Completeness")), data["completeness"], "%", url),
        ],
        url=url,
    )


# ---- mediation (一站式矛盾调解) ---------------------------------------------------------------


@register("mediation")
def mediation_section(unit: OrgUnit, first: dt.date, last: dt.date) -> Section:
    from civicgrid.mediation.models import ENDED, Case, MediationRollup

    sums = monthly_sums(
        MediationRollup, unit, first, last, ("received", "mediated", "agreed", "closed", "resolved")
    )
    url = link("mediation:figures", unit, **months(first, last))
    out = [
        Figure("mediation.received", str(_("Disputes received")), sums["received"], "件", url),
        Figure("mediation.mediated", str(_("Disputes mediated")), sums["mediated"], "件", url),
        Figure("mediation.agreed", str(_("Agreements reached")), sums["agreed"], "件", url),
        Figure(
            "mediation.success_rate",
            str(_("Mediation success rate")),
            percent(sums["agreed"], sums["mediated"]),
            "%",
            url,
        ),
    ]
    if is_current(last):
        open_now = Case.objects.filter(unit_code__under=unit.code).exclude(status__in=ENDED)
        out.append(
            Figure(
                "mediation.open",
                str(_("Cases open now")),
                open_now.count(),
                "件",
                link("mediation:board", unit),
                better="",
            )
        )
    return Section("mediation", str(_("Mediation")), out, url=url)


# ---- classes (先锋课堂, 夜校) --------------------------------------------------------------------


@register("classes")
def classes_section(unit: OrgUnit, first: dt.date, last: dt.date) -> Section:
    from civicgrid.classes.models import ClassRollup

    sums = monthly_sums(ClassRollup, unit, first, last, ("scheduled", "held", "attended"))
    url = link("classes:figures", unit, **months(first, last))
    return Section(
        "classes",
        str(_("Classes")),
        [
            Figure(
                "classes.scheduled",
                str(_("Class sessions scheduled")),
                sums["scheduled"],
                "期",
                url,
            ),
            Figure("classes.held", str(_("Class sessions held")), sums["held"], "期", url),
            Figure(
                "classes.attendances", str(_("Class attendances")), sums["attended"], "人次", url
            ),
        ],
        url=url,
    )


# ---- party members: study hours and organisational life (三会一课) -------------------------------


def life_compliance(unit: OrgUnit, first: dt.date, last: dt.date) -> tuple[int, float | None]:
    """Meetings of organisational life held by the active branches under `unit` in the period,
    and the share of what they owe that they held: for each branch and kind, the meetings held
    up to its due (the yearly requirement × the period's months ÷ 12) over that due. Two
    queries (branches and meetings grouped by branch and kind; both tables are small)."""
    from civicgrid.party.models import REQUIRED_PER_YEAR, Branch, OrganisationalLife

    branches = Branch.objects.filter(unit_code__under=unit.code, active=True).count()
    held = (
        OrganisationalLife.objects.filter(
            unit_code__under=unit.code, held_on__gte=first, held_on__lte=last, branch__active=True
        )
        .values_list("branch_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    due = {kind: required * span / 12 for kind, required in REQUIRED_PER_YEAR.items()}
    count = 0
    kept = 0.0
    for _branch, kind, n in held:
        count += n
        kept += min(n, due.get(kind, 0))
    owed = branches * sum(due.values())
    return count, (round(100 * kept / owed, 1) if owed else None)


@register("party")
def party_section(unit: OrgUnit, first: dt.date, last: dt.date) -> Section:
    from civicgrid.party.models import StudyCredit

    hours = StudyCredit.objects.filter(
        member__unit_code__under=unit.code, earned_on__gte=first, earned_on__lte=last
    ).aggregate(total=Sum("hours"))["total"]
    meetings, compliance = life_compliance(unit, first, last)
    url = link("party:unit", unit)
    return Section(
        "party",
        str(_("Party members")),
        [
            Figure(
                "party.study_hours",
                str(_("Study hours")),
                round(float(hours or 0), 1),
                "学时",
                url,
            ),
            Figure("party.meetings", str(_("Organisational life held")), meetings, "次", url),
            Figure(
                "party.life_compliance",
                str(_("Organisational-life compliance")),
                compliance,
                "%",
                url,
            ),
        ],
        url=url,
    )


# ---- volunteers and points ---------------------------------------------------------------------


@register("volunteers")
def volunteers_section(unit: OrgUnit, first: dt.date, last: dt.date) -> Section:
    from civicgrid.party.models import PointsRollup
    from civicgrid.volunteers.models import VolunteerRollup

    orders = monthly_sums(VolunteerRollup, unit, first, last, ("ordered", "done", "minutes"))
    points = monthly_sums(PointsRollup, unit, first, last, ("earned", "redeemed"))
    url = link("volunteers:unit", unit)
    shop = link("party:shop", unit)
    return Section(
        "volunteers",
        str(_("Volunteers and points")),
        [
            Figure("volunteers.ordered", str(_("Service orders")), orders["ordered"], "单", url),
            Figure("volunteers.served", str(_("Services done")), orders["done"], "人次", url),
            Figure(
                "volunteers.hours",
                str(_("Service hours")),
                round(orders["minutes"] / 60, 1),
                "小时",
                url,
            ),
            Figure("points.earned", str(_("Points earned")), points["earned"], "分", shop),
            Figure("points.redeemed", str(_("Points redeemed")), points["redeemed"], "分", shop),
        ],
        url=url,
    )


# ---- community services (需求清单, 项目清单, 社区合伙人) -----------------------------------


@register("community")
def community_section(unit: OrgUnit, first: dt.date, last: dt.date) -> Section:
    from civicgrid.community.models import CommunityRollup, Need
    from civicgrid.community.selectors import ACTIVE_NEEDS

    sums = monthly_sums(
        CommunityRollup,
        unit,
        first,
        last,
        ("needs", "needs_met", "projects_done", "activities", "people_served"),
    )
    url = link("community:figures", unit)
    lists = link("community:unit", unit)
    out = [
        Figure("community.needs", str(_("Needs recorded")), sums["needs"], "项", lists),
        Figure("community.needs_met", str(_("Needs met")), sums["needs_met"], "项", url),
        Figure(
            "community.projects_done", str(_("Projects done")), sums["projects_done"], "个", url
        ),
        Figure("community.activities", str(_("Partner activities")), sums["activities"], "场", url),
        Figure(
            "community.people_served",
            str(_("Residents served by partners")),
            sums["people_served"],
            "人次",
            url,
        ),
    ]
    if is_current(last):
        needs_open = Need.objects.filter(unit_code__under=unit.code, status__in=ACTIVE_NEEDS)
        out.insert(
            2,
            Figure(
                "community.needs_open",
                str(_("Needs open now")),
                needs_open.count(),
                "项",
                lists,
                better="",
            ),
        )
    return Section("community", str(_("Community services")), out, url=url)


# ---- assessment results (网格员考核) -----------------------------------------------------------


@register("assessment")
def assessment_section(unit: OrgUnit, first: dt.date, last: dt.date) -> Section | None:
    """The scores of the grid workers under `unit` in the assessment plans of the period's
    years whose scores are announced or published; None when there are none."""
    from civicgrid.assessment.models import PlanStatus, PlanWorker

    row = PlanWorker.objects.filter(
        community_code__under=unit.code,
        plan__year__gte=first.year,
        plan__year__lte=last.year,
        plan__status__in=(PlanStatus.SCORING, PlanStatus.PUBLISHED),
        score__isnull=False,
    ).aggregate(workers=Count("id"), average=Avg("score"))
    if not row["workers"]:
        return None
    url = reverse("assessment:plans")
    average = round(float(row["average"]), 1)
    return Section(
        "assessment",
        str(_("Assessment results")),
        [
            Figure(
                "assessment.workers", str(_("Grid workers assessed")), row["workers"], "人", url
            ),
            Figure("assessment.average", str(_("Average score")), average, "分", url),
        ],
        url=url,
    )
