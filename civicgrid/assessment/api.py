"""Assessment plans in the JSON API (/api/v1/assessment/…), scoped like the pages
(selectors.plans_q, lines_q): another street's staff get 404; a worker sees their own line."""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from civicgrid.assessment import selectors, services
from civicgrid.assessment.models import Appeal, Plan, PlanAction, PlanWorker
from civicgrid.assessment.workflow import PLANS
from civicgrid.core.api import ERRORS
from civicgrid.core.errors import InvalidInput

router = Router(tags=["assessment"])


class IndicatorOut(Schema):
    id: int
    part: str
    name: str
    weight: str
    source: str


class PlanOut(Schema):
    id: int
    title: str
    unit: str
    year: int
    status: str
    version: int
    appeal_days: int
    opened_at: dt.datetime | None
    scored_at: dt.datetime | None
    appeals_until: dt.datetime | None
    published_at: dt.datetime | None


class StepOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: int | None
    note: str
    at: dt.datetime


class PlanDetailOut(PlanOut):
    indicators: list[IndicatorOut]
    allowed_steps: list[str] = Field(..., description="The steps you may take now")
    steps: list[StepOut]


class ResultOut(Schema):
    id: int = Field(..., description="The worker's line (PlanWorker) id")
    worker: int
    worker_name: str
    community: str
    grids: list[str]
    score: str | None
    rank_in_plan: int | None
    rank_in_community: int | None
    parts: dict[str, str]
    values: dict[str, str] = Field(..., description="indicator id → value 0–100")


class AppealOut(Schema):
    id: int
    line: int
    worker: int
    indicator: int | None
    reason: str
    status: str
    version: int
    answer: str
    filed_at: dt.datetime
    answered_at: dt.datetime | None


class StepIn(Schema):
    version: int | None = Field(None, description="The plan's version you read")


class AppealIn(Schema):
    line: int = Field(..., description="Your line (PlanWorker) id in the plan")
    indicator: int | None = Field(
        None, description="The indicator appealed against; none: the score as a whole"
    )
    reason: str


class AnswerIn(Schema):
    version: int | None = None
    answer: str


def _plan(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "title": plan.title,
        "unit": plan.unit_code,
        "year": plan.year,
        "status": plan.status,
        "version": plan.version,
        "appeal_days": plan.appeal_days,
        "opened_at": plan.opened_at,
        "scored_at": plan.scored_at,
        "appeals_until": plan.appeals_until,
        "published_at": plan.published_at,
    }


def _detail(user: Any, pk: int) -> dict[str, Any]:
    plan = selectors.plan_for(user, pk)
    return {
        **_plan(plan),
        "indicators": [
            {
                "id": i.pk,
                "part": i.part,
                "name": i.name,
                "weight": str(i.weight),
                "source": i.source,
            }
            for i in selectors.indicators_of(plan)
        ],
        "allowed_steps": [str(a) for a in PLANS.allowed(user, plan)],
        "steps": [
            {
                "action": s.action,
                "from_status": s.from_status,
                "to_status": s.to_status,
                "actor": s.actor_id,
                "note": s.note,
                "at": s.at,
            }
            for s in plan.steps.order_by("at", "id")
        ],
    }


def _appeal(a: Appeal) -> dict[str, Any]:
    return {
        "id": a.pk,
        "line": a.plan_worker_id,
        "worker": a.plan_worker.worker_id,
        "indicator": a.indicator_id,
        "reason": a.reason,
        "status": a.status,
        "version": a.version,
        "answer": a.answer,
        "filed_at": a.filed_at,
        "answered_at": a.answered_at,
    }


@router.get("/plans", response={200: list[PlanOut], **ERRORS})
def list_plans(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100),
    status: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    """The plans you see, newest year first."""
    plans = selectors.plans_for(request.user)
    if year is not None:
        plans = plans.filter(year=year)
    if status:
        plans = plans.filter(status=status)
    return [_plan(p) for p in plans.order_by("-year", "unit_code", "pk")[offset : offset + limit]]


@router.get("/plans/{plan_id}", response={200: PlanDetailOut, **ERRORS})
def get_plan(request: HttpRequest, plan_id: int):
    return _detail(request.user, plan_id)


@router.get("/plans/{plan_id}/results", response={200: list[ResultOut], **ERRORS})
def results(request: HttpRequest, plan_id: int, community: str = ""):
    """The results table (the lines you see), best rank first; `community` keeps one."""
    user = request.user
    plan = selectors.plan_for(user, plan_id)
    indicators = selectors.indicators_of(plan)
    return [
        {
            "id": row.line.pk,
            "worker": row.line.worker_id,
            "worker_name": str(row.line.worker),
            "community": row.line.community_code,
            "grids": row.line.grid_codes,
            "score": None if row.line.score is None else str(row.line.score),
            "rank_in_plan": row.line.rank_in_plan,
            "rank_in_community": row.line.rank_in_community,
            "parts": {part: str(v) for part, v in row.parts.items()},
            "values": {str(pk): str(v) for pk, v in row.values.items()},
        }
        for row in selectors.results(user, plan, indicators, community=community)
    ]


STEPS = {
    PlanAction.OPEN: services.open_plan,
    PlanAction.SCORE: services.score_plan,
    PlanAction.RESCORE: services.rescore_plan,
    PlanAction.PUBLISH: services.publish_plan,
}


@router.post("/plans/{plan_id}/steps/{action}", response={200: PlanDetailOut, **ERRORS})
def take_step(
    request: HttpRequest,
    plan_id: int,
    action: Literal["open", "score", "rescore", "publish"],
    payload: StepIn,
):
    """Take a step of the plan (with the version you read: a stale one is a 409)."""
    user = request.user
    plan = selectors.plan_for(user, plan_id)
    STEPS[PlanAction(action)](actor=user, plan=plan, version=payload.version)
    return _detail(user, plan_id)


@router.get("/plans/{plan_id}/appeals", response={200: list[AppealOut], **ERRORS})
def list_appeals(request: HttpRequest, plan_id: int, status: str = ""):
    """The plan's appeals you see (assessors: all; a worker: their own)."""
    plan = selectors.plan_for(request.user, plan_id)
    return [_appeal(a) for a in selectors.appeals_for(request.user, plan, status=status)[:1000]]


@router.post("/plans/{plan_id}/appeals", response={201: AppealOut, **ERRORS})
def file_appeal(request: HttpRequest, plan_id: int, payload: AppealIn):
    user = request.user
    plan = selectors.plan_for(user, plan_id)
    line = PlanWorker.objects.filter(plan=plan, pk=payload.line, worker_id=user.pk).first()
    if line is None:
        raise Http404
    indicator = None
    if payload.indicator is not None:
        indicator = plan.indicators.filter(pk=payload.indicator).first()
        if indicator is None:
            raise InvalidInput(_("That indicator is not part of this plan."), field="indicator")
    appeal = services.file_appeal(
        actor=user, plan_worker=line, indicator=indicator, reason=payload.reason
    )
    return Status(201, _appeal(appeal))


@router.post("/appeals/{appeal_id}/steps/{action}", response={200: AppealOut, **ERRORS})
def answer_appeal(
    request: HttpRequest,
    appeal_id: int,
    action: Literal["uphold", "dismiss"],
    payload: AnswerIn,
):
    """Uphold or dismiss an appeal, with an answer (assessors who are not the appellant)."""
    user = request.user
    appeal = selectors.appeal_for(user, appeal_id)
    done = services.answer_appeal(
        actor=user,
        appeal=appeal,
        uphold=action == "uphold",
        answer=payload.answer,
        version=payload.version,
    )
    return _appeal(done)
