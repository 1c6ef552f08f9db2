"""Reads of mediation. `cases_q` is the one place that says who sees a case (and so its
parties, sessions and documents): the desk staff of its unit or the units above it, and the
case's own lead and helping mediators. Grid workers, departments, read-only leaders,
volunteers, residents and anonymous users see none; read-only leaders see the figures."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from civicgrid.core.errors import InvalidInput
from civicgrid.mediation.models import (
    ENDED,
    ROLLUP_COUNTERS,
    Body,
    Case,
    CaseKind,
    CaseParty,
    CaseStatus,
    Consultation,
    MediationRollup,
    Mediator,
    MediatorRollup,
    Risk,
    Session,
    SessionPhoto,
    SignedScan,
)
from civicgrid.mediation.roles import DESK_ROLES, FIGURE_ROLES
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds, minimal_prefixes, postings_of_user, sees_everything
from civicgrid.org.selectors import code_prefixes


def _under(codes: list[str], field: str = "unit_code") -> Q:
    condition = Q(pk__in=[])
    for code in minimal_prefixes(codes):
        condition |= Q(**{f"{field}__under": code})
    return condition


def desk_q(user: Any, field: str = "unit_code") -> Q | None:
    """The rows under the units where the user keeps the desk; None: everything."""
    if sees_everything(user):
        return None
    return _under([code for code, role in postings_of_user(user) if role in DESK_ROLES], field)


def own_mediator(user: Any) -> Mediator | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    mediator = getattr(user, "mediator", None)
    return mediator if mediator is not None and mediator.active else None


def cases_q(user: Any) -> Q | None:
    """Which cases the user sees; None: every case (a superuser)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    desk = desk_q(user)
    if desk is None:
        return None
    mediator = own_mediator(user)
    if mediator is not None:
        desk |= Q(lead=mediator) | Q(helpers=mediator)
    return desk


def cases_for(user: Any) -> QuerySet[Case]:
    condition = cases_q(user)
    cases = Case.objects.select_related("unit", "lead")
    if condition is None:
        return cases
    if own_mediator(user) is not None:
        # The helpers' join may repeat a case: filter by ids.
        return cases.filter(pk__in=Case.objects.filter(condition).values("pk"))
    return cases.filter(condition)


def case_for(user: Any, pk: int) -> Case:
    case = cases_for(user).select_related("event", "situation", "received_by").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def _of_visible_cases(user: Any, field: str) -> Q | None:
    condition = cases_q(user)
    if condition is None:
        return None
    return Q(**{f"{field}__in": Case.objects.filter(condition).values("pk")})


def scan_for(user: Any, pk: int) -> SignedScan:
    """A signed scan of a case the user sees; 404 otherwise."""
    condition = _of_visible_cases(user, "case")
    scans = SignedScan.objects.filter(pk=pk)
    found = (scans if condition is None else scans.filter(condition)).first()
    if found is None:
        raise Http404
    return found


def photo_for(user: Any, pk: int) -> SessionPhoto:
    """A session photo of a case the user sees; 404 otherwise."""
    condition = _of_visible_cases(user, "session__case")
    photos = SessionPhoto.objects.filter(pk=pk)
    found = (photos if condition is None else photos.filter(condition)).first()
    if found is None:
        raise Http404
    return found


def may_see_desk(user: Any, unit: OrgUnit) -> bool:
    return holds(user, unit.code, DESK_ROLES)


def may_see_figures(user: Any, unit: OrgUnit) -> bool:
    return holds(user, unit.code, FIGURE_ROLES)


def board(user: Any, unit: OrgUnit, *, status: str = "", open_only: bool = True) -> QuerySet[Case]:
    """The desk's board of a unit: its cases (and those below it), the most urgent first."""
    cases = cases_for(user).filter(unit_code__under=unit.code)
    if status:
        cases = cases.filter(status=status)
    elif open_only:
        cases = cases.exclude(status__in=ENDED)
    return cases.order_by("due_at", "-received_at", "-id")


def months_of(query: Any, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period picked as months (?from=2026-01&to=2026-06): from the first day of the first
    month to the last day of the last one, never past today. This year by default. The
    figures page and its export read it here."""

    def month(name: str, default: dt.date) -> dt.date:
        value = (query.get(name) or "").strip()
        if not value:
            return default
        try:
            day = dt.date.fromisoformat(f"{value}-01")
        except ValueError:
            raise InvalidInput(_("Months are written like 2026-01."), field=name) from None
        if not 2000 <= day.year <= 2100:
            raise InvalidInput(_("Give a date between 2000 and 2100."), field=name)
        return day

    first = month("from", today.replace(month=1, day=1))
    last_month = month("to", today.replace(day=1))
    following = (last_month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    last = min(following - dt.timedelta(days=1), today)
    if first > last:
        raise InvalidInput(_("The period must start before it ends."), field="from")
    if (last - first).days > 366 * 5:
        raise InvalidInput(_("Choose at most five years."), field="from")
    return first, last


def board_filters(query: Any) -> dict[str, Any]:
    """The board's filters (?status=, ?kind=, ?risk=, ?overdue=1), checked: unknown values are
    dropped. The board page and its export read them here."""

    def pick(name: str, values: list[str]) -> str:
        value = query.get(name) or ""
        return value if value in values else ""

    return {
        "status": pick("status", CaseStatus.values),
        "kind": pick("kind", CaseKind.values),
        "risk": pick("risk", Risk.values),
        "overdue": query.get("overdue") == "1",
    }


def board_cases(user: Any, unit: OrgUnit, filters: dict[str, Any], now: Any) -> QuerySet[Case]:
    """The board's cases under `unit` with `filters` (board_filters) applied."""
    cases = board(user, unit, status=filters["status"])
    if filters["kind"]:
        cases = cases.filter(kind=filters["kind"])
    if filters["risk"]:
        cases = cases.filter(risk=filters["risk"])
    if filters["overdue"]:
        cases = cases.filter(due_at__lt=now)
    return cases


def my_cases(user: Any) -> QuerySet[Case]:
    """The open cases the user mediates, as lead or helper."""
    mediator = own_mediator(user)
    if mediator is None:
        return Case.objects.none()
    mine = Case.objects.filter(Q(lead=mediator) | Q(helpers=mediator)).values("pk")
    return (
        Case.objects.filter(pk__in=mine)
        .exclude(status__in=ENDED)
        .select_related("unit", "lead")
        .order_by("due_at", "-id")
    )


def sessions_on(user: Any, day: dt.date) -> QuerySet[Session]:
    """The sessions of the user's visible cases held on `day`."""
    condition = cases_q(user)
    sessions = Session.objects.select_related("case", "venue").filter(held_at__date=day)
    if condition is not None:
        sessions = sessions.filter(case__in=Case.objects.filter(condition).values("pk"))
    return sessions.order_by("held_at")


def parties_of(case: Case) -> list[CaseParty]:
    return list(case.parties.select_related("person", "organisation"))


def sessions_of(case: Case) -> QuerySet[Session]:
    return case.sessions.select_related("venue").prefetch_related("mediators", "parties", "photos")


def pool(user: Any, unit: OrgUnit, *, active: bool = True) -> QuerySet[Mediator]:
    """The mediators a unit's desk may call on: its own, those of the units above it and below
    it, in the user's view."""
    if not may_see_desk(user, unit):
        return Mediator.objects.none()
    above = code_prefixes(unit.code)
    mediators = Mediator.objects.filter(Q(unit_code__in=above) | Q(unit_code__under=unit.code))
    if active:
        mediators = mediators.filter(active=True)
    return mediators.select_related("unit", "user").order_by("kind", "name")


def consultations_for(user: Any, unit: OrgUnit) -> QuerySet[Consultation]:
    if not may_see_figures(user, unit):
        return Consultation.objects.none()
    return Consultation.objects.filter(unit_code__under=unit.code).select_related("lawyer", "unit")


def _months(first: dt.date, last: dt.date) -> Q:
    return Q(month__gte=first.replace(day=1), month__lte=last)


def rates(counts: dict[str, int]) -> dict[str, float | None]:
    """调解成功率 = agreements ÷ cases mediated to an end; 化解率 = settled ÷ received; kept at
    follow-up ÷ followed up; average days from receipt to closure. None where nothing counts."""

    def ratio(top: str, bottom: str) -> float | None:
        return counts[top] / counts[bottom] if counts[bottom] else None

    return {
        "success_rate": ratio("agreed", "mediated"),
        "resolution_rate": ratio("resolved", "received"),
        "kept_rate": ratio("kept", "followed_up"),
        "average_days": ratio("days_to_close", "closed"),
    }


def figures(unit: OrgUnit, first: dt.date, last: dt.date) -> dict[str, Any]:
    """A unit's mediation figures (and those of the units below it) over the months from
    `first` to `last`, from the rollups; with the cases open now."""
    sums = MediationRollup.objects.filter(
        _months(first, last), unit_code__under=unit.code
    ).aggregate(**{name: Sum(name) for name in ROLLUP_COUNTERS})
    counts = {name: value or 0 for name, value in sums.items()}
    counts["open"] = (
        Case.objects.filter(unit_code__under=unit.code).exclude(status__in=ENDED).count()
    )
    return counts | rates(counts)


def trend(unit: OrgUnit, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Month by month: received, mediated, agreed, closed and settled, with the rates."""
    rows = (
        MediationRollup.objects.filter(_months(first, last), unit_code__under=unit.code)
        .values("month")
        .annotate(**{name: Sum(name) for name in ROLLUP_COUNTERS})
        .order_by("month")
    )
    return [dict(row) | rates(row) for row in rows]


def mediator_figures(
    mediators: list[Mediator], first: dt.date, last: dt.date
) -> dict[int, dict[str, Any]]:
    """Each mediator's figures as lead over the period, in one query."""
    rows = (
        MediatorRollup.objects.filter(_months(first, last), mediator__in=mediators)
        .values("mediator_id")
        .annotate(**{name: Sum(name) for name in ROLLUP_COUNTERS})
    )
    found = {row.pop("mediator_id"): row for row in rows}
    empty = dict.fromkeys(ROLLUP_COUNTERS, 0)
    return {m.pk: (found.get(m.pk) or empty) | rates(found.get(m.pk) or empty) for m in mediators}


def status_counts(user: Any, unit: OrgUnit) -> dict[str, int]:
    """How many of the unit's visible cases (and those below it) stand at each status."""
    rows = (
        cases_for(user)
        .filter(unit_code__under=unit.code)
        .order_by()
        .values("status")
        .annotate(n=Count("pk", distinct=True))
    )
    return {row["status"]: row["n"] for row in rows}


def figures_below(
    units: list[OrgUnit], first: dt.date, last: dt.date
) -> list[tuple[OrgUnit, dict[str, Any]]]:
    """Each unit's figures over the period (with what lies under it), in two queries whatever
    the number of units: the rollups and the open cases grouped by unit code, added up to the
    unit each code lies under."""
    if not units:
        return []
    under = _under([unit.code for unit in units])
    sums = (
        MediationRollup.objects.filter(_months(first, last))
        .filter(under)
        .order_by()
        .values("unit_code")
        .annotate(**{name: Sum(name) for name in ROLLUP_COUNTERS})
    )
    opened = (
        Case.objects.filter(under)
        .exclude(status__in=ENDED)
        .order_by()
        .values("unit_code")
        .annotate(n=Count("pk"))
    )
    totals = {unit.code: dict.fromkeys((*ROLLUP_COUNTERS, "open"), 0) for unit in units}

    def owner(code: str) -> dict[str, int] | None:
        # The units given are siblings (a unit's children): a code lies under one at most.
        for unit in units:
            if code.startswith(unit.code):
                return totals[unit.code]
        return None

    for row in sums:
        counts = owner(row["unit_code"])
        if counts is not None:
            for name in ROLLUP_COUNTERS:
                counts[name] += row[name] or 0
    for row in opened:
        counts = owner(row["unit_code"])
        if counts is not None:
            counts["open"] += row["n"]
    return [(unit, totals[unit.code] | rates(totals[unit.code])) for unit in units]


def top_mediators(
    unit: OrgUnit, first: dt.date, last: dt.date, *, limit: int = 10
) -> list[dict[str, Any]]:
    """The mediators of the unit's pool (and of the units under it) with the most agreements
    as lead over the period, in one query."""
    rows = (
        MediatorRollup.objects.filter(_months(first, last), unit_code__under=unit.code)
        .order_by()
        .values("mediator_id", "mediator__name", "mediator__kind")
        .annotate(**{name: Sum(name) for name in ROLLUP_COUNTERS})
        .filter(mediated__gt=0)
        .order_by("-agreed", "-mediated", "mediator__name")[:limit]
    )
    return [dict(row) | rates(row) for row in rows]


def referrals(counts: dict[str, Any]) -> list[tuple[str, int]]:
    """Referrals by receiving body, from a figures dict, the bodies with none left out."""
    named = {
        Body.JUSTICE: "referred_justice",
        Body.POLICE: "referred_police",
        Body.COURT: "referred_court",
        Body.ARBITRATION: "referred_arbitration",
        Body.PETITION: "referred_petition",
    }
    found = [(str(Body(body).label), counts[name]) for body, name in named.items() if counts[name]]
    if counts["referred_other"]:
        found.append((str(Body.OTHER.label), counts["referred_other"]))
    return found
