"""The state machine of a person's record: on record, then moved out (迁出) or deregistered
(注销) by a ledger keeper of her unit. The end of a record is final: someone who moves back is
recorded again, as a new record.

Run by `core.workflow` (lock, table, role, log in one transaction); `services.record_departure`
says what the step changes. Anything not in this table is refused.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.core.workflow import Machine, register, step
from civicgrid.org.scoping import holds
from civicgrid.people import ledger_rollups
from civicgrid.people.models import Person, PersonAction, PersonStatus, PersonStep
from civicgrid.people.roles import LEDGER_ROLES

S = PersonStatus
A = PersonAction


def is_keeper(actor: Any, person: Person, extra: Mapping[str, Any]) -> bool:
    """Ledger keepers of the person's unit."""
    return holds(actor, person.unit_code, LEDGER_ROLES)


TRANSITIONS = {
    A.MOVE_OUT: step([S.PRESENT], S.MOVED_OUT, is_keeper),
    A.DEREGISTER: step([S.PRESENT], S.DEREGISTERED, is_keeper),
}


def counters(person: Person):
    """A record that ends leaves the counts, and her household (a head takes its head along):
    the ledger rollup's difference, committed after the step."""
    change = ledger_rollups.Change(persons=[person])
    return lambda _row: change.commit()


def explain(person: Person, action: str) -> str:
    return _("This person's record has already ended.")


PERSONS: Machine[Person] = register(
    Machine(
        model=Person,
        log=PersonStep,
        subject="person",
        transitions=TRANSITIONS,
        statuses=PersonStatus,
        actions=PersonAction,
        explain=explain,
        counters=counters,
        creations=(A.RECORD,),
    )
)
