"""The mediation figures: cases received, accepted, declined, mediated to an end, agreed,
followed up and kept, referred (by body), closed and settled, days to close, high-risk cases,
sessions held, legal consultations and the residents they served — per unit (the case's own)
and month in `MediationRollup`, and per lead mediator and month in `MediatorRollup`.

Each counter counts in the month of the moment it stands for (a case received in March and
closed in May counts `received` in March and `closed` in May). A case adds its contributions
when it is received (`add`) and the difference when a step changes them (`counters`, the hook
of the case machine in `workflow.py`), in the same transaction; a session and a consultation
add theirs when recorded. `rebuild_rollups` recomputes the rows; `check_all` says where the
kept rows differ from a recount.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model
from django.utils import timezone

from civicgrid.core.rollups import Drift, RollupDelta, add_to_rollups, drifts
from civicgrid.mediation.models import (
    ROLLUP_COUNTERS,
    Body,
    Case,
    CaseStatus,
    Consultation,
    MediationRollup,
    MediatorRollup,
    Risk,
    Session,
)

# (table, owner id, owner's unit code, month, counter) → value. The owner is the unit for
# MediationRollup and the mediator for MediatorRollup.
Key = tuple[type[Model], int, str, dt.date, str]
Moment = tuple[dt.datetime | dt.date | None, str, int]

REFERRED_TO: dict[str, str] = {
    Body.JUSTICE: "referred_justice",
    Body.POLICE: "referred_police",
    Body.COURT: "referred_court",
    Body.ARBITRATION: "referred_arbitration",
    Body.PETITION: "referred_petition",
}


def month_of(moment: dt.datetime | dt.date) -> dt.date:
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    return day.replace(day=1)


def _counted(unit: tuple[int, str], lead: Any, moments: Iterable[Moment]) -> Counter:
    """Each (moment, counter, value) at the unit and, when there is one, at the lead mediator;
    a moment not recorded counts nowhere."""
    total: Counter = Counter()
    for moment, name, value in moments:
        if not value or moment is None:
            continue
        month = month_of(moment)
        total[(MediationRollup, *unit, month, name)] += value
        if lead is not None:
            total[(MediatorRollup, lead.pk, lead.unit_code, month, name)] += value
    return total


def case_moments(case: Case) -> list[Moment]:
    moments: list[Moment] = [(case.received_at, "received", 1)]
    if case.risk == Risk.HIGH:
        moments.append((case.received_at, "high_risk", 1))
    moments.append((case.accepted_at, "accepted", 1))
    if case.status == CaseStatus.DECLINED:
        moments.append((case.closed_at, "declined", 1))
    if case.agreed is not None:
        moments += [(case.ended_at, "mediated", 1), (case.ended_at, "agreed", int(case.agreed))]
    if case.referred_to:
        by_body = REFERRED_TO.get(case.referred_to, "referred_other")
        moments += [(case.referred_at, "referred", 1), (case.referred_at, by_body, 1)]
    if case.kept is not None:
        moments += [
            (case.followed_up_at, "followed_up", 1),
            (case.followed_up_at, "kept", int(case.kept)),
        ]
    if case.status == CaseStatus.CLOSED and case.closed_at is not None:
        days = (timezone.localtime(case.closed_at).date() - _day(case.received_at)).days
        moments += [
            (case.closed_at, "closed", 1),
            (case.closed_at, "resolved", int(bool(case.resolved))),
            (case.closed_at, "days_to_close", days),
        ]
    return moments


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def case_contributions(case: Case) -> Counter:
    return _counted((case.unit_id, case.unit_code), case.lead, case_moments(case))


def session_contributions(session: Session) -> Counter:
    case = session.case
    return _counted((case.unit_id, case.unit_code), case.lead, [(session.held_at, "sessions", 1)])


def consultation_contributions(consultation: Consultation) -> Counter:
    return _counted(
        (consultation.unit_id, consultation.unit_code),
        consultation.lawyer,
        [
            (consultation.held_on, "consultations", 1),
            (consultation.held_on, "consulted", consultation.residents_served),
        ],
    )


CONTRIBUTIONS: dict[type[Model], Callable[[Any], Counter]] = {
    Case: case_contributions,
    Session: session_contributions,
    Consultation: consultation_contributions,
}


def apply(before: Counter, after: Counter) -> None:
    """Add the change between two contributions to the rollup rows."""
    delta = Counter(after)
    delta.subtract(before)
    rows: dict[tuple[type[Model], int, str, dt.date], dict[str, int]] = {}
    for (table, owner, code, month, name), value in delta.items():
        if value:
            rows.setdefault((table, owner, code, month), {})[name] = value
    add_to_rollups(
        RollupDelta(table, {_OWNER[table]: owner, "month": month}, code, deltas)
        for (table, owner, code, month), deltas in rows.items()
    )


_OWNER: dict[type[Model], str] = {MediationRollup: "unit_id", MediatorRollup: "mediator_id"}


def add(row: Model) -> None:
    """Count a new case, session or consultation."""
    apply(Counter(), CONTRIBUTIONS[type(row)](row))


def counters(row: Model) -> Callable[[Model], None]:
    """The case machine's hook: called on the locked row before a step; the function it
    returns adds the step's difference once the row has changed (a new lead mediator takes the
    case's counts with them). The lead is read again after the change: `related` joined the
    old one."""
    before = case_contributions(row)  # type: ignore[arg-type]

    def commit(changed: Model) -> None:
        apply(before, case_contributions(changed))  # type: ignore[arg-type]

    return commit


def recount() -> Counter:
    total: Counter = Counter()
    for case in Case.objects.select_related("lead").iterator():
        total.update(case_contributions(case))
    for session in Session.objects.select_related("case__lead").iterator():
        total.update(session_contributions(session))
    for consultation in Consultation.objects.select_related("lawyer").iterator():
        total.update(consultation_contributions(consultation))
    return total


def rebuild_rollups() -> None:
    """Recount every rollup row from the cases, sessions and consultations."""
    MediationRollup.objects.all().delete()
    MediatorRollup.objects.all().delete()
    apply(Counter(), recount())


def check_all() -> list[Drift]:
    """Every counter where the kept rows differ from a recount (empty when they agree)."""
    expected: dict[type[Model], dict[tuple, dict[str, int]]] = {
        MediationRollup: {},
        MediatorRollup: {},
    }
    for (table, owner, _code, month, name), value in recount().items():
        if value:
            expected[table].setdefault((owner, month), {})[name] = value
    found = []
    for table, owner in _OWNER.items():
        stored = {
            (row[owner], row["month"]): {name: row[name] for name in ROLLUP_COUNTERS}
            for row in table._default_manager.values(owner, "month", *ROLLUP_COUNTERS)
        }
        found += drifts(table.__name__, stored, expected[table])
    return found
