"""An outside system's word on an event ("in progress", "fixed", "closed"), carried through
the workflow as far as its sender's roles allow (Open311 `servicerequestupdates`; a connector
may use it too).

The sender is a person (an API key acts as its user), so the rules are the workflow's own
(events/workflow.py), taken one step at a time, never bypassed:

- **In progress**: an event nobody accepted yet is accepted, dispatched to the sender (their
  own unit, themselves as handler) and signed for — when the sender may dispatch there. A
  dispatched event is signed for, or reported in to when the sender's department was whistled.
- **Fixed / closed**: the same, then resolved by the sender (who must be its handler), then
  verified and closed — but only by someone who did not resolve it: nobody verifies their own
  work (separation of duties). So a handler's system that says "fixed" leaves the event
  resolved, waiting for the community; the community's key then sends "closed" and the event
  is verified and closed. A street or community key that only accepted and dispatched (and so
  did not resolve) closes it at once.

Everything one update does is one transaction: if a step is refused, none is taken.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, InvalidInput
from civicgrid.events import services
from civicgrid.events.models import Event, EventStep, Status, StepAction
from civicgrid.events.roles import DISPATCH_ROLES
from civicgrid.events.workflow import EVENTS, resolvers
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import postings_of_user
from civicgrid.org.tree import is_under

S = Status
A = StepAction

# A trusted system's clock may run a little ahead of ours: a time at most this far in the
# future is taken as now; further is refused.
CLOCK_SKEW = dt.timedelta(minutes=2)


@dataclass
class Progress:
    """What an update did: the event after it, the steps taken, and — when it stopped short of
    what was asked — why (a translated sentence for the reply's status notes)."""

    event: Event
    steps: list[str] = field(default_factory=list)
    stopped: str = ""


def checked_time(event: Event | None, at: dt.datetime, *, field_name: str) -> dt.datetime:
    """`at` as a step's time: not in the future (beyond CLOCK_SKEW, taken as now within it) and
    not before the event's last step (its log reads in time order)."""
    now = timezone.now()
    if at > now + CLOCK_SKEW:
        raise InvalidInput(_("This time is in the future."), field=field_name)
    at = min(at, now)
    if event is not None:
        last = EventStep.objects.filter(event_id=event.pk).order_by("-at").values("at").first()
        if last is not None and at < last["at"]:
            raise InvalidInput(
                _("This time is before the request's last step (%(when)s).")
                % {"when": timezone.localtime(last["at"]).strftime("%Y-%m-%d %H:%M:%S")},
                field=field_name,
            )
    return at


def _own_unit(actor, event: Event) -> OrgUnit:
    """The unit the sender dispatches to when it takes the work itself: its nearest posting
    with a dispatching role above the event's place (the event's own unit for a superuser)."""
    codes = [
        code
        for code, role in postings_of_user(actor)
        if role in DISPATCH_ROLES and is_under(event.unit_code, code)
    ]
    if not codes:
        return event.unit
    return OrgUnit.objects.get(code=max(codes, key=len))


def _start(actor, event: Event, *, at: dt.datetime | None, note: str, done: list[str]) -> Event:
    if event.status == S.REPORTED:
        event = services.accept_event(actor=actor, event=event, at=at)
        done.append(A.ACCEPT)
    if event.status == S.ACCEPTED:
        unit = _own_unit(actor, event)
        event = services.dispatch_event(
            actor=actor,
            event=event,
            handler_unit=unit,
            handler_user=actor if postings_of_user(actor) else None,
            at=at,
        )
        done.append(A.DISPATCH)
    if event.status == S.DISPATCHED or EVENTS.may(actor, event, A.REPORT_IN):
        event = services.start_handling(actor=actor, event=event, note=note, at=at)
        last = EventStep.objects.filter(event_id=event.pk).order_by("-id").first()
        done.append(last.action if last is not None else A.SIGN)
        return event
    raise Conflict(
        _("This request is %(status)s: it is already in progress or past it.")
        % {"status": Status(event.status).label}
    )


@transaction.atomic
def start_work(actor, event: Event, *, at: dt.datetime | None = None, note: str = "") -> Progress:
    """ "In progress" from `actor`'s system (see the module's rules)."""
    done: list[str] = []
    event = _start(actor, event, at=at, note=note, done=done)
    return Progress(event, done)


@transaction.atomic
def carry_to_closed(
    actor,
    event: Event,
    *,
    at: dt.datetime | None = None,
    note: str = "",
    photos: Iterable = (),
    media_urls: Sequence[str] = (),
) -> Progress:
    """ "Fixed" or "closed" from `actor`'s system: as far towards closed as `actor` may go
    (see the module's rules). Stopping short is not an error: `Progress.stopped` says why."""
    done: list[str] = []
    if event.status in {S.REPORTED, S.ACCEPTED, S.DISPATCHED}:
        event = _start(actor, event, at=at, note="", done=done)
    if event.status == S.HANDLING:
        event = services.resolve_event(
            actor=actor,
            event=event,
            note=note or _("Fixed, says the handler's system."),
            photos=photos,
            media_urls=media_urls,
            at=at,
        )
        done.append(A.RESOLVE)
        note = ""
    if event.status == S.RESOLVED:
        if actor is not None and actor.pk in resolvers(event):
            return Progress(
                event,
                done,
                _(
                    "Resolved. Whoever resolved it does not verify it: the community verifies "
                    "and closes it."
                ),
            )
        if not EVENTS.may(actor, event, A.VERIFY):
            return Progress(event, done, _("Resolved; the community verifies and closes it."))
        event = services.verify_event(actor=actor, event=event, passed=True, note=note, at=at)
        done.append(A.VERIFY)
        note = ""
    if event.status == S.VERIFIED:
        if not EVENTS.may(actor, event, A.CLOSE):
            return Progress(event, done, _("Verified; the community's dispatchers close it."))
        event = services.close_event(actor=actor, event=event, note=note, at=at)
        done.append(A.CLOSE)
    if not done:
        raise Conflict(
            _("This request is %(status)s: there is nothing left to close.")
            % {"status": Status(event.status).label}
        )
    return Progress(event, done)


def leave_past_deadlines(event: Event, now: dt.datetime | None = None) -> None:
    """A request replayed with its source's own time (a trusted key): the deadlines it had
    passed before it reached us were the source's business. Marked as raised for them, so the
    escalation job does not raise it today — its step, at today's time, would also put the log
    out of order for the replay's next updates. (The history import does the same.)"""
    now = now or timezone.now()
    passed = [due for due in (event.response_due, event.closure_due) if due and due <= now]
    if passed:
        event.escalated_for = max(passed)
        Event.objects.filter(pk=event.pk).update(escalated_for=event.escalated_for)
