"""Volunteer services in the JSON API (/api/v1/volunteers/…): the public menu and ordering
(no login, like the phone page), a resident's order by its token, and staff's scoped lists."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from civicgrid.core import limits
from civicgrid.core.api import ERRORS, PUBLIC_ERRORS
from civicgrid.messaging.models import CodePurpose
from civicgrid.messaging.services import require_code
from civicgrid.org import selectors as org_selectors
from civicgrid.org.models import OrgUnit
from civicgrid.volunteers import selectors, services

router = Router(tags=["volunteers"])


class ItemOut(Schema):
    id: int
    name: str
    category: str
    terms: str
    price: Decimal | None
    team: str | None


class OrderIn(Schema):
    item: int
    name: str
    phone: str
    address: str
    wanted_on: dt.date | None = None
    note: str = ""
    # The code sent to `phone` (POST /api/v1/messaging/public/codes, purpose "order"); not
    # needed when the caller is logged in.
    code: str = ""


class OrderOut(Schema):
    id: int
    token: str | None = None
    item: str
    status: str
    volunteer: str | None
    hours: Decimal | None
    rating: int | None
    created_at: dt.datetime


def _order(order, *, token: bool = False) -> OrderOut:
    return OrderOut(
        id=order.pk,
        token=order.token if token else None,
        item=order.item.name,
        status=order.status,
        volunteer=order.volunteer.name if order.volunteer else None,
        hours=order.hours,
        rating=order.rating,
        created_at=order.created_at,
    )


@router.get("/public/{code}/menu", response={200: list[ItemOut], **PUBLIC_ERRORS}, auth=None)
def menu(request: HttpRequest, code: str):
    limits.guard(request, "read")
    unit = get_object_or_404(OrgUnit, code=code, active=True)
    return [
        ItemOut(
            id=i.pk,
            name=i.name,
            category=i.category,
            terms=i.terms,
            price=i.price,
            team=i.team.name if i.team else None,
        )
        for i in selectors.menu_for(unit)
    ]


@router.post("/public/{code}/orders", response={201: OrderOut, **PUBLIC_ERRORS}, auth=None)
def order(request: HttpRequest, code: str, body: OrderIn):
    """Order a service from the unit's menu; the answer's token follows the order."""
    limits.guard(request, "order", phone=body.phone)
    unit = get_object_or_404(OrgUnit, code=code, active=True)
    item = get_object_or_404(selectors.menu_for(unit), pk=body.item)
    require_code(request.user, phone=body.phone, purpose=CodePurpose.ORDER, code=body.code)
    made = services.place_order(
        actor=request.user if request.user.is_authenticated else None,
        unit=unit,
        item=item,
        name=body.name,
        phone=body.phone,
        address=body.address,
        wanted_on=body.wanted_on,
        note=body.note,
    )
    return Status(201, _order(made, token=True))


@router.get("/public/orders/{token}", response={200: OrderOut, **PUBLIC_ERRORS}, auth=None)
def track(request: HttpRequest, token: str):
    limits.guard(request, "read")
    return _order(selectors.order_by_token(token), token=True)


@router.get("/units/{code}/orders", response={200: list[OrderOut], **ERRORS})
def unit_orders(request: HttpRequest, code: str, status: str = ""):
    unit = org_selectors.unit_for(request.user, code)
    return [_order(o) for o in selectors.orders_for(request.user, unit, status)[:500]]
