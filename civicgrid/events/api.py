"""Events in the JSON API: list, detail, create, each workflow step, categories, figures."""

import datetime as dt
import hashlib
import json
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Query, Router, Schema, Status

from civicgrid.core.api import ERRORS
from civicgrid.events import selectors, services
from civicgrid.events.models import Event, StepAction
from civicgrid.org import selectors as org_selectors

router = Router(tags=["events"])
A = StepAction


class EventOut(Schema):
    number: str
    title: str
    description: str
    category: str = Field(..., alias="category.code")
    category_name: str = Field(..., alias="category.name")
    status: str
    priority: str
    source: str
    version: int
    unit: str = Field(..., alias="unit_code")
    lon: float
    lat: float
    address: str
    handler_unit: str | None = Field(None, alias="handler_unit.code")
    handler_user: int | None = Field(None, alias="handler_user_id")
    cross_boundary: str
    overdue: bool
    escalation_level: int
    reported_at: dt.datetime
    response_due: dt.datetime | None
    closure_due: dt.datetime | None
    closed_at: dt.datetime | None
    solved: bool | None
    satisfaction: str
    attributes: dict


class StepOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: int | None = Field(None, alias="actor_id")
    note: str
    details: dict
    at: dt.datetime


class EventDetailOut(EventOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(event: Event) -> list:
        return list(event.steps.all())


class EventIn(Schema):
    title: str
    category: str
    lon: float
    lat: float
    description: str = ""
    address: str = ""
    priority: Literal["normal", "urgent", "emergency"] = "normal"
    source: Literal["patrol", "resident", "hotline", "department", "api"] = "api"
    reporter_name: str = ""
    reporter_phone: str = ""
    attributes: dict = {}


# Built from the step table for ninja, which reads it at run time; a type checker cannot.
Action = Literal[tuple(services.PERSON_STEPS)]  # type: ignore[valid-type]


class StepIn(Schema):
    version: int | None = Field(
        None, description="The version you last read; a stale one is a 409."
    )
    note: str = ""
    handler_unit: str | None = Field(None, description="dispatch: unit code")
    handler_user: int | None = Field(None, description="dispatch: user id")
    unit: str | None = Field(None, description="transfer: unit code")
    kind: Literal["routine", "tough_case", "emergency"] | None = Field(None, description="whistle")
    departments: list[str] = Field([], description="whistle: department codes")
    duplicate_of: str | None = Field(None, description="reject: number of the original event")
    cross_boundary: Literal["", "area", "department", "level"] | None = None
    solved: bool | None = Field(None, description="rate")
    satisfaction: Literal["satisfied", "basically_satisfied", "dissatisfied"] | None = None
    channel: Literal["follow_up_call", ""] = Field(
        "", description="rate: staff record a follow-up call (回访); they never rate otherwise"
    )
    category: str | None = Field(None, description="recategorize: the new sub-category's code")


class CategoryOut(Schema):
    code: str
    name: str
    parent: str | None = Field(None, alias="parent.code")
    department_kind: str
    response_hours: int
    closure_days: int
    after_photo_required: bool
    attributes: list
    auto_route_confidence: float | None = Field(
        None, description="智能分拨: API and Open311 reports are routed at this confidence or above"
    )


class RateOut(Schema):
    key: str
    label: str
    numerator: int
    denominator: int
    percent: float | None
    target: int
    met: bool | None
    formula: str


class FiguresOut(Schema):
    unit: str
    start: dt.date
    end: dt.date
    rates: list[RateOut]
    counts: dict[str, int]


# Past this, a page is certainly empty; larger numbers overflow the database's integers.
MAX_OFFSET = 1_000_000_000


@router.get("", response={200: list[EventOut], **ERRORS})
def list_events(
    request: HttpRequest,
    status: str | None = None,
    category: str | None = None,
    unit: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Events you may see, newest first; filter by status, category code prefix, unit code;
    `limit` (1…1000) from `offset`."""
    events = selectors.events_for(request.user)
    if status:
        events = events.filter(status=status)
    if category:
        events = events.filter(category__code__prefix=category)
    if unit:
        events = events.filter(unit_code__under=unit)
    return events.order_by("-reported_at", "-id")[offset : offset + limit]


@router.get("/categories", response={200: list[CategoryOut], **ERRORS})
def list_categories(request: HttpRequest):
    return selectors.categories()


@router.get("/figures/{code}", response={200: FiguresOut, **ERRORS})
def figures(
    request: HttpRequest, code: str, start: dt.date | None = None, end: dt.date | None = None
):
    """The four rates and the counts of a unit's subtree over a period (default: this year)."""
    unit = org_selectors.unit_for(request.user, code)
    default_start, default_end = selectors.default_period()
    start, end = selectors.checked_period(start or default_start, end or default_end)
    result = selectors.figures_for(unit, start, end)
    return {
        "unit": unit.code,
        "start": result.start,
        "end": result.end,
        "counts": result.counts,
        "rates": [
            {**rate.__dict__, "percent": rate.percent, "met": rate.met} for rate in result.rates
        ],
    }


@router.get("/{number}", response={200: EventDetailOut, **ERRORS})
def get_event(request: HttpRequest, number: str):
    return selectors.event_for(request.user, number)


@router.post("", response={201: EventDetailOut, **ERRORS})
def create_event(
    request: HttpRequest,
    response: HttpResponse,
    payload: EventIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="Any unique string (≤ 100 characters). A retry with the same key within "
        "24 hours answers the event the first request created (same body, header "
        "Idempotent-Replayed: true) instead of reporting it twice; the same key with a "
        "different body is a 409.",
    ),
):
    """Report an event. The unit is found from the point. When the category auto-routes
    (智能分拨) and the suggested department is confident enough, the answer shows the event
    already dispatched to it (a `route` step)."""
    fields: dict[str, Any] = {
        "title": payload.title,
        "category": selectors.category_by_code(payload.category),
        "lon": payload.lon,
        "lat": payload.lat,
        "description": payload.description,
        "address": payload.address,
        "priority": payload.priority,
        "source": payload.source,
        "reporter_name": payload.reporter_name,
        "reporter_phone": payload.reporter_phone,
        "attributes": payload.attributes,
    }
    if idempotency_key is None:
        event = services.report_event(actor=request.user, **fields)
        return Status(201, services.route_automatically(event) or event)
    content = json.dumps(payload.dict(), sort_keys=True, ensure_ascii=False, default=str)
    event, replayed = services.report_event_once(
        actor=request.user,
        key=idempotency_key,
        fingerprint=hashlib.sha256(content.encode()).hexdigest(),
        **fields,
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    else:
        event = services.route_automatically(event) or event
    return Status(201, event)


@router.post("/{number}/steps/{action}", response={200: EventDetailOut, **ERRORS})
def take_step(request: HttpRequest, number: str, action: Action, payload: StepIn):  # type: ignore[valid-type]
    """Take one workflow step. Illegal or stale steps answer 409, steps your role may not take
    403, bad input 400 — and nothing is written."""
    user = request.user
    return services.take_step(
        actor=user,
        event=selectors.event_for(user, number),
        action=action,
        version=payload.version,
        note=payload.note,
        handler_user_id=payload.handler_user,
        handler_unit=payload.handler_unit,
        unit=payload.unit,
        kind=payload.kind or "",
        departments=payload.departments,
        duplicate_of=selectors.event_to_merge(user, payload.duplicate_of or ""),
        cross_boundary=payload.cross_boundary,
        solved=payload.solved,
        satisfaction=payload.satisfaction or "",
        channel=payload.channel,
        category=payload.category,
    )


__all__ = ["router"]
