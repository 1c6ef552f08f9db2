"""The classes' state machines: who may take which step of a session, an enrolment or a topic
request, from which status.

Run by `core.workflow` (lock, table, role, log, counters in one transaction); the services in
`services.py` say what each step changes and check the session's clock. Anything not in these
tables is refused. Enrolment steps are taken under their session's row lock (the services take
it first), so a session's counts and capacity hold whatever arrives at once.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.classes import rollups
from civicgrid.classes.models import (
    Enrolment,
    EnrolmentStatus,
    EnrolmentStep,
    Session,
    SessionAction,
    SessionStatus,
    SessionStep,
    TopicAction,
    TopicRequest,
    TopicStatus,
    TopicStep,
)
from civicgrid.core.workflow import Machine, register, step, system
from civicgrid.org.scoping import holds
from civicgrid.party.roles import PARTY_ROLES

Extra = Mapping[str, Any]


def is_keeper(actor: Any, row: Session | Enrolment | TopicRequest, extra: Extra) -> bool:
    """Staff who run classes at the row's unit (an enrolment hangs on its session's unit)."""
    return holds(actor, row.unit_code, PARTY_ROLES)


def is_keeper_or_system(actor: Any, row: Session, extra: Extra) -> bool:
    return actor is None or is_keeper(actor, row, extra)


def holds_link(actor: Any, enrolment: Enrolment, extra: Extra) -> bool:
    """The resident holding the enrolment's own link."""
    token = extra.get("token")
    return bool(token) and token == enrolment.token


def at_the_venue(actor: Any, enrolment: Enrolment, extra: Extra) -> bool:
    """The resident holding the enrolment's link or the venue's QR code."""
    token = extra.get("token")
    return bool(token) and token in (enrolment.token, enrolment.session.checkin_token)


def is_keeper_or_holds_link(actor: Any, enrolment: Enrolment, extra: Extra) -> bool:
    return is_keeper(actor, enrolment, extra) or holds_link(actor, enrolment, extra)


def is_keeper_or_at_the_venue(actor: Any, enrolment: Enrolment, extra: Extra) -> bool:
    return is_keeper(actor, enrolment, extra) or at_the_venue(actor, enrolment, extra)


# ---- sessions ----------------------------------------------------------------------------------

S = SessionStatus
SA = SessionAction

SESSION_TRANSITIONS = {
    # Editing a session that has not started (the service checks the clock).
    SA.CHANGE: step([S.SCHEDULED], None, is_keeper),
    SA.CANCEL: step([S.SCHEDULED], S.CANCELLED, is_keeper),
    # Staff once it has started, the system once it has ended.
    SA.CLOSE: step([S.SCHEDULED], S.HELD, is_keeper_or_system),
}


def explain_session(session: Session, action: str) -> str | None:
    if action == SA.CLOSE:
        return _("This session is already %(status)s.") % {"status": session.get_status_display()}
    if action == SA.CANCEL:
        return _("Only a scheduled session can be cancelled.")
    return _("Only a session that has not started can be changed.")


SESSIONS: Machine[Session] = register(
    Machine(
        model=Session,
        log=SessionStep,
        subject="session",
        transitions=SESSION_TRANSITIONS,
        statuses=SessionStatus,
        actions=SessionAction,
        counters=rollups.session_counters,
        explain=explain_session,
        creations=(SA.SCHEDULE,),
    )
)


# ---- enrolments --------------------------------------------------------------------------------

E = EnrolmentStatus
EA = EnrolmentStep.Action

ENROLMENT_TRANSITIONS = {
    # A freed place or a larger session moves the waitlist up, first come first served.
    EA.PROMOTE: step([E.WAITLISTED], E.ENROLLED, system),
    EA.CANCEL: step([E.ENROLLED, E.WAITLISTED], E.CANCELLED, is_keeper_or_holds_link),
    EA.VERIFY: step([E.ENROLLED, E.WAITLISTED], None, is_keeper),
    # A resident's check-in without the venue's code, pending until staff confirm it.
    EA.CLAIM: step([E.ENROLLED], None, at_the_venue),
    EA.CHECK_IN: step([E.ENROLLED], None, is_keeper_or_at_the_venue),
    EA.RATE: step([E.ENROLLED], None, holds_link),
}


def explain_enrolment(enrolment: Enrolment, action: str) -> str | None:
    if enrolment.status == E.CANCELLED and action == EA.CANCEL:
        return _("This enrolment is already cancelled.")
    if action in (EA.CHECK_IN, EA.CLAIM):
        return _("Only someone with a place can check in; this enrolment is %(s)s.") % {
            "s": enrolment.get_status_display()
        }
    return None


ENROLMENTS: Machine[Enrolment] = register(
    Machine(
        model=Enrolment,
        log=EnrolmentStep,
        subject="enrolment",
        transitions=ENROLMENT_TRANSITIONS,
        statuses=EnrolmentStatus,
        actions=EnrolmentStep.Action,
        counters=rollups.enrolment_counters,
        explain=explain_enrolment,
        creations=(EA.ENROL, EA.WAITLIST),
    )
)


# ---- topic requests ----------------------------------------------------------------------------

T = TopicStatus
TA = TopicAction

TOPIC_TRANSITIONS = {
    # Staff may answer again (a date for a planned topic, a plan after all).
    TA.PLAN: step([T.OPEN, T.PLANNED, T.DECLINED], T.PLANNED, is_keeper),
    TA.DECLINE: step([T.OPEN, T.PLANNED, T.DECLINED], T.DECLINED, is_keeper),
    TA.REOPEN: step([T.PLANNED, T.DECLINED], T.OPEN, is_keeper),
}

TOPICS: Machine[TopicRequest] = register(
    Machine(
        model=TopicRequest,
        log=TopicStep,
        subject="request",
        transitions=TOPIC_TRANSITIONS,
        statuses=TopicStatus,
        actions=TopicAction,
        creations=(TA.PROPOSE,),
    )
)
