"""The event's state machine: who may take which step from which status.

Run by `core.workflow` (lock, version, table, role, log, rollups in one transaction); the step
services in `services.py` say what each step changes. Anything not in this table is refused.
"""

from collections.abc import Mapping
from typing import Any

from civicgrid.core.workflow import Machine, register, step, system
from civicgrid.events import rollups
from civicgrid.events.models import Event, EventStep, Status, StepAction, WhistleTarget
from civicgrid.events.roles import (
    DISPATCH_ROLES,
    GRID_ROLES,
    SUPERVISE_ROLES,
    WHISTLE_ROLES,
    WRITING_ROLES,
)
from civicgrid.org.scoping import holds, roles_over, sees_everything

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


def is_verifier(actor: Any, event: Event, extra: Extra) -> bool:
    return holds(actor, event.unit_code, GRID_ROLES | DISPATCH_ROLES)


def is_rater(actor: Any, event: Event, extra: Extra) -> bool:
    # The reporter, staff recording a phone follow-up, or a resident holding the tracking link
    # in the browser it was given to (the link alone, found anywhere else, is not enough).
    if actor is None:
        token = extra.get("token")
        return bool(token) and token == event.token and extra.get("reporting_browser") is True
    return (event.reporter_id == actor.pk) or is_dispatcher(actor, event, extra)


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
}


def _rollups(event: Event):
    return rollups.Snapshot.of(event).commit


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
        creations=(A.REPORT,),
    )
)
