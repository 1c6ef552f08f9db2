"""Every write to mediation: cases from every door, their parties, mediators, sessions, the
chain of steps to closure, signed scans, legal consultations, and the deadlines' escalation.

Each step runs through the case machine (`workflow.py`: lock, version, table, role, log,
rollups in one transaction). A case taken on from a dispute event moves that event with it in
the same transaction: the event is handed to mediation when the case is received, resolved with
the case's outcome when the case closes, and refuses every other step that would settle or move
it meanwhile (`guard_mediated_event`).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.classes.models import Venue
from civicgrid.core import privacy
from civicgrid.core.cleaning import plain_text
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.core.models import AccessLog
from civicgrid.core.photos import read_photo, read_photos
from civicgrid.events import services as events
from civicgrid.events.models import Event, EventStep, Status, StepAction
from civicgrid.events.workdays import add_working_days
from civicgrid.mediation import rollups
from civicgrid.mediation.models import (
    ENDED,
    PARTY_PHONE,
    AgreementForm,
    Body,
    Case,
    CaseAction,
    CaseCounter,
    CaseKind,
    CaseParty,
    CaseStatus,
    Channel,
    Consultation,
    DocumentKind,
    Mediator,
    MediatorKind,
    PartyGender,
    PartyRole,
    Risk,
    RiskSign,
    Session,
    SessionPhoto,
    SignedScan,
)
from civicgrid.mediation.roles import DESK_ROLES
from civicgrid.mediation.selectors import own_mediator
from civicgrid.mediation.workflow import (
    CASES,
    TRANSITIONS,
    is_case_mediator,
    is_desk,
)
from civicgrid.messaging.services import notify
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds, postings_of_user, sees_everything, users_for
from civicgrid.org.selectors import unit_by_code
from civicgrid.org.tree import community_of, is_under, street_of
from civicgrid.people.models import Organisation, Person, Situation

S = CaseStatus
A = CaseAction

# The event categories of disputes (矛盾纠纷, 22xx) and the kind of case each one is.
DISPUTE_PREFIX = "22"
KIND_OF_CATEGORY = {
    "2201": CaseKind.NEIGHBOUR,
    "2202": CaseKind.PROPERTY,
    "2203": CaseKind.LABOUR,
    "2204": CaseKind.FAMILY,
}
# An event step that would settle or move a dispute elsewhere: refused while a case mediates it.
# Suspending it too: a suspended event would miss the resolution its case's closure brings.
GUARDED_EVENT_STEPS = frozenset(
    {
        StepAction.RESOLVE,
        StepAction.REJECT,
        StepAction.TRANSFER,
        StepAction.DISPATCH,
        StepAction.WHISTLE,
        StepAction.RETURN,
        StepAction.SUSPEND,
    }
)
# What makes a case high-risk on its own: this many people, this amount of money.
GROUP_SIZE = 10
LARGE_AMOUNT = Decimal("100000")


def _now() -> dt.datetime:
    return timezone.now()


def days(stage: str) -> int:
    """Working days allowed for a stage (settings.MEDIATION_DAYS)."""
    return int(settings.MEDIATION_DAYS[stage])


def _require(actor: Any, code: str, message: str | None = None) -> None:
    if not holds(actor, code, DESK_ROLES):
        raise NotAllowed(message or _("Only the staff of this unit's mediation desk may do that."))


# How long a written part may be: a dispute's facts, an agreement's terms, a step's note…; a
# session's record is longer. Nobody writes more by hand, and a document is printed from them.
TEXT_LIMIT = 5000
RECORD_LIMIT = 20000


def _optional(value: str, field: str, *, limit: int = TEXT_LIMIT) -> str:
    value = plain_text(value or "").strip()
    if len(value) > limit:
        raise InvalidInput(_("Keep it under %(limit)d characters.") % {"limit": limit}, field=field)
    return value


def _text(value: str, field: str, message: str, *, limit: int = TEXT_LIMIT) -> str:
    value = _optional(value, field, limit=limit)
    if not value:
        raise InvalidInput(message, field=field)
    return value


def _aware(moment: dt.datetime, field: str) -> dt.datetime:
    """A time as given (a form's or a client's without a zone is Asia/Shanghai), within the
    years a case may speak of."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if not 2000 <= moment.year <= 2100:
        raise InvalidInput(_("Give a date between 2000 and 2100."), field=field)
    return moment


def _choice(value: str, choices: type[models.TextChoices], field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(_("Choose one of the offered values."), field=field)
    return value


# ---- who and what ----------------------------------------------------------------------------


@dataclass
class CaseData:
    """What intake records of a dispute."""

    title: str
    kind: str
    facts: str
    request: str = ""
    risk: str = Risk.LOW
    risk_signs: Sequence[str] = ()
    amount: Any = None
    people_affected: int = 2
    referred_by: str = ""


@dataclass
class PartyData:
    role: str
    name: str = ""
    phone: str = ""
    gender: str = ""
    age: int | None = None
    address: str = ""
    person: Person | None = None
    organisation: Organisation | None = None


@dataclass
class Intake:
    """The door a case came in through, and what it hangs on."""

    channel: str
    event: Event | None = None
    situation: Situation | None = None
    lead: Mediator | None = None
    helpers: Sequence[Mediator] = field(default_factory=list)


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise InvalidInput(_("Give the amount as a number of yuan."), field="amount") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise InvalidInput(_("Give the amount as a number of yuan."), field="amount")
    return amount.quantize(Decimal("0.01"))


def assess_risk(risk: str, signs: Iterable[str], amount: Decimal | None, people: int):
    """The case's risk and its signs: any sign makes it high, and so do a group of
    `GROUP_SIZE` people or more and an amount of `LARGE_AMOUNT` or more (which add their sign)."""
    _choice(risk, Risk, "risk")
    found = []
    for sign in signs:
        found.append(_choice(sign, RiskSign, "risk_signs"))
    if people >= GROUP_SIZE:
        found.append(RiskSign.GROUP)
    if amount is not None and amount >= LARGE_AMOUNT:
        found.append(RiskSign.LARGE_AMOUNT)
    signs_kept = [sign for sign in RiskSign.values if sign in found]
    return (Risk.HIGH if signs_kept else risk), signs_kept


def clean_case(data: CaseData) -> dict[str, Any]:
    title = _text(data.title, "title", _("Say in a few words what the dispute is."), limit=200)
    facts = _text(data.facts, "facts", _("Describe the dispute: who, what, since when."))
    amount = _amount(data.amount)
    try:
        people = int(data.people_affected)
    except (TypeError, ValueError):
        raise InvalidInput(
            _("Give the number of people affected."), field="people_affected"
        ) from None
    if not 1 <= people <= 100_000:
        raise InvalidInput(_("Give the number of people affected."), field="people_affected")
    risk, signs = assess_risk(data.risk, data.risk_signs, amount, people)
    return {
        "title": title,
        "kind": _choice(data.kind, CaseKind, "kind"),
        "facts": facts,
        "request": _optional(data.request, "request"),
        "risk": risk,
        "risk_signs": signs,
        "amount": amount,
        "people_affected": people,
        "referred_by": plain_text(data.referred_by or "").strip()[:100],
    }


def _party(case: Case, data: PartyData) -> CaseParty:
    role = _choice(data.role, PartyRole, "role")
    if data.gender:
        _choice(data.gender, PartyGender, "gender")
    name = plain_text(data.name or "").strip()
    if data.person is not None:
        name = name or data.person.name
    elif data.organisation is not None:
        name = name or data.organisation.name
    if not name:
        raise InvalidInput(_("Give the party's name."), field="name")
    age = data.age
    if age is not None and not 0 <= int(age) <= 130:
        raise InvalidInput(_("Give the age in whole years."), field="age")
    party = CaseParty(
        case=case,
        role=role,
        person=data.person,
        organisation=data.organisation,
        name=name[:100],
        gender=data.gender,
        age=age,
        address=plain_text(data.address or "").strip()[:200],
    )
    phone = privacy.clean_phone(data.phone, "phone") if data.phone else ""
    if phone:
        PARTY_PHONE.write(party, phone)
    elif data.person is not None:
        # The resident's own number, copied sealed (never decrypted on the way).
        party.phone, party.phone_hash, party.phone_masked = (
            data.person.phone,
            data.person.phone_hash,
            data.person.phone_masked,
        )
    return party


def _check_mediators(case_unit_code: str, mediators: Iterable[Mediator | None]) -> None:
    for mediator in mediators:
        if mediator is None:
            continue
        if not mediator.active:
            raise InvalidInput(_("%(name)s no longer mediates.") % {"name": mediator}, field="lead")
        # The pool of the case's unit, of the units above it (a street's lawyers) or below it.
        if not (
            is_under(case_unit_code, mediator.unit_code)
            or is_under(mediator.unit_code, case_unit_code)
        ):
            raise InvalidInput(
                _("%(name)s is not in the pool of this case's unit.") % {"name": mediator},
                field="lead",
            )


def desk_unit_for(code: str) -> OrgUnit:
    """Where a dispute raised at `code` is mediated: its community's desk, or the street's when
    it lies in no community (a dedicated grid), or the unit itself."""
    desk = community_of(code) or street_of(code) or code
    unit = unit_by_code(desk)
    if unit is None:
        raise InvalidInput(_("This unit is not active."), field="unit")
    return unit


# ---- numbering -------------------------------------------------------------------------------


def take_number(unit: OrgUnit, year: int) -> int:
    """The next case number of `unit` in `year`, inside the caller's transaction."""
    CaseCounter.objects.get_or_create(unit=unit, year=year)
    counter = CaseCounter.objects.select_for_update().get(unit=unit, year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return counter.last


def document_number(case: Case) -> str:
    """The number printed on the case's documents: 〔2026〕河南纺机社区调字第3号."""
    return _("〔%(year)s〕%(unit)s mediation no. %(number)s") % {
        "year": case.year,
        "unit": case.unit.name,
        "number": case.sequence,
    }


# ---- intake ----------------------------------------------------------------------------------


def _may_take_in(actor: Any, unit: OrgUnit, intake: Intake) -> None:
    if holds(actor, unit.code, DESK_ROLES):
        return
    mediator = own_mediator(actor)
    # A mediator takes in a dispute they came across, in their own pool's units, and leads it.
    if (
        intake.channel == Channel.MEDIATOR
        and mediator is not None
        and mediator.active
        and is_under(unit.code, mediator.unit_code)
    ):
        return
    raise NotAllowed(_("Only the staff of this unit's mediation desk may take in a case."))


@transaction.atomic
def receive_case(
    *,
    actor: Any,
    unit: OrgUnit,
    data: CaseData,
    intake: Intake,
    parties: Sequence[PartyData] = (),
    now: dt.datetime | None = None,
) -> Case:
    """Take in a dispute (受理登记) from any door. A walk-in, a call, a referral or a mediator's
    own case names at least its applicant; a case from an event or a situation may add its
    parties later. A high-risk case is raised to the street at once."""
    now = now or _now()
    _choice(intake.channel, Channel, "channel")
    _may_take_in(actor, unit, intake)
    fields = clean_case(data)
    if intake.channel not in (Channel.EVENT, Channel.SITUATION) and not any(
        party.role == PartyRole.APPLICANT for party in parties
    ):
        raise InvalidInput(_("Name the applicant."), field="parties")
    if intake.channel == Channel.REFERRAL and not fields["referred_by"]:
        raise InvalidInput(_("Say who referred the case."), field="referred_by")
    lead = intake.lead
    if intake.channel == Channel.MEDIATOR and lead is None:
        lead = own_mediator(actor)
    _check_mediators(unit.code, [lead, *intake.helpers])
    year = timezone.localtime(now).year
    sequence = take_number(unit, year)
    case = Case(
        unit=unit,
        number=f"{unit.code}-{year}-{sequence:04d}",
        year=year,
        sequence=sequence,
        channel=intake.channel,
        event=intake.event,
        situation=intake.situation,
        lead=lead,
        received_by=actor if getattr(actor, "is_authenticated", False) else None,
        received_at=now,
        due_at=add_working_days(now, days("accept")),
        version=1,  # the version counts the steps, the receipt the first of them
        **fields,
    )
    case.save()
    if intake.helpers:
        case.helpers.set(intake.helpers)
    CaseParty.objects.bulk_create([_party(case, party) for party in parties])
    CASES.start(
        case,
        A.RECEIVE,
        actor=actor,
        now=now,
        details={"channel": intake.channel, "risk": case.risk},
    )
    rollups.add(case)
    if case.risk == Risk.HIGH:
        _raise_to_street(case)
    return case


def _check_dispute(event: Event) -> None:
    if not event.category.code.startswith(DISPUTE_PREFIX):
        raise InvalidInput(
            _("Only an event of a dispute category becomes a mediation case."), field="event"
        )
    allowed = {Status.REPORTED, *events.EVENTS.transitions[StepAction.MEDIATE].sources}
    if event.status not in allowed:
        raise Conflict(
            _("This event is %(status)s: it can no longer be taken on as a case.")
            % {"status": event.get_status_display()}
        )


@transaction.atomic
def open_from_event(
    *,
    actor: Any,
    event: Event,
    data: CaseData | None = None,
    parties: Sequence[PartyData] = (),
    lead: Mediator | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """One click on a dispute event: a case at its community's desk with the event's words,
    the event accepted if it was not and handed to mediation, both in one transaction."""
    now = now or _now()
    event = Event.objects.select_related("category", "unit").get(pk=event.pk)
    _check_dispute(event)
    if Case.objects.filter(event=event).exclude(status__in=ENDED).exists():
        raise Conflict(_("This event is already being mediated."), field="event")
    unit = desk_unit_for(event.unit_code)
    data = data or CaseData(
        title=event.title,
        kind=KIND_OF_CATEGORY.get(event.category.code, CaseKind.OTHER),
        facts=event.description or event.title,
    )
    case = receive_case(
        actor=actor,
        unit=unit,
        data=data,
        intake=Intake(Channel.EVENT, event=event, lead=lead),
        parties=parties,
        now=now,
    )
    if event.status == Status.REPORTED:
        events.accept_event(actor=actor, event=event, at=now)
    events.mediate_event(actor=actor, event=event, unit=unit, case=case.number, at=now)
    return case


@transaction.atomic
def open_from_situation(
    *,
    actor: Any,
    situation: Situation,
    data: CaseData | None = None,
    parties: Sequence[PartyData] = (),
    lead: Mediator | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """A dispute sign (矛盾苗头) or an opinion a worker picked up, taken on as a case."""
    unit = desk_unit_for(situation.unit_code)
    data = data or CaseData(
        title=situation.topic,
        kind=CaseKind.OTHER,
        facts=situation.description or situation.topic,
        people_affected=max(situation.people_concerned, 1),
    )
    return receive_case(
        actor=actor,
        unit=unit,
        data=data,
        intake=Intake(Channel.SITUATION, situation=situation, lead=lead),
        parties=parties,
        now=now,
    )


def guard_mediated_event(event: Event, step: EventStep) -> None:
    """events.step_hooks: a dispute event that an open case mediates is not settled, moved or
    rejected behind the case's back; it resolves when the case closes."""
    if step.action not in GUARDED_EVENT_STEPS:
        return
    if not event.category.code.startswith(DISPUTE_PREFIX):
        return
    case = Case.objects.filter(event_id=event.pk).exclude(status__in=ENDED).first()
    if case is not None:
        raise Conflict(
            _(
                "This dispute is being mediated as case %(number)s: it is settled when the "
                "case closes."
            )
            % {"number": case.number}
        )


# ---- parties ---------------------------------------------------------------------------------


def _may_work_on(actor: Any, case: Case) -> None:
    if not (is_desk(actor, case, {}) or is_case_mediator(actor, case, {})):
        raise NotAllowed(_("Only the case's mediators and its desk may do that."))


@transaction.atomic
def add_party(*, actor: Any, case: Case, data: PartyData) -> CaseParty:
    case = Case.objects.select_for_update().get(pk=case.pk)
    _may_work_on(actor, case)
    if case.status in ENDED:
        raise Conflict(_("This case has ended."))
    party = _party(case, data)
    party.save()
    return party


@transaction.atomic
def reveal_phone(*, actor: Any, party: CaseParty, reason: str, ip: str | None = None) -> str:
    """A party's phone in clear, for the case's mediators and its desk, the reveal logged."""
    case = party.case
    _may_work_on(actor, case)
    reason = plain_text(reason or "").strip()
    if len(reason) < 2:
        raise InvalidInput(_("Say why you need it (the reason is logged)."), field="reason")
    AccessLog.objects.create(
        actor=actor,
        action=AccessLog.Action.REVEAL,
        record=f"mediation.caseparty:{party.pk}",
        field=AccessLog.Field.PHONE,
        reason=reason[:200],
        unit_code=case.unit_code,
        ip=ip or None,
    )
    return privacy.reveal(party.phone) if party.phone else ""


# ---- mediators and the pool ------------------------------------------------------------------


@transaction.atomic
def save_mediator(
    *,
    actor: Any,
    unit: OrgUnit,
    name: str,
    kind: str,
    mediator: Mediator | None = None,
    user: Any = None,
    organisation: Organisation | None = None,
    party_member: Any = None,
    affiliation: str = "",
    specialties: str = "",
    active: bool = True,
) -> Mediator:
    """Add a mediator to a unit's pool, or change one."""
    _require(actor, unit.code)
    if mediator is not None:
        _require(actor, mediator.unit_code)
    row = mediator or Mediator(unit=unit)
    row.unit = unit
    row.name = _text(name, "name", _("Give the mediator's name."), limit=60)
    row.kind = _choice(kind, MediatorKind, "kind")
    row.user = user
    row.organisation = organisation
    row.party_member = party_member
    row.affiliation = plain_text(affiliation or "").strip()[:100]
    row.specialties = plain_text(specialties or "").strip()[:200]
    row.active = active
    if Mediator.objects.filter(unit=unit, name=row.name, kind=row.kind).exclude(pk=row.pk).exists():
        raise Conflict(_("This mediator is already in the pool."), field="name")
    if user is not None and Mediator.objects.filter(user=user).exclude(pk=row.pk).exists():
        raise Conflict(_("This login already belongs to another mediator."), field="user")
    if user is not None and user != (mediator.user if mediator else None):
        _check_login(actor, user)
    row.save()
    return row


def _check_login(actor: Any, user: Any) -> None:
    """A mediator's login is a login of no posting (a lawyer's, a retired party member's) or a
    member of staff under the actor's own units; never a superuser's, nor staff elsewhere, who
    would gain the cases they are given to mediate beyond their own units."""
    if sees_everything(user) or (
        postings_of_user(user)
        and not users_for(actor, get_user_model().objects.filter(pk=user.pk)).exists()
    ):
        raise NotAllowed(
            _("That login belongs to staff of other units: it cannot mediate here."),
            field="user",
        )


# ---- the chain -------------------------------------------------------------------------------


def _due(now: dt.datetime, stage: str) -> dt.datetime:
    return add_working_days(now, days(stage))


def accept_case(
    *,
    actor: Any,
    case: Case,
    lead: Mediator | None = None,
    helpers: Sequence[Mediator] = (),
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """受理: the desk takes the case on, with its lead mediator if named now."""
    note = _optional(note, "note")
    _check_mediators(case.unit_code, [lead, *helpers])

    def change(c: Case, at: dt.datetime) -> None:
        c.accepted_at = at
        c.due_at = _due(at, "mediate")
        if lead is not None:
            c.lead = lead

    result = CASES.run(
        case,
        A.ACCEPT,
        actor=actor,
        now=now,
        version=version,
        note=note,
        change=change,
        details={"lead": getattr(lead, "pk", None)},
    )
    if helpers:
        result.helpers.add(*helpers)
    _tell_mediators(result, _("A case for you to mediate: %(number)s"))
    return result


def decline_case(
    *,
    actor: Any,
    case: Case,
    reason: str,
    handed_to: str = "",
    body_name: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """不予受理 with the reason, or handed to the body that should take it (告知/移交)."""
    reason = _text(reason, "note", _("Say why the case is declined."))
    if handed_to:
        _choice(handed_to, Body, "handed_to")

    def change(c: Case, at: dt.datetime) -> None:
        c.closed_at = at
        c.due_at = None
        c.outcome = reason

    return CASES.run(
        case,
        A.DECLINE,
        actor=actor,
        now=now,
        version=version,
        note=reason,
        change=change,
        details={"handed_to": handed_to, "body": plain_text(body_name or "").strip()[:100]},
    )


def assign_mediators(
    *,
    actor: Any,
    case: Case,
    lead: Mediator,
    helpers: Sequence[Mediator] = (),
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Name the lead mediator and the helpers (the lead's figures follow the case)."""
    note = _optional(note, "note")
    if lead is None:
        raise InvalidInput(_("Choose the lead mediator."), field="lead")
    _check_mediators(case.unit_code, [lead, *helpers])

    def change(c: Case, at: dt.datetime) -> None:
        c.lead = lead
        c.helpers.set([helper for helper in helpers if helper.pk != lead.pk])

    result = CASES.run(
        case,
        A.ASSIGN,
        actor=actor,
        now=now,
        version=version,
        note=note,
        change=change,
        details={"lead": lead.pk, "helpers": [helper.pk for helper in helpers]},
    )
    _tell_mediators(result, _("A case for you to mediate: %(number)s"))
    return result


def _tell_mediators(case: Case, text: str) -> None:
    users = [case.lead.user_id] if case.lead is not None and case.lead.user_id else []
    users += list(case.helpers.exclude(user=None).values_list("user_id", flat=True))
    notify(users=users, text=text % {"number": case.number}, link=case.get_absolute_url())


@dataclass
class SessionData:
    held_at: dt.datetime
    notes: str
    venue: Venue | None = None
    place: str = ""
    mediators: Sequence[Mediator] = ()
    parties: Sequence[CaseParty] = ()
    others: str = ""


def record_session(
    *,
    actor: Any,
    case: Case,
    data: SessionData,
    photos: Iterable = (),
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Session:
    """调解: one session, with who attended and the record of what was said; the first one
    starts the mediation. A session is recorded when it has been held, never ahead."""
    now = now or _now()
    notes = _text(
        data.notes,
        "notes",
        _("Write down what was said and agreed at the session."),
        limit=RECORD_LIMIT,
    )
    held_at = _aware(data.held_at, "held_at")
    if held_at > now + dt.timedelta(minutes=5):
        raise InvalidInput(_("Record a session once it has been held."), field="held_at")
    if held_at < now - dt.timedelta(days=366):
        raise InvalidInput(_("That is more than a year ago."), field="held_at")
    if data.venue is None and not plain_text(data.place or "").strip():
        raise InvalidInput(_("Say where the session was held."), field="place")
    if data.venue is not None and not is_under(case.unit_code, data.venue.unit_code):
        raise InvalidInput(_("That room belongs to another unit."), field="venue")
    cleaned = read_photos(photos)
    for party in data.parties:
        if party.case_id != case.pk:
            raise InvalidInput(_("That person is not a party to this case."), field="parties")
    _check_mediators(case.unit_code, data.mediators)
    made: list[Session] = []
    details: dict[str, Any] = {"session": None}

    def change(c: Case, at: dt.datetime) -> None:
        c.started_at = c.started_at or held_at
        session = Session.objects.create(
            case=c,
            held_at=held_at,
            venue=data.venue,
            place=plain_text(data.place or "").strip()[:200],
            others=plain_text(data.others or "").strip()[:200],
            notes=notes,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        session.mediators.set(data.mediators or ([c.lead] if c.lead is not None else []))
        session.parties.set(data.parties)
        for photo in cleaned:
            SessionPhoto.objects.create(
                session=session, image=photo.content, width=photo.width, height=photo.height
            )
        rollups.add(session)
        details["session"] = session.pk  # the log row is written after the change
        made.append(session)

    CASES.run(
        case, A.SESSION, actor=actor, now=now, version=version, change=change, details=details
    )
    return made[0]


def reach_agreement(
    *,
    actor: Any,
    case: Case,
    terms: str,
    form: str = AgreementForm.WRITTEN,
    performance: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """达成协议: the terms, written (人民调解协议书) or oral, and how and when they are
    carried out. Follow-up is due after that."""
    terms = _text(terms, "agreement", _("Write down the terms the parties agreed."))
    _choice(form, AgreementForm, "agreement_form")

    def change(c: Case, at: dt.datetime) -> None:
        roles = set(c.parties.values_list("role", flat=True))
        if not {PartyRole.APPLICANT, PartyRole.RESPONDENT} <= roles:
            raise InvalidInput(
                _("Record the parties (the applicant and the respondent) before the agreement."),
                field="parties",
            )
        c.agreed, c.ended_at = True, at
        c.agreement, c.agreement_form = terms, form
        c.performance = _optional(performance, "performance", limit=300)
        c.due_at = _due(at, "follow_up")

    return CASES.run(
        case, A.AGREE, actor=actor, now=now, version=version, note=terms, change=change
    )


def record_no_agreement(
    *,
    actor: Any,
    case: Case,
    reason: str,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """调解不成: the desk then refers the case or closes it, telling the parties their other
    ways (litigation, arbitration)."""
    reason = _text(reason, "note", _("Say why no agreement was reached."))

    def change(c: Case, at: dt.datetime) -> None:
        c.agreed, c.ended_at = False, at
        c.due_at = _due(at, "close")

    return CASES.run(
        case, A.FAIL, actor=actor, now=now, version=version, note=reason, change=change
    )


def refer_case(
    *,
    actor: Any,
    case: Case,
    body: str,
    body_name: str,
    note: str = "",
    due: dt.datetime | None = None,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """移交: to the judicial office, the police, the court (诉调对接), arbitration or the
    letters-and-visits office, which is to accept it by the deadline."""
    _choice(body, Body, "body")
    body_name = _text(body_name, "body_name", _("Name the receiving body."), limit=100)
    current = now or _now()
    note = _optional(note, "note")
    if due is not None:
        due = _aware(due, "due")
        if not current < due <= current + dt.timedelta(days=366):
            raise InvalidInput(_("The deadline must lie ahead, within a year."), field="due")

    def change(c: Case, at: dt.datetime) -> None:
        c.referred_to, c.referred_body, c.referred_at = body, body_name, at
        c.referral_accepted_at = None
        c.due_at = due or _due(at, "referral")

    return CASES.run(
        case,
        A.REFER,
        actor=actor,
        now=current,
        version=version,
        note=note,
        change=change,
        details={"body": body, "name": body_name},
    )


def record_referral_accepted(
    *,
    actor: Any,
    case: Case,
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The receiving body confirmed it took the case on (its reply, a receipt)."""
    note = _optional(note, "note")

    def change(c: Case, at: dt.datetime) -> None:
        if c.referral_accepted_at is not None:
            raise Conflict(_("The referral was accepted already."))
        c.referral_accepted_at = at
        c.due_at = None

    return CASES.run(
        case, A.REFERRAL_ACCEPTED, actor=actor, now=now, version=version, note=note, change=change
    )


def follow_up(
    *,
    actor: Any,
    case: Case,
    kept: bool,
    note: str,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """回访: was the agreement kept? Asked by the desk, never by one of the case's mediators."""
    note = _text(note, "note", _("Say whom you asked and what they said."))

    def change(c: Case, at: dt.datetime) -> None:
        c.followed_up_at, c.kept = at, bool(kept)
        c.due_at = _due(at, "close")

    return CASES.run(
        case,
        A.FOLLOW_UP,
        actor=actor,
        now=now,
        version=version,
        note=note,
        change=change,
        details={"kept": bool(kept)},
    )


def resume_mediation(
    *,
    actor: Any,
    case: Case,
    note: str,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Mediate again: after no agreement, or when an agreement was not kept."""
    note = _text(note, "note", _("Say why the case is mediated again."))

    def change(c: Case, at: dt.datetime) -> None:
        c.agreed, c.ended_at = None, None
        c.due_at = _due(at, "mediate")

    return CASES.run(
        case, A.RESUME, actor=actor, now=now, version=version, note=note, change=change
    )


def close_case(
    *,
    actor: Any,
    case: Case,
    outcome: str,
    resolved: bool | None = None,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """结案 with its outcome. It is settled (化解) when the agreement was kept at follow-up; after
    no agreement or a referral the desk says whether it was settled all the same (the body's
    decision). A referred case closes once the body accepted it. Its dispute event, if any,
    resolves with the outcome in the same transaction, for the community to verify."""
    outcome = _text(outcome, "outcome", _("Say how the case ended."))
    now = now or _now()

    def change(c: Case, at: dt.datetime) -> None:
        if c.status == S.REFERRED and c.referral_accepted_at is None:
            raise Conflict(_("Record the receiving body's acceptance before closing the case."))
        if c.status == S.FOLLOWED_UP and resolved is None:
            c.resolved = bool(c.kept)
        elif resolved is None:
            raise InvalidInput(_("Say whether the dispute was settled."), field="resolved")
        else:
            c.resolved = bool(resolved)
        c.closed_at, c.outcome, c.due_at = at, outcome, None

    with transaction.atomic():
        result = CASES.run(
            case,
            A.CLOSE,
            actor=actor,
            now=now,
            version=version,
            note=outcome,
            change=change,
            details={"resolved": None if resolved is None else bool(resolved)},
        )
        if result.event_id is not None:
            event = Event.objects.get(pk=result.event_id)
            if event.status == Status.HANDLING:
                events.resolve_event(
                    actor=actor,
                    event=event,
                    # The outcome stays with the case: the event's log is read by its
                    # reporter and on the public tracking page.
                    note=(
                        _("Mediation case %(number)s closed: the dispute is settled.")
                        if result.resolved
                        else _("Mediation case %(number)s closed: the dispute is not settled.")
                    )
                    % {"number": result.number},
                    at=now,
                )
    return result


def change_risk(
    *,
    actor: Any,
    case: Case,
    risk: str,
    signs: Sequence[str] = (),
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Change the risk level; a case that becomes high-risk is raised to the street."""
    note = _optional(note, "note")
    was_high = case.risk == Risk.HIGH

    def change(c: Case, at: dt.datetime) -> None:
        c.risk, c.risk_signs = assess_risk(risk, signs, c.amount, c.people_affected)

    result = CASES.run(
        case,
        A.RAISE_RISK,
        actor=actor,
        now=now,
        version=version,
        note=note,
        change=change,
        details={"risk": risk, "signs": list(signs)},
    )
    if result.risk == Risk.HIGH and not was_high:
        _raise_to_street(result)
    return result


def _raise_to_street(case: Case) -> None:
    """Tell the desk of the street (or the unit above the case's) about a high-risk case."""
    street = street_of(case.unit_code)
    codes = [street] if street and street != case.unit_code else []
    codes.append(case.unit_code)
    notify(
        users=events.staff_at(codes, DESK_ROLES),
        text=_("High-risk dispute: %(number)s %(title)s")
        % {"number": case.number, "title": case.title},
        link=case.get_absolute_url(),
    )


# ---- deadlines ---------------------------------------------------------------------------------


def escalate_case(*, case: Case, now: dt.datetime | None = None) -> Case | None:
    """Raise a case past its deadline to the street's desk, once per deadline."""
    now = now or _now()
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        deadline = current.due_at
        if (
            current.status not in TRANSITIONS[A.ESCALATE].sources
            or deadline is None
            or deadline > now
            or (current.escalated_for is not None and current.escalated_for >= deadline)
        ):
            return None

        def change(c: Case, at: dt.datetime) -> None:
            c.escalated_for, c.overdue = deadline, True

        result = CASES.run(
            current,
            A.ESCALATE,
            actor=None,
            now=now,
            change=change,
            details={"deadline": deadline.isoformat(), "status": current.status},
        )
        street = street_of(result.unit_code)
        notify(
            users=events.staff_at([street or result.unit_code], DESK_ROLES),
            text=_("Mediation case past its deadline: %(number)s") % {"number": result.number},
            link=result.get_absolute_url(),
        )
        return result


def escalate_overdue(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Escalate every case past a deadline it has not been raised for. Returns how many."""
    now = now or _now()
    candidates = (
        Case.objects.filter(status__in=TRANSITIONS[A.ESCALATE].sources, due_at__lte=now)
        .filter(Q(escalated_for=None) | Q(escalated_for__lt=F("due_at")))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(escalate_case(case=Case(pk=pk), now=now) is not None for pk in list(candidates))


# ---- documents and consultations ---------------------------------------------------------------


@transaction.atomic
def upload_scan(*, actor: Any, case: Case, kind: str, upload: Any) -> SignedScan:
    """A scan of a printed document with the parties' signatures."""
    _may_work_on(actor, case)
    _choice(kind, DocumentKind, "kind")
    if not upload:
        raise InvalidInput(_("Choose the scanned document to upload."), field="scan")
    photo = read_photo(upload, field="scan")
    return SignedScan.objects.create(
        case=case,
        kind=kind,
        image=photo.content,
        width=photo.width,
        height=photo.height,
        uploaded_by=actor,
    )


@transaction.atomic
def record_consultation(
    *,
    actor: Any,
    unit: OrgUnit,
    held_on: dt.date,
    residents_served: int,
    topics: str,
    lawyer: Mediator | None = None,
    lawyer_name: str = "",
    place: str = "",
    disputes_found: int = 0,
) -> Consultation:
    """One legal consultation session (法律咨询) with the residents it served."""
    _require(actor, unit.code)
    today = timezone.localdate()
    if held_on > today:
        raise InvalidInput(_("Record a consultation once it has been held."), field="held_on")
    if held_on < today - dt.timedelta(days=2 * 366):
        raise InvalidInput(_("That is more than two years ago."), field="held_on")
    if lawyer is not None:
        _check_mediators(unit.code, [lawyer])
        lawyer_name = lawyer_name or lawyer.name
    lawyer_name = _text(lawyer_name, "lawyer_name", _("Name the lawyer."), limit=60)
    try:
        served, found = int(residents_served), int(disputes_found or 0)
    except (TypeError, ValueError):
        raise InvalidInput(_("Give whole numbers."), field="residents_served") from None
    if not 0 <= served <= 10_000:
        raise InvalidInput(_("Give the number of residents served."), field="residents_served")
    if not 0 <= found <= served:
        raise InvalidInput(_("No more disputes than residents served."), field="disputes_found")
    consultation = Consultation.objects.create(
        unit=unit,
        held_on=held_on,
        lawyer=lawyer,
        lawyer_name=lawyer_name,
        place=plain_text(place or "").strip()[:200],
        residents_served=served,
        topics=_text(topics, "topics", _("Say what residents asked about.")),
        disputes_found=found,
        recorded_by=actor,
    )
    rollups.add(consultation)
    return consultation
