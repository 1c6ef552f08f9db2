"""Hypothesis-generated ledgers: whatever mix of awards, redemptions, cancellations and
corrections arrives, the balance equals the sum of the entries and is never negative, no
kind earns past its daily or yearly cap, stock is never lost, and the rollups add up."""

import contextlib
import datetime as dt

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicgrid.core.errors import CivicgridError
from civicgrid.party import services
from civicgrid.party.models import (
    EARNING_KINDS,
    PartyMember,
    PointEntry,
    PointKind,
    PointRule,
    PointsRollup,
    Redemption,
    RedemptionStatus,
    RewardItem,
)

pytestmark = pytest.mark.django_db

KINDS = sorted(EARNING_KINDS)
START = dt.date(2026, 12, 29)  # a walk crosses a new year

operation = st.one_of(
    st.tuples(st.just("award"), st.sampled_from(KINDS), st.integers(0, 6)),
    st.tuples(st.just("redeem"), st.integers(1, 3), st.just(0)),
    st.tuples(st.just("cancel"), st.just(""), st.just(0)),
    st.tuples(st.just("hand_over"), st.just(""), st.just(0)),
    st.tuples(st.just("correct"), st.just(""), st.integers(-15, 15)),
)
caps = st.tuples(st.integers(1, 8), st.integers(0, 12), st.integers(0, 30))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rule=caps, walk=st.lists(operation, max_size=20))
def test_random_ledgers_keep_every_invariant(branch, staff, tree, rule, walk):
    points, daily, yearly = rule
    PointRule.objects.update(points=points, daily_cap=daily, yearly_cap=yearly)
    member = services.save_member(actor=staff, data=services.MemberData(name="随机", branch=branch))
    item = services.save_item(actor=staff, unit=tree.community_a1, name="米", points=7, stock=4)
    for number, (action, arg, value) in enumerate(walk):
        fresh = PartyMember.objects.get(pk=member.pk)
        with contextlib.suppress(CivicgridError):
            if action == "award":
                services.award_points(
                    member=fresh,
                    kind=arg,
                    source=f"op{number}",
                    day=START + dt.timedelta(days=value),
                    points=points if arg == PointKind.OTHER else None,
                )
            elif action == "redeem":
                services.redeem(actor=staff, member=fresh, item=item, quantity=arg)
            elif action in {"cancel", "hand_over"}:
                open_ = Redemption.objects.filter(
                    member=member, status=RedemptionStatus.REQUESTED
                ).last()
                if open_ and action == "cancel":
                    services.cancel_redemption(actor=staff, redemption=open_, reason="退")
                elif open_:
                    services.hand_over(actor=staff, redemption=open_)
            else:
                entry = PointEntry.objects.filter(member=member).first()
                if entry:
                    services.correct_points(actor=staff, entry=entry, points=value, note="更正")

        member.refresh_from_db()
        entries = PointEntry.objects.filter(member=member)
        assert member.balance == (entries.aggregate(s=Sum("points"))["s"] or 0) >= 0
        assert member.earned - member.redeemed == member.balance
        for kind in KINDS:
            by_day = entries.filter(kind=kind).values("day").annotate(s=Sum("points"))
            if daily:
                assert all(row["s"] <= daily for row in by_day)
            if yearly:
                for year in (2026, 2027):
                    total = entries.filter(kind=kind, day__year=year).aggregate(s=Sum("points"))
                    assert (total["s"] or 0) <= yearly
        held = Redemption.objects.filter(item=item).exclude(status=RedemptionStatus.CANCELLED)
        assert (
            RewardItem.objects.get(pk=item.pk).stock + (held.aggregate(q=Sum("quantity"))["q"] or 0)
            == 4
        )

    def totals(model):
        rows = model.objects.aggregate(earned=Sum("earned"), redeemed=Sum("redeemed"))
        return {name: value or 0 for name, value in rows.items()}

    assert totals(PointsRollup) == totals(PartyMember)
