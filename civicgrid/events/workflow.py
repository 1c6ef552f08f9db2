"""The event's state machine: who may take which step from which status.

Run by `core.workflow` (lock, version, table, role, log, rollups in one transaction); the step
services in `services.py` say what each step changes. Anything not in this table is refused.
"""

from collections.abc import Mapping
from typing import Any

from civicgrid.core.workflow import Machine, register, step, system
from civicgrid.events import rollups, worker_rollups
from civicgrid.events.models import (
    FOLLOW_UP_CALL,
    Event,
    EventStep,
    Status,
    StepAction,
    WhistleTarget,
)
from civicgrid.events.roles import (
    DISPATCH_ROLES,
    GRID_ROLES,
    SUPERVISE_ROLES,
    VERIFY_ROLES,
    WHISTLE_ROLES,
    WRITING_ROLES,
)
from civicgrid.org.kinds import Kind
from civicgrid.org.scoping import holds, postings_of_user, roles_over, sees_everything

S = Status
A = StepAction
Extra = Mapping[str, Any]


def superuser(actor: Any) -> bool:
    return actor is not None and sees_everything(actor)


def is_dispatcher(actor: Any, event: Event, extra: Extra) -> bool:
    return holds(actor, event.unit_code, DISPATCH_ROLES)


def is_whistler(actor: Any, event: Event, extra: Extra) -> bool:
    return holds(actor, event.unit_code, WHISTLE_ROLES)


def is_supervisor(actor: Any, event: Event, extra: Extra) -> bool:
    return holds(actor, event.unit_code, SUPERVISE_ROLES)


def whistled_departments(event: Event) -> list[str]:
    return list(
        WhistleTarget.objects.filter(whistle__event=event).values_list(
            "department__code", flat=True
        )
    )


def is_whistled_department(actor: Any, event: Event, extra: Extra) -> bool:
    if superuser(actor):
        return True
    return any(roles_over(actor, code) & WRITING_ROLES for code in whistled_departments(event))


def is_handler(actor: Any, event: Event, extra: Extra) -> bool:
    if actor is None:
        return False
    if superuser(actor) or (event.handler_user_id and event.handler_user_id == actor.pk):
        return True
    unit = event.handler_unit if event.handler_user_id is None else None
    if unit is not None and roles_over(actor, unit.code) & WRITING_ROLES:
        return True
    return is_whistled_department(actor, event, extra)


# The steps that say "I did the work": whoever took one of them on an event neither verifies
# nor grades it (separation of duties).
WORK_STEPS = (StepAction.RESOLVE, StepAction.REPORT_HANDLED)


def resolvers(event: Event) -> set[int]:
    """Ids of the people who resolved `event` (from its log), any time."""
    return set(
        EventStep.objects.filter(event_id=event.pk, action__in=WORK_STEPS)
        .exclude(actor=None)
        .values_list("actor_id", flat=True)
    )


def handled_by_department(event: Event) -> bool:
    """Whether a department (not the community's own people) handled the event."""
    if event.whistled_at is not None:
        return True
    unit = event.handler_unit if event.handler_unit_id else None
    return unit is not None and unit.kind == Kind.DEPARTMENT


def is_verifier(actor: Any, event: Event, extra: Extra) -> bool:
    # 核查 belongs to the community (not the district, which sees every community at once), or,
    # when a department did the work, also to the grid worker who reported the problem. Never
    # to whoever resolved it.
    if actor is None or actor.pk in resolvers(event):
        return False
    if holds(actor, event.unit_code, VERIFY_ROLES):
        return True
    return (
        event.reporter_id == actor.pk
        and handled_by_department(event)
        and holds(actor, event.unit_code, GRID_ROLES)
    )


def is_resident(actor: Any) -> bool:
    """An account with no posting at all: a resident's own login, not staff."""
    return not superuser(actor) and not postings_of_user(actor)


def is_rater(actor: Any, event: Event, extra: Extra) -> bool:
    # Ratings come from the reporter through the resident's channel, or from a follow-up call
    # (回访) that staff record as such; staff never grade as if they were the resident.
    if actor is None:
        # The tracking link, in the browser the report was made from (the link alone, found
        # anywhere else, is not enough).
        token = extra.get("token")
        return bool(token) and token == event.token and extra.get("reporting_browser") is True
    if is_resident(actor):
        return event.reporter_id == actor.pk
    # Staff: only as a follow-up call, by the community's dispatchers, and not about their own
    # work or their own report (a grid worker's report is not a resident's voice).
    if extra.get("channel", FOLLOW_UP_CALL) != FOLLOW_UP_CALL:
        return False
    if event.reporter_id == actor.pk or actor.pk in resolvers(event):
        return False
    return is_dispatcher(actor, event, extra)


def is_dispatcher_or_system(actor: Any, event: Event, extra: Extra) -> bool:
    return actor is None or is_dispatcher(actor, event, extra)


ACTIVE = (S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.RESOLVED, S.VERIFIED)
# A suspended event resumes where it stood.
SUSPENDABLE = (S.ACCEPTED, S.DISPATCHED, S.HANDLING)

TRANSITIONS = {
    A.ACCEPT: step([S.REPORTED], S.ACCEPTED, is_dispatcher),
    A.REJECT: step([S.REPORTED, S.ACCEPTED], S.REJECTED, is_dispatcher),
    A.TRANSFER: step([S.REPORTED, S.ACCEPTED], S.REPORTED, is_dispatcher),
    A.DISPATCH: step([S.ACCEPTED, S.DISPATCHED], S.DISPATCHED, is_dispatcher),
    A.WHISTLE: step([S.ACCEPTED, S.DISPATCHED, S.HANDLING], S.DISPATCHED, is_whistler),
    A.REPORT_IN: step([S.DISPATCHED, S.HANDLING], S.HANDLING, is_whistled_department),
    A.SIGN: step([S.DISPATCHED], S.HANDLING, is_handler),
    A.RETURN: step([S.DISPATCHED, S.HANDLING], S.ACCEPTED, is_handler),
    A.RESOLVE: step([S.HANDLING], S.RESOLVED, is_handler),
    A.VERIFY: step([S.RESOLVED], S.VERIFIED, is_verifier),
    A.FAIL_VERIFICATION: step([S.RESOLVED], S.HANDLING, is_verifier),
    A.CLOSE: step([S.VERIFIED], S.CLOSED, is_dispatcher),
    A.RATE: step([S.CLOSED], S.RATED, is_rater),
    A.REOPEN: step([S.CLOSED, S.RATED], S.HANDLING, is_dispatcher_or_system),
    A.SUSPEND: step(SUSPENDABLE, S.SUSPENDED, is_dispatcher),
    A.RESUME: step([S.SUSPENDED], None, is_dispatcher, restores=SUSPENDABLE),
    A.SUPERVISE: step([*ACTIVE, S.SUSPENDED], None, is_supervisor),
    A.ESCALATE: step(ACTIVE, None, system),
    A.ASK_RATING: step([S.CLOSED], None, system),
    A.MEDIATE: step([S.ACCEPTED, S.DISPATCHED, S.HANDLING], S.HANDLING, is_dispatcher),
    # 改类: the category is corrected; the status and the deadlines stay.
    A.RECATEGORIZE: step([S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING], None, is_dispatcher),
    # 智能分拨: a report sent straight to the suggested department (services.route_automatically).
    A.ROUTE: step([S.REPORTED], S.DISPATCHED, system),
}


def _rollups(event: Event):
    units = rollups.Snapshot.of(event)
    workers = worker_rollups.Snapshot.of(event)

    def commit(changed: Event) -> None:
        units.commit(changed)
        workers.commit(changed)

    return commit


EVENTS: Machine[Event] = register(
    Machine(
        model=Event,
        log=EventStep,
        subject="event",
        transitions=TRANSITIONS,
        statuses=Status,
        actions=StepAction,
        version_field="version",
        related=("unit", "category", "handler_unit"),
        counters=_rollups,
        creations=(A.REPORT, A.REPORT_HANDLED),
    )
)
