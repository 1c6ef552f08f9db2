"""Work orders in the JSON API (/api/v1/work-orders): other systems push their orders and
report progress; docs/connectors.md describes both with examples."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from civicgrid.core.api import ERRORS
from civicgrid.events import selectors as event_selectors
from civicgrid.events.models import Event
from civicgrid.interop import connectors

router = Router(tags=["work orders"])


class WorkOrderIn(Schema):
    system: str = Field(..., description="The connector's system slug, e.g. 12345")
    order_number: str = Field(..., description="The order's number in that system (工单号)")
    title: str
    category: str = Field(
        ..., description="Their category code (mapped) or a civicgrid sub-category code"
    )
    description: str = ""
    lat: float | None = None
    long: float | None = None
    address_id: str = Field("", description="A unit code, instead of lat/long")
    address: str = ""
    created_time: dt.datetime | None = Field(
        None, description="When the order was made (ISO 8601; no zone: Asia/Shanghai)"
    )
    deadline: dt.datetime | None = Field(
        None, description="The source's own deadline, kept as the event's closure deadline"
    )
    caller_name: str = ""
    caller_phone: str = ""
    priority: Literal["normal", "urgent", "emergency"] = "normal"


class WorkOrderOut(Schema):
    system: str = Field(..., alias="work_order.system")
    order_number: str = Field(..., alias="work_order.order_number")
    event: str = Field(..., alias="number")
    status: str
    source: str
    reported_at: dt.datetime
    closure_due: dt.datetime | None
    version: int


class UpdateIn(Schema):
    action: Literal["report_in", "start", "resolve"] = Field(
        ..., description="report_in (报到), start (in progress), resolve (办结)"
    )
    note: str = ""


class UpdateOut(Schema):
    event: str = Field(..., alias="number")
    status: str
    version: int


@router.post("", response={200: WorkOrderOut, 201: WorkOrderOut, **ERRORS})
def push_work_order(request: HttpRequest, payload: WorkOrderIn):
    """Receive an order: 201 with its new event; the same order again answers 200 with the
    same event; the same number with other content is a 409; an unknown category code a 400
    naming it; a key that is not the system's a 403."""
    order = connectors.PushedOrder(**payload.dict())
    event, created = connectors.receive_work_order(actor=request.user, order=order)
    return Status(201 if created else 200, _with_order(event))


def _with_order(event: Event) -> Event:
    # Read through the same select_related as every list, so the work order comes along.
    return Event.objects.select_related("work_order").get(pk=event.pk)


@router.post("/by-event/{number}/updates", response={200: UpdateOut, **ERRORS})
def update_by_event(request: HttpRequest, number: str, payload: UpdateIn):
    """A department's own system reports progress on an event whistled or dispatched to it,
    named by civicgrid's event number."""
    event = event_selectors.event_for(request.user, number)
    return connectors.update_event(
        actor=request.user, event=event, action=payload.action, note=payload.note
    )


@router.post("/{system}/{order_number}/updates", response={200: UpdateOut, **ERRORS})
def update_by_order(request: HttpRequest, system: str, order_number: str, payload: UpdateIn):
    """The same, for an event named by its order in `system` (the connector's key only)."""
    event = connectors.event_of_order(request.user, system, order_number)
    event = event_selectors.event_for(request.user, event.number)
    return connectors.update_event(
        actor=request.user, event=event, action=payload.action, note=payload.note
    )


__all__ = ["router"]
