"""Deadlines: raising events past a deadline one level, and asking again for a rating.
The system's own steps (`actor=None`), run by the periodic jobs in tasks.py."""

import datetime as dt

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict
from civicgrid.events.models import Event, Status, StepAction
from civicgrid.events.roles import DISPATCH_ROLES, SUPERVISE_ROLES
from civicgrid.events.services import ancestor_codes, staff_at, step_event
from civicgrid.events.workflow import TRANSITIONS, is_resident
from civicgrid.messaging.services import notify
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit

S = Status
A = StepAction
# The levels an overdue event is raised through, from its own grid upwards.
ESCALATION_KINDS = (Kind.GRID, Kind.COMMUNITY, Kind.STREET, Kind.DISTRICT)


def _now() -> dt.datetime:
    return timezone.now()


def _escalation_unit(event: Event) -> OrgUnit | None:
    """The unit one level above where the event now stands (grid → community → street →
    district); None when it stands at the district already."""
    chain = list(
        OrgUnit.objects.filter(
            code__in=ancestor_codes(event.unit_code), kind__in=ESCALATION_KINDS
        ).order_by("-code")
    )
    # chain[0] is the event's own level (or the nearest above a micro-grid).
    index = event.escalation_level + 1
    return chain[index] if index < len(chain) else None


def _missed_deadline(event: Event, now: dt.datetime) -> dt.datetime | None:
    """The latest deadline `event` has passed and not been raised for. `escalated_for` holds
    the latest deadline it was raised for: every deadline up to it is done with."""
    done = event.escalated_for

    def pending(deadline: dt.datetime | None) -> bool:
        return deadline is not None and deadline <= now and (done is None or deadline > done)

    if pending(event.closure_due):
        return event.closure_due
    awaiting_response = event.status in {S.REPORTED, S.ACCEPTED, S.DISPATCHED}
    if awaiting_response and event.responded_at is None and pending(event.response_due):
        return event.response_due
    return None


def escalate_event(*, event, now: dt.datetime | None = None) -> Event | None:
    """Raise an event past a deadline one level, notify that level's staff and, past the
    closure deadline, mark it overdue. Each deadline raises it once. The system's step."""
    now = now or _now()
    with transaction.atomic():
        current = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
        if current.status not in TRANSITIONS[A.ESCALATE].sources:
            return None
        deadline = _missed_deadline(current, now)
        if deadline is None:
            return None
        target = _escalation_unit(current)
        is_closure = deadline == current.closure_due

        def change(e: Event, now: dt.datetime) -> None:
            e.escalated_for = deadline
            if is_closure:
                e.overdue = True
            if target is not None:
                e.escalation_level += 1

        result = step_event(
            current,
            A.ESCALATE,
            actor=None,
            change=change,
            at=now,
            details={
                "deadline": deadline.isoformat(),
                "kind": "closure" if is_closure else "response",
                "unit": target.code if target else None,
            },
        )
        if target is not None:
            notify(
                users=staff_at([target.code], DISPATCH_ROLES | SUPERVISE_ROLES),
                text=_("Overdue, raised to you: %(number)s") % {"number": result.number},
                link=result.get_absolute_url(),
            )
        return result


def escalate_overdue(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Escalate every event past a deadline it has not been raised for. Returns how many."""
    now = now or _now()
    not_raised = Q(escalated_for=None)
    late_response = Q(
        response_due__lte=now, responded_at=None, status__in=[S.REPORTED, S.ACCEPTED, S.DISPATCHED]
    ) & (not_raised | Q(escalated_for__lt=F("response_due")))
    late_closure = Q(closure_due__lte=now) & (not_raised | Q(escalated_for__lt=F("closure_due")))
    candidates = (
        Event.objects.filter(status__in=TRANSITIONS[A.ESCALATE].sources)
        .filter(late_response | late_closure)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in list(candidates):
        if escalate_event(event=Event(pk=pk), now=now) is not None:
            done += 1
    return done


FOLLOW_UP_AGAIN_AFTER = dt.timedelta(days=3)


def ask_ratings(*, now: dt.datetime | None = None) -> int:
    """回访: events closed three days ago and still unrated are asked once more, and only once:
    each event is claimed under its row lock (still asked once only) in the same transaction
    as its notification, so two runs at once (two consumers) never ask one resident twice."""
    now = now or _now()
    pending = Event.objects.filter(
        status=S.CLOSED, follow_up_asks=1, closed_at__lte=now - FOLLOW_UP_AGAIN_AFTER
    ).values_list("pk", flat=True)

    def change(e: Event, now: dt.datetime) -> None:
        if e.follow_up_asks != 1:  # asked meanwhile, by another run
            raise Conflict(_("This event was asked for its rating already."))
        e.follow_up_asks += 1

    done = 0
    for pk in list(pending):
        try:
            with transaction.atomic():
                result = step_event(pk, A.ASK_RATING, actor=None, change=change, at=now)
                # Staff who reported it are not asked: their rating would grade their own work.
                if result.reporter is None or is_resident(result.reporter):
                    notify(
                        users=[result.reporter_id],
                        text=_("Please rate: %(number)s") % {"number": result.number},
                        link=result.get_absolute_url(),
                    )
        except Conflict:
            continue
        done += 1
    return done
