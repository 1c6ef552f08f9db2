"""Mediation in the JSON API (/api/v1/mediation/…), scoped like the pages: a caller sees only
the cases of selectors.cases_q (the desk of the case's unit or above it, and the case's own
mediators). Parties come with their masked phone only; no phone in clear, no ID number."""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from civicgrid.classes.models import Venue
from civicgrid.core.api import ERRORS
from civicgrid.core.errors import InvalidInput
from civicgrid.events import selectors as event_selectors
from civicgrid.events.selectors import checked_period, default_period
from civicgrid.mediation import selectors, services
from civicgrid.mediation.models import (
    Case,
    CaseParty,
    Channel,
    Consultation,
    Mediator,
    Session,
)
from civicgrid.org import selectors as org_selectors
from civicgrid.org.models import OrgUnit

router = Router(tags=["mediation"])

MAX_OFFSET = 1_000_000_000


# ---- schemas -----------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    number: str
    document_number: str
    title: str
    kind: str
    channel: str
    status: str
    version: int
    risk: str
    risk_signs: list[str]
    amount: str | None
    people_affected: int
    unit: str
    lead: int | None
    lead_name: str
    event: str | None
    received_at: dt.datetime
    accepted_at: dt.datetime | None
    ended_at: dt.datetime | None
    agreed: bool | None
    closed_at: dt.datetime | None
    resolved: bool | None
    due_at: dt.datetime | None
    overdue: bool


class PartyOut(Schema):
    id: int
    role: str
    name: str
    gender: str
    age: int | None
    address: str
    phone_masked: str = Field(..., description="Masked; the clear number is never returned.")
    person: int | None
    organisation: int | None


class SessionOut(Schema):
    id: int
    held_at: dt.datetime
    venue: int | None
    place: str
    mediators: list[int]
    parties: list[int]
    others: str
    notes: str
    photos: int


class StepOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: int | None
    note: str
    details: dict
    at: dt.datetime


class CaseDetailOut(CaseOut):
    facts: str
    request: str
    referred_by: str
    helpers: list[int]
    agreement: str
    agreement_form: str
    performance: str
    referred_to: str
    referred_body: str
    referred_at: dt.datetime | None
    referral_accepted_at: dt.datetime | None
    followed_up_at: dt.datetime | None
    kept: bool | None
    outcome: str
    parties: list[PartyOut]
    sessions: list[SessionOut]
    steps: list[StepOut]


class PartyIn(Schema):
    role: Literal["applicant", "respondent", "third"]
    name: str = ""
    phone: str = Field("", description="Sealed on arrival; answers show it masked.")
    gender: Literal["", "male", "female"] = ""
    age: int | None = Field(None, ge=0, le=130)
    address: str = ""


class CaseIn(Schema):
    unit: str = Field(..., description="The unit code of the desk taking the case in")
    channel: Literal["walk_in", "hotline", "referral", "mediator"]
    title: str
    kind: str
    facts: str
    request: str = ""
    risk: str = "low"
    risk_signs: list[str] = []
    amount: str | None = Field(None, description='Yuan, e.g. "3000"')
    people_affected: int = Field(2, ge=1, le=100_000)
    referred_by: str = ""
    lead: int | None = Field(None, description="Mediator id")
    helpers: list[int] = []
    parties: list[PartyIn] = []


class FromEventIn(Schema):
    event: str = Field(..., description="The event's number")
    lead: int | None = Field(None, description="Mediator id")


Action = Literal[
    "accept",
    "decline",
    "assign",
    "session",
    "agree",
    "fail",
    "refer",
    "referral_accepted",
    "follow_up",
    "resume",
    "close",
    "risk",
]


class StepIn(Schema):
    version: int | None = Field(
        None, description="The version you last read; a stale one is a 409."
    )
    note: str = Field("", description="The reason (decline, fail, resume) or a note")
    lead: int | None = Field(None, description="accept, assign: mediator id")
    helpers: list[int] = Field([], description="accept, assign: mediator ids")
    handed_to: str = Field("", description="decline: the body it is handed to")
    body: str = Field("", description="refer: justice, police, court, arbitration, …")
    body_name: str = Field("", description="decline, refer: the receiving body's name")
    due: dt.datetime | None = Field(None, description="refer: the body's deadline")
    held_at: dt.datetime | None = Field(None, description="session: when it was held")
    venue: int | None = Field(None, description="session: a room's id")
    place: str = Field("", description="session: where, when not in a room")
    mediators: list[int] = Field([], description="session: mediator ids")
    parties: list[int] = Field([], description="session: ids of the parties present")
    others: str = ""
    notes: str = Field("", description="session: the record of what was said")
    terms: str = Field("", description="agree: the terms agreed")
    form: Literal["written", "oral"] = "written"
    performance: str = Field("", description="agree: how and when it is carried out")
    kept: bool | None = Field(None, description="follow_up: was the agreement kept?")
    outcome: str = Field("", description="close: how the case ended")
    resolved: bool | None = Field(None, description="close: was the dispute settled?")
    risk: str = Field("", description="risk: low, medium or high")
    signs: list[str] = Field([], description="risk: the signs that raise it")


class MediatorOut(Schema):
    id: int
    name: str
    kind: str
    unit: str
    affiliation: str
    specialties: str
    active: bool
    has_login: bool


class ConsultationOut(Schema):
    id: int
    held_on: dt.date
    lawyer: int | None
    lawyer_name: str
    place: str
    residents_served: int
    topics: str
    disputes_found: int
    unit: str


class ConsultationIn(Schema):
    held_on: dt.date
    residents_served: int = Field(..., ge=0, le=10_000)
    topics: str
    lawyer: int | None = Field(None, description="Mediator id of the lawyer")
    lawyer_name: str = ""
    place: str = ""
    disputes_found: int = Field(0, ge=0, le=10_000)


class FiguresOut(Schema):
    unit: str
    start: dt.date
    end: dt.date
    counts: dict[str, int]
    rates: dict[str, float | None]
    trend: list[dict[str, Any]]


# ---- helpers -----------------------------------------------------------------------------------


def _case(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "document_number": services.document_number(case),
        "title": case.title,
        "kind": case.kind,
        "channel": case.channel,
        "status": case.status,
        "version": case.version,
        "risk": case.risk,
        "risk_signs": list(case.risk_signs or []),
        "amount": None if case.amount is None else str(case.amount),
        "people_affected": case.people_affected,
        "unit": case.unit_code,
        "lead": case.lead_id,
        "lead_name": case.lead.name if case.lead is not None else "",
        "event": case.event.number if case.event_id and case.event else None,
        "received_at": case.received_at,
        "accepted_at": case.accepted_at,
        "ended_at": case.ended_at,
        "agreed": case.agreed,
        "closed_at": case.closed_at,
        "resolved": case.resolved,
        "due_at": case.due_at,
        "overdue": case.overdue,
    }


def _party(party: CaseParty) -> dict[str, Any]:
    return {
        "id": party.pk,
        "role": party.role,
        "name": party.name,
        "gender": party.gender,
        "age": party.age,
        "address": party.address,
        "phone_masked": party.phone_masked,
        "person": party.person_id,
        "organisation": party.organisation_id,
    }


def _session(session: Session) -> dict[str, Any]:
    return {
        "id": session.pk,
        "held_at": session.held_at,
        "venue": session.venue_id,
        "place": session.where,
        "mediators": [m.pk for m in session.mediators.all()],
        "parties": [p.pk for p in session.parties.all()],
        "others": session.others,
        "notes": session.notes,
        "photos": len(session.photos.all()),
    }


def _detail(user: Any, pk: int) -> dict[str, Any]:
    case = selectors.case_for(user, pk)
    return _case(case) | {
        "facts": case.facts,
        "request": case.request,
        "referred_by": case.referred_by,
        "helpers": sorted(case.helpers.values_list("pk", flat=True)),
        "agreement": case.agreement,
        "agreement_form": case.agreement_form,
        "performance": case.performance,
        "referred_to": case.referred_to,
        "referred_body": case.referred_body,
        "referred_at": case.referred_at,
        "referral_accepted_at": case.referral_accepted_at,
        "followed_up_at": case.followed_up_at,
        "kept": case.kept,
        "outcome": case.outcome,
        "parties": [_party(p) for p in selectors.parties_of(case)],
        "sessions": [_session(s) for s in selectors.sessions_of(case)],
        "steps": [
            {
                "action": s.action,
                "from_status": s.from_status,
                "to_status": s.to_status,
                "actor": s.actor_id,
                "note": s.note,
                "details": s.details,
                "at": s.at,
            }
            for s in case.steps.order_by("at", "id")
        ],
    }


def _mediator(pk: int | None, field: str = "lead") -> Mediator | None:
    """A mediator by id; whether it may work on the case is the services' check."""
    if pk is None:
        return None
    mediator = Mediator.objects.filter(pk=pk).first()
    if mediator is None:
        raise InvalidInput(_("No such mediator."), field=field)
    return mediator


def _mediators(pks: list[int], field: str) -> list[Mediator]:
    found = list(Mediator.objects.filter(pk__in=pks))
    if len(found) != len(set(pks)):
        raise InvalidInput(_("No such mediator."), field=field)
    return found


def _unit(code: str) -> OrgUnit:
    """The unit a case is taken in at; whether the user keeps its desk is the services'."""
    unit = org_selectors.unit_by_code(code)
    if unit is None:
        raise Http404
    return unit


# ---- cases -------------------------------------------------------------------------------------


@router.get("/cases", response={200: list[CaseOut], **ERRORS})
def list_cases(
    request: HttpRequest,
    unit: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    risk: str | None = None,
    overdue: bool | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The cases you see, newest first; filter by unit code (and the units below it),
    status, kind, risk and overdue; `limit` (1…1000) from `offset`."""
    cases = selectors.cases_for(request.user).select_related("event")
    if unit:
        cases = cases.filter(unit_code__under=unit)
    if status:
        cases = cases.filter(status=status)
    if kind:
        cases = cases.filter(kind=kind)
    if risk:
        cases = cases.filter(risk=risk)
    if overdue is not None:
        cases = cases.filter(overdue=overdue)
    return [_case(c) for c in cases.order_by("-received_at", "-id")[offset : offset + limit]]


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS})
def get_case(request: HttpRequest, case_id: int):
    return _detail(request.user, case_id)


@router.post("/cases", response={201: CaseDetailOut, **ERRORS})
def create_case(request: HttpRequest, payload: CaseIn):
    """Take in a case at a unit's desk (walk-in, hotline, referral, or a mediator's own)."""
    user = request.user
    case = services.receive_case(
        actor=user,
        unit=_unit(payload.unit),
        data=services.CaseData(
            title=payload.title,
            kind=payload.kind,
            facts=payload.facts,
            request=payload.request,
            risk=payload.risk,
            risk_signs=payload.risk_signs,
            amount=payload.amount,
            people_affected=payload.people_affected,
            referred_by=payload.referred_by,
        ),
        intake=services.Intake(
            Channel(payload.channel),
            lead=_mediator(payload.lead),
            helpers=_mediators(payload.helpers, "helpers"),
        ),
        parties=[_party_data(p) for p in payload.parties],
    )
    return Status(201, _detail(user, case.pk))


def _party_data(p: PartyIn) -> services.PartyData:
    return services.PartyData(
        role=p.role, name=p.name, phone=p.phone, gender=p.gender, age=p.age, address=p.address
    )


@router.post("/cases/{case_id}/parties", response={201: CaseDetailOut, **ERRORS})
def add_party(request: HttpRequest, case_id: int, payload: PartyIn):
    """Add a party to a case (a case from an event or a situation starts without any; the
    agreement needs an applicant and a respondent)."""
    user = request.user
    case = selectors.case_for(user, case_id)
    services.add_party(actor=user, case=case, data=_party_data(payload))
    return Status(201, _detail(user, case.pk))


@router.post("/from-event", response={201: CaseDetailOut, **ERRORS})
def from_event(request: HttpRequest, payload: FromEventIn):
    """Take a dispute event you see on as a case at its community's desk."""
    user = request.user
    event = event_selectors.event_for(user, payload.event)
    case = services.open_from_event(actor=user, event=event, lead=_mediator(payload.lead))
    return Status(201, _detail(user, case.pk))


@router.post("/cases/{case_id}/steps/{action}", response={200: CaseDetailOut, **ERRORS})
def take_step(request: HttpRequest, case_id: int, action: Action, payload: StepIn):
    """Take one step of the chain. A stale `version` or a step the case's status does not
    allow answers 409, a step your role may not take 403, bad input 400; nothing is written."""
    user = request.user
    case = selectors.case_for(user, case_id)
    p = payload
    common: dict[str, Any] = {"actor": user, "case": case, "version": p.version}
    if action == "accept":
        services.accept_case(
            **common, lead=_mediator(p.lead), helpers=_mediators(p.helpers, "helpers"), note=p.note
        )
    elif action == "decline":
        services.decline_case(**common, reason=p.note, handed_to=p.handed_to, body_name=p.body_name)
    elif action == "assign":
        lead = _mediator(p.lead)
        if lead is None:
            raise InvalidInput(_("Choose the lead mediator."), field="lead")
        services.assign_mediators(
            **common, lead=lead, helpers=_mediators(p.helpers, "helpers"), note=p.note
        )
    elif action == "session":
        if p.held_at is None:
            raise InvalidInput(_("Say when the session was held."), field="held_at")
        venue = None
        if p.venue is not None:
            venue = Venue.objects.filter(pk=p.venue).first()
            if venue is None:
                raise InvalidInput(_("No such room."), field="venue")
        parties = list(case.parties.filter(pk__in=p.parties))
        if len(parties) != len(set(p.parties)):
            raise InvalidInput(_("That person is not a party to this case."), field="parties")
        services.record_session(
            **common,
            data=services.SessionData(
                held_at=p.held_at,
                notes=p.notes,
                venue=venue,
                place=p.place,
                mediators=_mediators(p.mediators, "mediators"),
                parties=parties,
                others=p.others,
            ),
        )
    elif action == "agree":
        services.reach_agreement(**common, terms=p.terms, form=p.form, performance=p.performance)
    elif action == "fail":
        services.record_no_agreement(**common, reason=p.note)
    elif action == "refer":
        services.refer_case(**common, body=p.body, body_name=p.body_name, note=p.note, due=p.due)
    elif action == "referral_accepted":
        services.record_referral_accepted(**common, note=p.note)
    elif action == "follow_up":
        if p.kept is None:
            raise InvalidInput(_("Say whether the agreement was kept."), field="kept")
        services.follow_up(**common, kept=p.kept, note=p.note)
    elif action == "resume":
        services.resume_mediation(**common, note=p.note)
    elif action == "close":
        services.close_case(**common, outcome=p.outcome, resolved=p.resolved)
    elif action == "risk":
        services.change_risk(**common, risk=p.risk, signs=p.signs, note=p.note)
    return _detail(user, case.pk)


# ---- a unit's pool, consultations and figures ------------------------------------------------


@router.get("/units/{code}/pool", response={200: list[MediatorOut], **ERRORS})
def pool(request: HttpRequest, code: str, active: bool = True):
    """The mediators a unit's desk may call on (its own, above it and below it)."""
    unit = org_selectors.unit_for(request.user, code)
    if not selectors.may_see_desk(request.user, unit):
        raise Http404
    return [
        {
            "id": m.pk,
            "name": m.name,
            "kind": m.kind,
            "unit": m.unit_code,
            "affiliation": m.affiliation,
            "specialties": m.specialties,
            "active": m.active,
            "has_login": m.user_id is not None,
        }
        for m in selectors.pool(request.user, unit, active=active)[:1000]
    ]


def _consultation(c: Consultation) -> dict[str, Any]:
    return {
        "id": c.pk,
        "held_on": c.held_on,
        "lawyer": c.lawyer_id,
        "lawyer_name": c.lawyer_name,
        "place": c.place,
        "residents_served": c.residents_served,
        "topics": c.topics,
        "disputes_found": c.disputes_found,
        "unit": c.unit_code,
    }


@router.get("/units/{code}/consultations", response={200: list[ConsultationOut], **ERRORS})
def consultations(
    request: HttpRequest,
    code: str,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The legal consultation log of a unit and the units below it, newest first."""
    unit = org_selectors.unit_for(request.user, code)
    if not selectors.may_see_figures(request.user, unit):
        raise Http404
    rows = selectors.consultations_for(request.user, unit)[offset : offset + limit]
    return [_consultation(c) for c in rows]


@router.post("/units/{code}/consultations", response={201: ConsultationOut, **ERRORS})
def add_consultation(request: HttpRequest, code: str, payload: ConsultationIn):
    unit = org_selectors.unit_for(request.user, code)
    consultation = services.record_consultation(
        actor=request.user,
        unit=unit,
        held_on=payload.held_on,
        residents_served=payload.residents_served,
        topics=payload.topics,
        lawyer=_mediator(payload.lawyer, "lawyer"),
        lawyer_name=payload.lawyer_name,
        place=payload.place,
        disputes_found=payload.disputes_found,
    )
    return Status(201, _consultation(consultation))


@router.get("/units/{code}/figures", response={200: FiguresOut, **ERRORS})
def figures(
    request: HttpRequest, code: str, start: dt.date | None = None, end: dt.date | None = None
):
    """A unit's figures (and the units' below it) over a period (default: this year), from
    the rollups: the counts, 调解成功率 and 化解率 and the others, and the month-by-month trend."""
    unit = org_selectors.unit_for(request.user, code)
    if not selectors.may_see_figures(request.user, unit):
        raise Http404
    default_start, default_end = default_period()
    start, end = checked_period(start or default_start, end or default_end)
    result = selectors.figures(unit, start, end)
    rate_names = set(selectors.rates(dict.fromkeys(result, 1)))
    trend = [
        {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}
        for row in selectors.trend(unit, start, end)
    ]
    return {
        "unit": unit.code,
        "start": start,
        "end": end,
        "counts": {k: int(v) for k, v in result.items() if k not in rate_names},
        "rates": {k: result[k] for k in rate_names},
        "trend": trend,
    }


__all__ = ["router"]
