"""Party members' points and study hours in the JSON API (/api/v1/party/…), scoped like the
pages (a member with a login also reads their own)."""

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status

from civicgrid.core.api import ERRORS
from civicgrid.party import selectors, services

router = Router(tags=["party"])


class MemberOut(Schema):
    id: int
    name: str
    kind: str
    position: str
    branch: str
    unit_code: str
    phone_masked: str
    balance: int
    earned: int
    redeemed: int
    study_hours: float
    study_hours_required: int


class EntryOut(Schema):
    id: int
    kind: str
    points: int
    day: dt.date
    note: str
    corrects: int | None


class RedeemIn(Schema):
    item: int
    quantity: int = 1


class RedemptionOut(Schema):
    id: int
    item: str
    quantity: int
    points: int
    status: str
    balance: int


@router.get("/members/{member_id}", response={200: MemberOut, **ERRORS})
def member(request: HttpRequest, member_id: int):
    found = selectors.member_for(request.user, member_id)
    year = timezone.localdate().year
    return MemberOut(
        id=found.pk,
        name=found.name,
        kind=found.kind,
        position=found.position,
        branch=found.branch.name,
        unit_code=found.unit_code,
        phone_masked=found.phone_masked,
        balance=found.balance,
        earned=found.earned,
        redeemed=found.redeemed,
        study_hours=float(sum(c.hours for c in selectors.credits_of(found, year))),
        study_hours_required=found.study_hours_required,
    )


@router.get("/members/{member_id}/ledger", response={200: list[EntryOut], **ERRORS})
def ledger(request: HttpRequest, member_id: int):
    found = selectors.member_for(request.user, member_id)
    return [
        EntryOut(
            id=e.pk, kind=e.kind, points=e.points, day=e.day, note=e.note, corrects=e.corrects_id
        )
        for e in selectors.ledger_of(found)[:500]
    ]


@router.post("/members/{member_id}/redemptions", response={201: RedemptionOut, **ERRORS})
def redeem(request: HttpRequest, member_id: int, body: RedeemIn):
    found = selectors.member_for(request.user, member_id)
    item = get_object_or_404(selectors.shop_for(found), pk=body.item)
    made = services.redeem(actor=request.user, member=found, item=item, quantity=body.quantity)
    made.member.refresh_from_db()
    return Status(
        201,
        RedemptionOut(
            id=made.pk,
            item=item.name,
            quantity=made.quantity,
            points=made.points,
            status=made.status,
            balance=made.member.balance,
        ),
    )
