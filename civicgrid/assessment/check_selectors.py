"""Reads of the assessment's 查 and 听 pages. Every function takes the acting user; a plan the
user may not see (another street's, or any plan for a grid worker) is a 404 exactly like a
missing one, and so is everything hanging on it (spot checks, inspections, photos)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from civicgrid.assessment import checks
from civicgrid.assessment.models import (
    CrossReview,
    Draw,
    DrawKind,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    Plan,
    PlanWorker,
    SpotCheck,
    SpotCheckItem,
)
from civicgrid.assessment.roles import READER_ROLES
from civicgrid.events.models import Event
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds, scope
from civicgrid.people import selectors as people_selectors


def plan_for(user: Any, pk: int) -> Plan:
    """A plan the user may read: under one of their units, with a reading role at the plan's
    unit or above (assessors and read-only leaders); Http404 otherwise."""
    plan = scope(Plan.objects.select_related("unit"), user).filter(pk=pk).first()
    if plan is None or not holds(user, plan.unit_code, READER_ROLES):
        raise Http404
    return plan


def may_assess(user: Any, plan: Plan) -> bool:
    return checks.may_assess(user, plan)


def draws_of(plan: Plan) -> list[Draw]:
    """Every draw of the plan, oldest first, with who drew it and the grid of a ledger draw."""
    return list(plan.draws.select_related("drawn_by", "unit").defer("unit__polygon").order_by("pk"))


@dataclass
class GridLine:
    unit: OrgUnit
    completeness: float | None
    rates: dict[str, float | None]
    rates_value: Decimal | None
    workers: list[PlanWorker] = field(default_factory=list)
    spot_check: SpotCheck | None = None


@dataclass
class Sample:
    communities: Draw | None
    grids: Draw | None
    community_units: list[OrgUnit]
    grid_lines: list[GridLine]
    # A grid draw exists but was made from communities no longer in force.
    grids_stale: bool


def sample_of(plan: Plan) -> Sample:
    """The sample in force: the communities and grids drawn, each grid with its completeness,
    its four rates over the plan's year, its workers and its spot check in force. A fixed
    number of queries however many grids."""
    communities = checks.communities_draw(plan)
    grids = checks.grids_draw(plan)
    stale = grids is None and plan.draws.filter(kind=DrawKind.GRIDS).exists()
    community_units = (
        list(OrgUnit.objects.filter(code__in=communities.result).defer("polygon").order_by("code"))
        if communities
        else []
    )
    units = (
        list(
            OrgUnit.objects.filter(code__in=grids.result)
            .select_related("parent")
            .defer("polygon", "parent__polygon")
            .order_by("code")
        )
        if grids
        else []
    )
    lines = []
    if units:
        below = people_selectors.completeness_below(checks.system_reader(), plan.unit, units)
        scores = {result.unit.code: result.score for result in below}
        rates = checks.rates_of(units, plan)
        by_grid = checks.workers_by_grid(plan)
        spot = checks.spot_checks_in_force(plan)
        for unit in units:
            parts = rates.get(unit.code, {})
            lines.append(
                GridLine(
                    unit=unit,
                    completeness=scores.get(unit.code),
                    rates={
                        key: round(100 * num / den, 1) if den else None
                        for key, (num, den) in parts.items()
                    },
                    rates_value=checks.four_rates_value([parts]),
                    workers=by_grid.get(unit.code, []),
                    spot_check=spot.get(unit.code),
                )
            )
    return Sample(communities, grids, community_units, lines, stale)


def sampled_grid_for(plan: Plan, code: str) -> OrgUnit:
    """A grid of the sample in force; Http404 for any other."""
    if code not in checks.sampled_grid_codes(plan):
        raise Http404
    unit = OrgUnit.objects.filter(code=code).select_related("parent").first()
    if unit is None:
        raise Http404
    return unit


def spot_checks_of(plan: Plan, grid: OrgUnit) -> list[SpotCheck]:
    """A grid's spot checks, newest first, each with its draw and its rows."""
    return list(
        SpotCheck.objects.filter(plan=plan, unit=grid)
        .select_related("draw__drawn_by", "checker")
        .prefetch_related(Prefetch("items", queryset=SpotCheckItem.objects.order_by("pk")))
        .order_by("-draw_id")
    )


def spot_check_for(user: Any, plan: Plan, pk: int) -> SpotCheck:
    found = SpotCheck.objects.filter(plan=plan, pk=pk).select_related("plan").first()
    if found is None:
        raise Http404
    return found


@dataclass
class CrossLine:
    event: Event
    review: CrossReview | None


def cross_lines(plan: Plan) -> list[CrossLine]:
    """The cross-boundary reports to review, newest first, with their reviews."""
    events = list(
        checks.cross_events(plan)
        .select_related("category", "reporter", "unit")
        .defer("unit__polygon")
        .order_by("-reported_at", "-pk")
    )
    reviews = {
        review.event_id: review
        for review in CrossReview.objects.filter(
            plan=plan, event_id__in=[e.pk for e in events]
        ).select_related("reviewer")
    }
    return [CrossLine(event, reviews.get(event.pk)) for event in events]


def cross_event_for(plan: Plan, pk: int) -> Event:
    event = checks.cross_events(plan).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


def plan_workers(plan: Plan) -> list[PlanWorker]:
    return list(
        plan.workers.select_related("worker", "community")
        .defer("community__polygon")
        .order_by("community_code", "worker__username", "pk")
    )


def plan_worker_for(plan: Plan, pk: int) -> PlanWorker:
    found = plan.workers.filter(pk=pk).select_related("worker").first()
    if found is None:
        raise Http404
    return found


def _inspections(plan: Plan) -> QuerySet[Inspection]:
    return (
        plan.inspections.select_related("inspector", "plan_worker__worker")
        .prefetch_related(
            Prefetch("items", queryset=InspectionItem.objects.order_by("pk")),
            Prefetch("photos", queryset=InspectionPhoto.objects.order_by("pk")),
        )
        .order_by("-inspected_at", "-pk")
    )


@dataclass
class WorkerInspections:
    plan_worker: PlanWorker
    inspections: list[Inspection]

    @property
    def mean(self) -> Decimal | None:
        if not self.inspections:
            return None
        total = sum((i.score for i in self.inspections), Decimal(0))
        return (total / len(self.inspections)).quantize(Decimal("0.01"))


def inspections_by_worker(plan: Plan) -> list[WorkerInspections]:
    """Every worker of the plan with their inspections, newest first, and the mean score."""
    found: dict[int, list[Inspection]] = defaultdict(list)
    for inspection in _inspections(plan):
        found[inspection.plan_worker_id].append(inspection)
    return [WorkerInspections(pw, found.get(pw.pk, [])) for pw in plan_workers(plan)]


def photo_for(user: Any, pk: int) -> InspectionPhoto:
    """An inspection photo, for those who see its plan only."""
    photo = InspectionPhoto.objects.filter(pk=pk).select_related("inspection").first()
    if photo is None:
        raise Http404
    plan_for(user, photo.inspection.plan_id)
    return photo
