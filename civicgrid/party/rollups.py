"""The recount of the points counters kept beside the ledger (`services._append` moves them in
the entry's transaction): each member's balance, earned and redeemed, and the monthly
`PointsRollup` rows of the member's unit. `check_all` is read by `manage.py check_figures`."""

from django.db.models import Q, Sum

from civicgrid.core.rollups import Drift, drifts
from civicgrid.party.models import EARNING_KINDS, PartyMember, PointEntry, PointKind, PointsRollup

COUNTED = [*EARNING_KINDS, PointKind.CORRECTION]


def check_all() -> list[Drift]:
    """Every kept points counter that differs from the ledger (empty when all agree)."""
    members = PartyMember.objects.annotate(
        total=Sum("point_entries__points"),
        gained=Sum("point_entries__points", filter=Q(point_entries__kind__in=COUNTED)),
    )
    kept = {}
    ledger = {}
    for member in members:
        total, gained = member.total or 0, member.gained or 0
        kept[(member.pk,)] = {
            "balance": member.balance,
            "earned": member.earned,
            "redeemed": member.redeemed,
        }
        ledger[(member.pk,)] = {"balance": total, "earned": gained, "redeemed": gained - total}
    wrong = drifts("PartyMember", kept, ledger)
    expected: dict[tuple, dict[str, int]] = {}
    entries = PointEntry.objects.values_list("unit_id", "day", "kind", "points")
    for unit_id, day, kind, points in entries.iterator():
        row = expected.setdefault((unit_id, day.replace(day=1)), {"earned": 0, "redeemed": 0})
        earned = points if kind in COUNTED else 0
        row["earned"] += earned
        row["redeemed"] += earned - points
    stored = {
        (row["unit_id"], row["month"]): {"earned": row["earned"], "redeemed": row["redeemed"]}
        for row in PointsRollup.objects.values("unit_id", "month", "earned", "redeemed")
    }
    return wrong + drifts("PointsRollup", stored, expected)
