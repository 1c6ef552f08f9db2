"""A service order's state machine: who may take which step from which status.

Run by `core.workflow` (lock, table, role, log, rollups in one transaction); the services in
`services.py` say what each step changes. Anything not in this table is refused.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.core.workflow import Machine, register, step
from civicgrid.org.scoping import holds
from civicgrid.org.selectors import on_one_branch
from civicgrid.party.roles import PARTY_ROLES
from civicgrid.volunteers import rollups
from civicgrid.volunteers.models import OrderStatus, OrderStep, ServiceOrder
from civicgrid.volunteers.selectors import volunteer_of

S = OrderStatus
A = OrderStep.Action
Extra = Mapping[str, Any]


def is_keeper(actor: Any, order: ServiceOrder, extra: Extra) -> bool:
    """Staff who run volunteer services at the order's unit or above it."""
    return holds(actor, order.unit_code, PARTY_ROLES)


def is_volunteer_near(actor: Any, order: ServiceOrder, extra: Extra) -> bool:
    """An active volunteer of the order's unit or of a unit on its branch (抢单)."""
    volunteer = volunteer_of(actor)
    return volunteer is not None and on_one_branch(order.unit_code, volunteer.unit_code)


def holds_link(actor: Any, order: ServiceOrder, extra: Extra) -> bool:
    """The resident holding the order's own link."""
    token = extra.get("token")
    return bool(token) and token == order.token


def is_taker_or_keeper(actor: Any, order: ServiceOrder, extra: Extra) -> bool:
    volunteer = volunteer_of(actor)
    mine = volunteer is not None and volunteer.pk == order.volunteer_id
    return mine or is_keeper(actor, order, extra)


def holds_link_or_is_keeper(actor: Any, order: ServiceOrder, extra: Extra) -> bool:
    return holds_link(actor, order, extra) or is_keeper(actor, order, extra)


TRANSITIONS = {
    A.TAKE: step([S.ORDERED], S.TAKEN, is_volunteer_near),
    A.ASSIGN: step([S.ORDERED, S.TAKEN], S.TAKEN, is_keeper),
    A.COMPLETE: step([S.TAKEN], S.DONE, is_taker_or_keeper),
    A.CANCEL: step([S.ORDERED, S.TAKEN], S.CANCELLED, holds_link_or_is_keeper),
    # Once: the service refuses an order already rated.
    A.RATE: step([S.DONE], S.DONE, holds_link),
}


def explain(order: ServiceOrder, action: str) -> str | None:
    # First come: the second volunteer learns who was quicker (the volunteer is read after the
    # order's lock, so it is the one who won).
    if action == A.TAKE and order.status == S.TAKEN and order.volunteer is not None:
        return _("%(name)s has already taken this order.") % {"name": order.volunteer.name}
    return None


ORDERS: Machine[ServiceOrder] = register(
    Machine(
        model=ServiceOrder,
        log=OrderStep,
        subject="order",
        transitions=TRANSITIONS,
        statuses=OrderStatus,
        actions=A,
        counters=rollups.counters,
        explain=explain,
        creations=(A.ORDER,),
    )
)
