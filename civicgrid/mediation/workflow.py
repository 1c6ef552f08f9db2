"""The mediation case's state machine: who may take which step from which status.

Run by `core.workflow` (lock, version, table, role, log, rollups in one transaction); the
services in `services.py` say what each step changes. Anything not in this table is refused.

The desk (the staff of the case's unit and the units above it) takes in, accepts, declines,
refers, follows up and closes; the case's own mediators record sessions and the result. Nobody
grades their own work: the follow-up that asks whether the agreement was kept is never taken by
one of the case's mediators.
"""

from collections.abc import Mapping
from typing import Any

from civicgrid.core.workflow import Machine, register, step, system
from civicgrid.mediation import rollups
from civicgrid.mediation.models import ENDED, Case, CaseAction, CaseStatus, CaseStep
from civicgrid.mediation.roles import DESK_ROLES
from civicgrid.mediation.selectors import own_mediator
from civicgrid.org.scoping import holds

S = CaseStatus
A = CaseAction
Extra = Mapping[str, Any]


def is_desk(actor: Any, case: Case, extra: Extra) -> bool:
    """Staff of the case's unit or above it who keep its mediation desk."""
    return holds(actor, case.unit_code, DESK_ROLES)


def mediator_ids(case: Case) -> set[int]:
    """The case's lead and helping mediators."""
    ids = set(case.helpers.values_list("pk", flat=True))
    if case.lead_id:
        ids.add(case.lead_id)
    return ids


def mediated_by(actor: Any, case: Case) -> bool:
    """Whether the actor's mediator record, active or not, is one of the case's mediators."""
    mediator = getattr(actor, "mediator", None) if actor is not None else None
    return mediator is not None and mediator.pk in mediator_ids(case)


def is_case_mediator(actor: Any, case: Case, extra: Extra) -> bool:
    """One of the case's mediators, still in the pool: they record its sessions and result."""
    return own_mediator(actor) is not None and mediated_by(actor, case)


def is_desk_or_mediator(actor: Any, case: Case, extra: Extra) -> bool:
    return is_desk(actor, case, extra) or is_case_mediator(actor, case, extra)


# The steps that say "I mediated this": whoever took one on a case does not ask whether its
# agreement was kept.
WORK_STEPS = (CaseAction.SESSION, CaseAction.AGREE)


def workers(case: Case) -> set[int]:
    """Ids of the people who recorded a session or the agreement of `case` (from its log)."""
    return set(
        CaseStep.objects.filter(case_id=case.pk, action__in=WORK_STEPS)
        .exclude(actor=None)
        .values_list("actor_id", flat=True)
    )


def is_follow_up_taker(actor: Any, case: Case, extra: Extra) -> bool:
    # Whether the agreement was kept is the mediators' figure: the desk asks, never one of the
    # case's mediators nor a desk member who recorded its sessions or its agreement.
    return (
        is_desk(actor, case, extra)
        and not mediated_by(actor, case)
        and actor.pk not in workers(case)
    )


# Every status but the ends.
ACTIVE = tuple(status for status in S if status not in ENDED)

TRANSITIONS = {
    A.ACCEPT: step([S.RECEIVED], S.ACCEPTED, is_desk),
    A.DECLINE: step([S.RECEIVED, S.ACCEPTED], S.DECLINED, is_desk),
    A.ASSIGN: step([S.RECEIVED, S.ACCEPTED, S.MEDIATING, S.NOT_AGREED], None, is_desk),
    A.SESSION: step([S.ACCEPTED, S.MEDIATING], S.MEDIATING, is_desk_or_mediator),
    A.AGREE: step([S.MEDIATING], S.AGREED, is_desk_or_mediator),
    A.FAIL: step([S.MEDIATING], S.NOT_AGREED, is_desk_or_mediator),
    A.REFER: step([S.ACCEPTED, S.MEDIATING, S.NOT_AGREED, S.FOLLOWED_UP], S.REFERRED, is_desk),
    A.REFERRAL_ACCEPTED: step([S.REFERRED], None, is_desk),
    A.FOLLOW_UP: step([S.AGREED], S.FOLLOWED_UP, is_follow_up_taker),
    A.RESUME: step([S.NOT_AGREED, S.FOLLOWED_UP], S.MEDIATING, is_desk_or_mediator),
    A.CLOSE: step([S.FOLLOWED_UP, S.NOT_AGREED, S.REFERRED], S.CLOSED, is_desk),
    A.RAISE_RISK: step(ACTIVE, None, is_desk_or_mediator),
    A.ESCALATE: step(ACTIVE, None, system),
}

CASES: Machine[Case] = register(
    Machine(
        model=Case,
        log=CaseStep,
        subject="case",
        transitions=TRANSITIONS,
        statuses=CaseStatus,
        actions=CaseAction,
        version_field="version",
        related=("unit", "lead"),
        counters=rollups.counters,
        creations=(A.RECEIVE,),
    )
)
