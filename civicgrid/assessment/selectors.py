"""Reads of plans, results, appeals and honours. `plans_q` and `lines_q` are the one place that
says who sees a plan and whose lines in it:

- assessors and readers (`roles.READER_ROLES`: street and district staff, community staff,
  read-only leaders) see the plans of the units they are posted to: a plan of their unit, of
  a unit below it, or of the street or district above them;
- those posted at the plan's unit or above it see every worker's line; community staff (and a
  leader posted to a community) see the lines of the workers of their community only;
- a worker in scope sees the plan and their own line only (scores, parts, ranks, appeals);
- everybody else, another street's staff included, sees nothing: a 404 like a missing plan.

The honour list is public once published.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from civicgrid.assessment import scoring
from civicgrid.assessment.models import (
    Appeal,
    AppealStatus,
    Entry,
    Honour,
    HonourPhoto,
    Indicator,
    Part,
    Plan,
    PlanStatus,
    PlanWorker,
)
from civicgrid.assessment.roles import ASSESSOR_ROLES, READER_ROLES
from civicgrid.org.scoping import holds, minimal_prefixes, postings_of_user, sees_everything
from civicgrid.org.selectors import code_prefixes


def _reader_codes(user: Any) -> list[str]:
    return [code for code, role in postings_of_user(user) if role in READER_ROLES]


def plans_q(user: Any) -> Q | None:
    """Which plans the user sees; None: every plan (a superuser)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if sees_everything(user):
        return None
    condition = Q(pk__in=[])
    codes = _reader_codes(user)
    for code in minimal_prefixes(codes):
        condition |= Q(unit_code__under=code)
    above = {prefix for code in codes for prefix in code_prefixes(code)}
    if above:
        condition |= Q(unit_code__in=sorted(above))
    return condition | Q(pk__in=PlanWorker.objects.filter(worker=user).values("plan_id"))


def plans_for(user: Any) -> QuerySet[Plan]:
    condition = plans_q(user)
    plans = Plan.objects.select_related("unit")
    return plans if condition is None else plans.filter(condition)


def plan_for(user: Any, pk: int) -> Plan:
    plan = plans_for(user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def sees_all_lines(user: Any, plan: Plan) -> bool:
    return holds(user, plan.unit_code, READER_ROLES)


def is_assessor(user: Any, plan: Plan) -> bool:
    return holds(user, plan.unit_code, ASSESSOR_ROLES)


def lines_q(user: Any, plan: Plan) -> Q:
    """Which lines (workers) of `plan` the user sees."""
    if sees_all_lines(user, plan):
        return Q()
    condition = Q(worker=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    for code in minimal_prefixes(_reader_codes(user)):
        if code.startswith(plan.unit_code):
            condition |= Q(community_code__under=code)
    return condition


def lines_for(user: Any, plan: Plan, *, community: str = "") -> QuerySet[PlanWorker]:
    """The lines of `plan` the user sees, best rank first (no score last), with the worker and
    their community; `community` (a code) keeps one community's."""
    lines = (
        PlanWorker.objects.filter(plan=plan)
        .filter(lines_q(user, plan))
        .select_related("worker", "community")
        .order_by("rank_in_plan", "community_code", "worker__full_name", "pk")
    )
    if community:
        lines = lines.filter(community_code=community)
    return lines


def line_for(user: Any, pk: int) -> PlanWorker:
    line = (
        PlanWorker.objects.filter(pk=pk, plan__in=plans_for(user).values("pk"))
        .select_related("plan", "plan__unit", "worker", "community")
        .first()
    )
    if line is None or not PlanWorker.objects.filter(lines_q(user, line.plan), pk=line.pk).exists():
        raise Http404
    return line


def indicators_of(plan: Plan) -> list[Indicator]:
    return list(plan.indicators.order_by("position", "pk"))


def communities_of(plan: Plan) -> list[tuple[str, str]]:
    """(code, name) of the communities with workers in the plan."""
    rows = (
        PlanWorker.objects.filter(plan=plan)
        .values_list("community_code", "community__name", "community__short_name")
        .distinct()
        .order_by("community_code")
    )
    return [(code, short or name) for code, name, short in rows]


@dataclass
class ResultRow:
    line: PlanWorker
    parts: dict[str, Decimal]
    values: dict[int, Decimal]
    # (part label, the part's figure or None) for the parts the plan uses, in order.
    cells: list[tuple[str, Decimal | None]]


def results(
    user: Any, plan: Plan, indicators: Sequence[Indicator], *, community: str = ""
) -> list[ResultRow]:
    """The results table: each visible line with its parts (听 查 测 彰) from its values."""
    weights = scoring.weights_of(indicators)
    used = parts_present(indicators)
    rows = []
    for line in lines_for(user, plan, community=community):
        values = scoring.details_values(line.details)
        parts = scoring.parts_of(weights, values)
        cells = [(label, parts.get(value)) for value, label in used]
        rows.append(ResultRow(line, parts, values, cells))
    return rows


def parts_present(indicators: Sequence[Indicator]) -> list[tuple[str, str]]:
    """(value, label) of the parts the plan's indicators use, in the parts' order."""
    used = {i.part for i in indicators}
    return [(value, str(label)) for value, label in Part.choices if value in used]


def my_lines(user: Any) -> QuerySet[PlanWorker]:
    """The user's own lines, newest plan first, with their appeals."""
    if not getattr(user, "is_authenticated", False):
        return PlanWorker.objects.none()
    return (
        PlanWorker.objects.filter(worker=user)
        .select_related("plan", "plan__unit", "community")
        .prefetch_related(
            Prefetch(
                "appeals", queryset=Appeal.objects.select_related("indicator").order_by("filed_at")
            ),
            Prefetch("plan__indicators", queryset=Indicator.objects.order_by("position", "pk")),
        )
        .order_by("-plan__year", "-plan__pk")
    )


def appeals_for(user: Any, plan: Plan, *, status: str = "") -> QuerySet[Appeal]:
    """The plan's appeals the user sees (assessors: all; a worker: their own)."""
    appeals = (
        Appeal.objects.filter(plan_worker__plan=plan)
        .select_related("plan_worker", "plan_worker__worker", "plan_worker__community", "indicator")
        .order_by("status", "filed_at", "pk")
    )
    if not sees_all_lines(user, plan):
        appeals = appeals.filter(
            plan_worker__in=PlanWorker.objects.filter(plan=plan).filter(lines_q(user, plan))
        )
    if status:
        appeals = appeals.filter(status=status)
    return appeals


def appeal_for(user: Any, pk: int) -> Appeal:
    appeal = (
        Appeal.objects.filter(pk=pk, plan_worker__plan__in=plans_for(user).values("pk"))
        .select_related("plan_worker", "plan_worker__plan", "plan_worker__worker", "indicator")
        .first()
    )
    if appeal is None or not appeals_for(user, appeal.plan_worker.plan).filter(pk=pk).exists():
        raise Http404
    return appeal


def filed_count(plan: Plan) -> int:
    return Appeal.objects.filter(plan_worker__plan=plan, status=AppealStatus.FILED).count()


def entries_of(indicator: Indicator) -> dict[int, Entry]:
    """The indicator's entries by PlanWorker id."""
    return {e.plan_worker_id: e for e in Entry.objects.filter(indicator=indicator)}


def plan_counts(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """`plans` with `worker_count` and `filed_count` (appeals waiting), in the same query."""
    return plans.annotate(
        worker_count=Count("workers", distinct=True),
        filed_count=Count(
            "workers__appeals",
            filter=Q(workers__appeals__status=AppealStatus.FILED),
            distinct=True,
        ),
    )


# ---- the public honour list ----------------------------------------------------------------


def published_honours(code: str) -> QuerySet[Honour]:
    """The published honours shown for a unit (no login): those of the plans of the unit or
    below it (a district shows its streets'), and for a community those of its own workers."""
    return (
        Honour.objects.filter(plan__status=PlanStatus.PUBLISHED, published_at__isnull=False)
        .filter(Q(unit_code__under=code) | Q(plan_worker__community_code__under=code))
        .select_related("plan", "plan_worker", "plan_worker__worker", "plan_worker__community")
        .prefetch_related(Prefetch("photos", queryset=HonourPhoto.objects.order_by("pk")))
        .order_by("-plan__year", "plan__unit_code", "position", "pk")
    )


def published_honour(pk: int) -> Honour:
    honour = (
        Honour.objects.filter(pk=pk, plan__status=PlanStatus.PUBLISHED, published_at__isnull=False)
        .select_related(
            "plan", "plan__unit", "plan_worker", "plan_worker__worker", "plan_worker__community"
        )
        .prefetch_related(Prefetch("photos", queryset=HonourPhoto.objects.order_by("pk")))
        .first()
    )
    if honour is None:
        raise Http404
    return honour


def published_photo(pk: int) -> HonourPhoto:
    photo = HonourPhoto.objects.filter(
        pk=pk, honour__plan__status=PlanStatus.PUBLISHED, honour__published_at__isnull=False
    ).first()
    if photo is None:
        raise Http404
    return photo


def honours_of(plan: Plan) -> QuerySet[Honour]:
    return (
        plan.honours.select_related("plan_worker", "plan_worker__worker", "plan_worker__community")
        .prefetch_related(Prefetch("photos", queryset=HonourPhoto.objects.order_by("pk")))
        .order_by("position", "pk")
    )


# ---- the home pages ----------------------------------------------------------------------------


def home_plans(user: Any, shown: int = 3) -> list[Plan]:
    """The latest plans the user sees, with their worker and waiting-appeal counts, in one
    query (the home card of street, district and leader)."""
    return list(plan_counts(plans_for(user)).order_by("-year", "unit_code", "pk")[:shown])


def latest_line(user: Any) -> PlanWorker | None:
    """The user's line in the newest plan they are assessed in (a grid worker's home card)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        PlanWorker.objects.filter(worker=user)
        .select_related("plan")
        .order_by("-plan__year", "-plan__pk")
        .first()
    )
