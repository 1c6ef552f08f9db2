"""The volunteer figures: orders placed and done and service minutes per unit (the order's) and
month (the order's), in `VolunteerRollup`; and each volunteer's own hours, services and ratings.

An order adds its contributions when it is placed (`add`) and the difference when a step
changes them (`counters`, the order machine's hook in `workflow.py`), in the same transaction.
`rebuild_rollups` recomputes the monthly rows from the orders; `check_all` says where the kept
counters differ from a recount.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable

from django.db.models import Count, Q, Sum
from django.utils import timezone

from civicgrid.core.rollups import Drift, RollupDelta, add_to_rollups, drifts
from civicgrid.volunteers.models import (
    OrderStatus,
    RecordKind,
    ServiceOrder,
    Volunteer,
    VolunteerRollup,
)

Key = tuple[int, str, dt.date]


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def contributions(order: ServiceOrder) -> Counter:
    """What `order` adds to the rollup: (unit id, unit code, month, counter) → value."""
    key: Key = (order.unit_id, order.unit_code, month_of(order.created_at))
    values = {"ordered": 1}
    if order.status == OrderStatus.DONE:
        values |= {"done": 1, "minutes": int((order.hours or 0) * 60)}
    return Counter({(*key, name): value for name, value in values.items() if value})


def _by_row(total: Counter) -> dict[Key, dict[str, int]]:
    rows: dict[Key, dict[str, int]] = {}
    for (*key, name), value in total.items():
        if value:
            rows.setdefault(tuple(key), {})[name] = value
    return rows


def apply(before: Counter, after: Counter) -> None:
    """Add the change between two contributions to the rollup rows."""
    delta = Counter(after)
    delta.subtract(before)
    add_to_rollups(
        RollupDelta(VolunteerRollup, {"unit_id": unit_id, "month": month}, unit_code, deltas)
        for (unit_id, unit_code, month), deltas in _by_row(delta).items()
    )


def add(order: ServiceOrder) -> None:
    """Count a new order."""
    apply(Counter(), contributions(order))


def counters(order: ServiceOrder) -> Callable[[ServiceOrder], None]:
    """The order machine's hook: called on the locked order before a step; the function it
    returns adds the step's difference once the order has changed."""
    before = contributions(order)
    return lambda changed: apply(before, contributions(changed))


def recount() -> Counter:
    total: Counter = Counter()
    for order in ServiceOrder.objects.only(
        "unit_id", "unit_code", "created_at", "status", "hours"
    ).iterator():
        total.update(contributions(order))
    return total


def rebuild_rollups() -> None:
    """Recount the monthly rows from the orders (after a bulk load, or to check them)."""
    VolunteerRollup.objects.all().delete()
    apply(Counter(), recount())


def check_all() -> list[Drift]:
    """Every counter that differs from a recount (empty when all agree): the monthly rows, and
    each volunteer's hours and services (their service records) and ratings (their orders')."""
    expected = {
        (unit_id, month): counters
        for (unit_id, _code, month), counters in _by_row(recount()).items()
    }
    names = ("ordered", "done", "minutes")
    stored = {
        (row["unit_id"], row["month"]): {name: row[name] for name in names}
        for row in VolunteerRollup.objects.values("unit_id", "month", *names)
    }
    wrong = drifts("VolunteerRollup", stored, expected)
    services = Q(records__kind=RecordKind.SERVICE)
    volunteers = Volunteer.objects.annotate(
        recorded_hours=Sum("records__hours", filter=services),
        recorded=Count("records", filter=services),
    )
    wrong += drifts(
        "Volunteer",
        {(v.pk,): {"hours": v.hours, "services": v.services} for v in volunteers},
        {(v.pk,): {"hours": v.recorded_hours or 0, "services": v.recorded} for v in volunteers},
    )
    rated = Volunteer.objects.annotate(
        rated=Count("orders", filter=Q(orders__rating__isnull=False)),
        rating_sum=Sum("orders__rating"),
    )
    wrong += drifts(
        "Volunteer",
        {(v.pk,): {"ratings": v.ratings, "rating_total": v.rating_total} for v in rated},
        {(v.pk,): {"ratings": v.rated, "rating_total": v.rating_sum or 0} for v in rated},
    )
    return wrong
