"""What mediation adds to the pages of the apps below it, through their panel hooks (events and
people never import mediation): on a dispute event's page its cases and the one-click button
that opens one; on the situations list the button that takes a situation on as a case."""

from typing import Any

from civicgrid.events.models import Event, Status, StepAction
from civicgrid.events.workflow import EVENTS
from civicgrid.mediation import selectors
from civicgrid.mediation.models import ENDED
from civicgrid.mediation.roles import DESK_ROLES
from civicgrid.mediation.services import DISPUTE_PREFIX
from civicgrid.org.scoping import holds
from civicgrid.people.models import Situation


def event_panel(user: Any, event: Event) -> dict[str, Any] | None:
    """For an event of a dispute category: the cases the user may see, and whether the user
    (desk staff at the event's unit) may open one now. Nothing, and no query, for any other."""
    if not event.category.code.startswith(DISPUTE_PREFIX):
        return None
    cases = list(
        selectors.cases_for(user).filter(event_id=event.pk).order_by("-received_at", "-id")
    )
    desk = holds(user, event.unit_code, DESK_ROLES)
    takes = {Status.REPORTED, *EVENTS.transitions[StepAction.MEDIATE].sources}
    open_case = any(case.status not in ENDED for case in cases)
    if not cases and not desk:
        return None
    return {
        "template": "mediation/_event_panel.html",
        "cases": cases,
        "may_open": desk and not open_case and event.status in takes,
    }


def situation_panel(user: Any, situations: list[Situation]) -> dict[str, Any] | None:
    """The situations the user may take on as a case: open ones, at units where the user keeps
    the desk (no query: the user's postings are read once per request)."""
    ids = {
        situation.pk
        for situation in situations
        if not situation.resolved and holds(user, situation.unit_code, DESK_ROLES)
    }
    if not ids:
        return None
    return {"template": "mediation/_situation_button.html", "may_open": ids}
