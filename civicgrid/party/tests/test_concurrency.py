"""Redemptions at once (PostgreSQL, real threads and connections): a balance and a stock are
never overspent."""

import pytest
from django.db import connection

from civicgrid.party import services
from civicgrid.party.models import PartyMember, PointKind, PointRule, Redemption, RewardItem

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


def funded(member, points):
    PointRule.objects.filter(kind=PointKind.OTHER).update(daily_cap=0, yearly_cap=0)
    services.award_points(member=member, kind=PointKind.OTHER, points=points)
    return member


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_balance_redeemed_six_times_at_once(member, staff, tree, at_once):
    funded(member, 30)
    item = services.save_item(actor=staff, unit=tree.community_a1, name="油", points=10, stock=10)
    outcomes = at_once([lambda: services.redeem(actor=staff, member=member, item=item)] * 6)
    assert sorted(outcomes) == ["Conflict"] * 3 + ["ok"] * 3
    member.refresh_from_db()
    assert (member.balance, RewardItem.objects.get(pk=item.pk).stock) == (0, 7)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_last_two_items_go_to_two_of_five(branch, staff, tree, at_once):
    members = [
        funded(
            services.save_member(
                actor=staff, data=services.MemberData(name=f"党员{n}", branch=branch)
            ),
            20,
        )
        for n in range(5)
    ]
    item = services.save_item(actor=staff, unit=tree.community_a1, name="米", points=10, stock=2)
    outcomes = at_once(
        [(lambda m=m: services.redeem(actor=staff, member=m, item=item)) for m in members]
    )
    assert sorted(outcomes) == ["Conflict"] * 3 + ["ok"] * 2
    assert RewardItem.objects.get(pk=item.pk).stock == 0
    assert Redemption.objects.count() == 2
    assert sorted(PartyMember.objects.values_list("balance", flat=True)) == [10, 10, 20, 20, 20]
