"""The classes' counters: each session's counts of enrolled, waitlisted and checked-in people,
and the monthly rollup rows (per unit, month and teacher) summed by the figures.

Both move only with a step: the session and enrolment machines (`workflow.py`) call
`session_counters` / `enrolment_counters` on the locked row before the change and commit the
difference after it, in the step's transaction. `rebuild` recomputes the rollup from the
sessions; `check_all` says where the kept counters differ from a recount.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable

from django.db.models import Count, Q
from django.utils import timezone

from civicgrid.classes.models import ClassRollup, Enrolment, EnrolmentStatus, Session, SessionStatus
from civicgrid.core.rollups import Drift, RollupDelta, add_to_rollups, drifts

Key = tuple[int, str, dt.date, int]
FIELDS = ("scheduled", "held", "cancelled", "enrolled", "attended")
# A session's own counts, moved by its enrolments' steps.
SESSION_COUNTS = ("enrolled", "waitlisted", "attended")


def contributions(session: Session) -> Counter:
    """What `session` adds to the rollup: (unit id, unit code, month, teacher id) → counters."""
    key: Key = (
        session.unit_id,
        session.unit_code,
        timezone.localtime(session.starts_at).date().replace(day=1),
        session.teacher_id or 0,
    )
    values = {
        "scheduled": int(session.status != SessionStatus.CANCELLED),
        "held": int(session.status == SessionStatus.HELD),
        "cancelled": int(session.status == SessionStatus.CANCELLED),
        "enrolled": session.enrolled,
        "attended": session.attended,
    }
    return Counter({(*key, name): value for name, value in values.items() if value})


def apply(before: Counter, after: Counter) -> None:
    """Add the change between two contributions to the rollup rows."""
    delta = Counter(after)
    delta.subtract(before)
    rows: dict[Key, dict[str, int]] = {}
    for (*key, name), value in delta.items():
        if value:
            rows.setdefault(tuple(key), {})[name] = value
    add_to_rollups(
        RollupDelta(
            ClassRollup,
            {"unit_id": unit_id, "month": month, "teacher_id_key": teacher},
            unit_code,
            deltas,
        )
        for (unit_id, unit_code, month, teacher), deltas in rows.items()
    )


def recount() -> Counter:
    total: Counter = Counter()
    for session in Session.objects.all().iterator():
        total.update(contributions(session))
    return total


def rebuild() -> None:
    """Recount every rollup row from the sessions (after a bulk load, or to check them)."""
    ClassRollup.objects.all().delete()
    apply(Counter(), recount())


def tally(enrolment: Enrolment) -> Counter:
    """What `enrolment` adds to its session's counts."""
    return Counter(
        {
            "enrolled": int(enrolment.status == EnrolmentStatus.ENROLLED),
            "waitlisted": int(enrolment.status == EnrolmentStatus.WAITLISTED),
            "attended": int(enrolment.checked_in_at is not None),
        }
    )


def count(session_id: int, before: Counter, after: Counter) -> Session:
    """Move the session's counts and its rollup by an enrolment's change, under the session's
    row lock (the services take it before the enrolment's, so it is already held)."""
    session = Session.objects.select_for_update().get(pk=session_id)
    rolled = contributions(session)
    for name in SESSION_COUNTS:
        setattr(session, name, getattr(session, name) + after[name] - before[name])
    Session.objects.filter(pk=session.pk).update(
        **{name: getattr(session, name) for name in SESSION_COUNTS}
    )
    apply(rolled, contributions(session))
    return session


def session_counters(session: Session) -> Callable[[Session], None]:
    """The session machine's counters: its rollup moves with its status."""
    before = contributions(session)

    def commit(after: Session) -> None:
        apply(before, contributions(after))

    return commit


def enrolment_counters(enrolment: Enrolment) -> Callable[[Enrolment], None]:
    """The enrolment machine's counters: its session's counts (and rollup) move with its
    status and its check-in."""
    before = tally(enrolment)

    def commit(after: Enrolment) -> None:
        count(after.session_id, before, tally(after))

    return commit


def check_all() -> list[Drift]:
    """Every counter that differs from a recount (empty when all agree): each session's counts
    against its enrolments, the rollup rows against the sessions."""
    counted = Session.objects.annotate(
        n_enrolled=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)),
        n_waitlisted=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITLISTED)),
        n_attended=Count("enrolments", filter=Q(enrolments__checked_in_at__isnull=False)),
    )
    names = ("enrolled", "waitlisted", "attended")
    wrong = drifts(
        "Session",
        {(s.pk,): {name: getattr(s, name) for name in names} for s in counted},
        {(s.pk,): {name: getattr(s, f"n_{name}") for name in names} for s in counted},
    )
    expected: dict[tuple, dict[str, int]] = {}
    for (unit_id, _code, month, teacher, name), value in recount().items():
        expected.setdefault((unit_id, month, teacher), {})[name] = value
    stored = {
        (row["unit_id"], row["month"], row["teacher_id_key"]): {name: row[name] for name in FIELDS}
        for row in ClassRollup.objects.values("unit_id", "month", "teacher_id_key", *FIELDS)
    }
    return wrong + drifts("ClassRollup", stored, expected)
