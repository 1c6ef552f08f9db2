"""Per-visitor rollup rows (`VisitMonthRollup`): household visits per person, unit and month.

A visit adds 1 to its visitor's row for the household's unit and the month of the day it was
made (`visited_on`, a date: no time zone to settle), in the visit's transaction. Visits are
never edited or deleted by the services, so a visit's contribution never changes; `check_all`
recounts them all and `rebuild` rewrites the rows (assessment figures, `check_figures`).
"""

import datetime as dt
from collections import Counter

from django.db import transaction
from django.db.models import Count

from civicgrid.core.rollups import Drift, RollupDelta, add_to_rollups, drifts
from civicgrid.people.models import Visit, VisitMonthRollup

# unit id, user id, month → (unit code, visits)
Key = tuple[int, int, dt.date]


def contributions(visit: Visit) -> Counter[tuple[int, int, str, dt.date]]:
    return Counter(
        {(visit.unit_id, visit.visitor_id, visit.unit_code, _month(visit.visited_on)): 1}
    )


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def apply(delta: Counter[tuple[int, int, str, dt.date]]) -> None:
    """Add `delta` to the rows inside the caller's transaction (one statement)."""
    add_to_rollups(
        RollupDelta(
            VisitMonthRollup,
            {"unit_id": unit_id, "user_id": user_id, "month": month},
            unit_code,
            {"visits": value},
        )
        for (unit_id, user_id, unit_code, month), value in delta.items()
        if value
    )


def recount() -> Counter[tuple[int, int, str, dt.date]]:
    """Every visit counted again: one grouped query per unit, visitor and day."""
    total: Counter[tuple[int, int, str, dt.date]] = Counter()
    rows = (
        Visit.objects.values("unit_id", "visitor_id", "unit_code", "visited_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        key = (row["unit_id"], row["visitor_id"], row["unit_code"], _month(row["visited_on"]))
        total[key] += row["n"]
    return total


def check_all() -> list[Drift]:
    """Every visitor row whose count differs from a recount of the visits."""
    expected: dict[tuple, dict[str, int]] = {}
    for (unit_id, user_id, _code, month), value in recount().items():
        expected[(unit_id, user_id, month)] = {"visits": value}
    stored = {
        (row["unit_id"], row["user_id"], row["month"]): {"visits": row["visits"]}
        for row in VisitMonthRollup.objects.values("unit_id", "user_id", "month", "visits")
        if row["visits"]
    }
    return drifts("VisitMonthRollup", stored, expected)


@transaction.atomic
def rebuild() -> None:
    VisitMonthRollup.objects.all().delete()
    apply(recount())
