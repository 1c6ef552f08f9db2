"""The redemption's state machine: staff hand the item over or cancel and refund.

Run by `core.workflow` (lock, table, role, log in one transaction); the services in
`services.py` say what each step changes (the refund entry, the stock). Anything not in this
table is refused.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.core.workflow import Machine, register, step
from civicgrid.org.scoping import holds
from civicgrid.party.models import Redemption, RedemptionAction, RedemptionStatus, RedemptionStep
from civicgrid.party.roles import PARTY_ROLES

S = RedemptionStatus
A = RedemptionAction


def is_keeper(actor: Any, redemption: Redemption, extra: Mapping[str, Any]) -> bool:
    """Staff who keep the shop of the redemption's unit (the item's)."""
    return holds(actor, redemption.unit_code, PARTY_ROLES)


TRANSITIONS = {
    A.HAND_OVER: step([S.REQUESTED], S.HANDED_OVER, is_keeper),
    # Before hand-over only: the points come back, the stock returns.
    A.CANCEL: step([S.REQUESTED], S.CANCELLED, is_keeper),
}


def explain(redemption: Redemption, action: str) -> str:
    return _("This redemption is already %(status)s.") % {"status": redemption.get_status_display()}


REDEMPTIONS: Machine[Redemption] = register(
    Machine(
        model=Redemption,
        log=RedemptionStep,
        subject="redemption",
        transitions=TRANSITIONS,
        statuses=RedemptionStatus,
        actions=RedemptionAction,
        explain=explain,
        creations=(A.REDEEM,),
    )
)
