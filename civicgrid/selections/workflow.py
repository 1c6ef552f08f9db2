"""The selection's and the nomination's state machines: who may take which step from which
status. Run by `core.workflow` (lock, version, table, role, log in one transaction); the
services in `services.py` say what each step changes and check the periods.

Only the staff of the selection's unit or of a unit above it take the steps. A selection moves
draft → nominating → reviewing → voting → counting → closed (results published); it may be
cancelled before its results are published. Flagged votes are voided (a step that keeps the
status) while voting or counting. A nomination is submitted (by staff or a resident), then
approved or rejected with a reason while the selection takes nominations or reviews them.
"""

from collections.abc import Mapping
from typing import Any

from civicgrid.core.workflow import Machine, register, step
from civicgrid.org.scoping import holds
from civicgrid.selections.models import (
    Nomination,
    NominationAction,
    NominationStatus,
    NominationStep,
    Selection,
    SelectionAction,
    SelectionStatus,
    SelectionStep,
)
from civicgrid.selections.roles import STAFF_ROLES

S = SelectionStatus
A = SelectionAction
N = NominationStatus
NA = NominationAction
Extra = Mapping[str, Any]


def is_staff(actor: Any, row: Selection | Nomination, extra: Extra) -> bool:
    """Staff of the row's unit or of a unit above it."""
    return holds(actor, row.unit_code, STAFF_ROLES)


SELECTION_TRANSITIONS = {
    A.OPEN_NOMINATIONS: step([S.DRAFT], S.NOMINATING, is_staff),
    A.CLOSE_NOMINATIONS: step([S.NOMINATING], S.REVIEWING, is_staff),
    A.OPEN_VOTING: step([S.REVIEWING], S.VOTING, is_staff),
    A.CLOSE_VOTING: step([S.VOTING], S.COUNTING, is_staff),
    A.PUBLISH: step([S.COUNTING], S.CLOSED, is_staff),
    A.CANCEL: step(
        [S.DRAFT, S.NOMINATING, S.REVIEWING, S.VOTING, S.COUNTING], S.CANCELLED, is_staff
    ),
    A.VOID_VOTES: step([S.VOTING, S.COUNTING], None, is_staff),
}

SELECTIONS: Machine[Selection] = register(
    Machine(
        model=Selection,
        log=SelectionStep,
        subject="selection",
        transitions=SELECTION_TRANSITIONS,
        statuses=SelectionStatus,
        actions=SelectionAction,
        version_field="version",
        related=("unit",),
        creations=(A.CREATE,),
    )
)

# While the selection takes nominations or reviews them (services check it).
REVIEWABLE = (S.NOMINATING, S.REVIEWING)

NOMINATION_TRANSITIONS = {
    NA.APPROVE: step([N.SUBMITTED], N.APPROVED, is_staff),
    NA.REJECT: step([N.SUBMITTED], N.REJECTED, is_staff),
}

NOMINATIONS: Machine[Nomination] = register(
    Machine(
        model=Nomination,
        log=NominationStep,
        subject="nomination",
        transitions=NOMINATION_TRANSITIONS,
        statuses=NominationStatus,
        actions=NominationAction,
        version_field="version",
        related=("selection", "category"),
        creations=(NA.SUBMIT,),
    )
)
