"""Events in the JSON API: list, detail, create, each workflow step, categories, figures."""

import datetime as dt
from typing import Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from civicgrid.core.errors import InvalidInput
from civicgrid.events import selectors, services
from civicgrid.events.models import Category, Event, Source, StepAction
from civicgrid.org import selectors as org_selectors
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit

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


Action = Literal[
    "accept",
    "reject",
    "transfer",
    "dispatch",
    "whistle",
    "report_in",
    "sign",
    "return",
    "resolve",
    "verify",
    "fail_verification",
    "close",
    "rate",
    "reopen",
    "suspend",
    "resume",
    "supervise",
]


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


class CategoryOut(Schema):
    code: str
    name: str
    parent: str | None = Field(None, alias="parent.code")
    department_kind: str
    response_hours: int
    closure_days: int
    after_photo_required: bool
    attributes: list


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


class ErrorBody(Schema):
    message: str
    field: str | None = None
    details: dict | list | str | int | None = None


class ErrorOut(Schema):
    error: ErrorBody


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.get("", response=list[EventOut])
def list_events(
    request: HttpRequest,
    status: str | None = None,
    category: str | None = None,
    unit: str | None = None,
    limit: int = 100,
    offset: int = 0,
):
    """Events you may see, newest first; filter by status, category code prefix, unit code."""
    events = selectors.events_for(request.user)
    if status:
        events = events.filter(status=status)
    if category:
        events = events.filter(category__code__startswith=category)
    if unit:
        events = events.filter(unit_code__under=unit)
    limit = max(1, min(limit, 1000))
    return events.order_by("-reported_at", "-id")[offset : offset + limit]


@router.get("/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest):
    return Category.objects.filter(active=True).select_related("parent").order_by("code")


@router.get("/figures/{code}", response={200: FiguresOut, **ERRORS})
def figures(
    request: HttpRequest, code: str, start: dt.date | None = None, end: dt.date | None = None
):
    """The four rates and the counts of a unit's subtree over a period (default: this year)."""
    unit = org_selectors.unit_for(request.user, code)
    default_start, default_end = selectors.default_period()
    result = selectors.figures_for(unit, start or default_start, end or default_end)
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
def create_event(request: HttpRequest, payload: EventIn):
    """Report an event. The unit is found from the point."""
    event = services.report_event(
        actor=request.user,
        title=payload.title,
        category=Category.objects.filter(code=payload.category).first(),
        lon=payload.lon,
        lat=payload.lat,
        description=payload.description,
        address=payload.address,
        priority=payload.priority,
        source=payload.source if payload.source != "api" else Source.API,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        attributes=payload.attributes,
    )
    return Status(201, event)


def _unit(code: str | None, field: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first() if code else None
    if unit is None:
        raise InvalidInput(f"Unknown unit {code!r}.", field=field)
    return unit


@router.post("/{number}/steps/{action}", response={200: EventDetailOut, **ERRORS})
def take_step(request: HttpRequest, number: str, action: Action, payload: StepIn):
    """Take one workflow step. Illegal or stale steps answer 409, steps your role may not take
    403, bad input 400 — and nothing is written."""
    user = request.user
    event = selectors.event_for(user, number)
    common = {"actor": user, "event": event, "version": payload.version}
    note = payload.note
    if action == A.ACCEPT:
        result = services.accept_event(
            **common, note=note, cross_boundary=payload.cross_boundary or ""
        )
    elif action == A.REJECT:
        duplicate = None
        if payload.duplicate_of:
            duplicate = selectors.event_for(user, payload.duplicate_of)
        result = services.reject_event(**common, reason=note, duplicate_of=duplicate)
    elif action == A.TRANSFER:
        result = services.transfer_event(**common, unit=_unit(payload.unit, "unit"), reason=note)
    elif action == A.DISPATCH:
        handler_user = None
        if payload.handler_user is not None:
            handler_user = get_user_model().objects.filter(pk=payload.handler_user).first()
            if handler_user is None:
                raise InvalidInput("Unknown user.", field="handler_user")
        result = services.dispatch_event(
            **common,
            note=note,
            handler_user=handler_user,
            handler_unit=_unit(payload.handler_unit, "handler_unit")
            if payload.handler_unit
            else None,
            cross_boundary=payload.cross_boundary,
        )
    elif action == A.WHISTLE:
        departments = list(
            OrgUnit.objects.filter(code__in=payload.departments, kind=Kind.DEPARTMENT)
        )
        result = services.whistle_event(
            **common, note=note, kind=payload.kind or "", departments=departments
        )
    elif action == A.REPORT_IN:
        result = services.report_in(**common, note=note)
    elif action == A.SIGN:
        result = services.sign_event(**common, note=note)
    elif action == A.RETURN:
        result = services.return_event(**common, reason=note)
    elif action == A.RESOLVE:
        result = services.resolve_event(**common, note=note)
    elif action in (A.VERIFY, A.FAIL_VERIFICATION):
        result = services.verify_event(**common, note=note, passed=action == A.VERIFY)
    elif action == A.CLOSE:
        result = services.close_event(**common, note=note)
    elif action == A.RATE:
        if payload.solved is None or payload.satisfaction is None:
            raise InvalidInput("Give solved and satisfaction.", field="satisfaction")
        result = services.rate_event(
            **common, solved=payload.solved, satisfaction=payload.satisfaction, comment=note
        )
    elif action == A.REOPEN:
        result = services.reopen_event(**common, reason=note)
    elif action == A.SUSPEND:
        result = services.suspend_event(**common, reason=note)
    elif action == A.RESUME:
        result = services.resume_event(**common, note=note)
    else:
        result = services.supervise_event(**common, note=note)
    return result


__all__ = ["router"]
