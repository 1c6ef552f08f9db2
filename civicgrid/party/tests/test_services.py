"""Party records and points: members, meetings, study hours, the ledger, the shop."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.party import selectors, services
from civicgrid.party.models import (
    LifeKind,
    MemberKind,
    PointEntry,
    PointKind,
    PointRule,
    Position,
    RedemptionStatus,
)


def give(member, points: int, source: str = ""):
    """Points for another merit, its caps lifted."""
    PointRule.objects.filter(kind=PointKind.OTHER).update(daily_cap=0, yearly_cap=0)
    return services.award_points(member=member, kind=PointKind.OTHER, points=points, source=source)


def test_member_rules(branch, staff, member, people):
    with pytest.raises(InvalidInput) as error:
        services.save_member(
            actor=staff,
            data=services.MemberData(name="王", branch=branch, kind=MemberKind.DUAL_REGISTERED),
        )
    assert error.value.field == "employer"
    with pytest.raises(InvalidInput) as error:
        services.save_member(
            actor=staff, data=services.MemberData(name="王", branch=branch, phone="136 0000 2222")
        )
    assert error.value.field == "phone"
    with pytest.raises(NotAllowed):
        services.save_member(
            actor=people["alice"], data=services.MemberData(name="王", branch=branch)
        )
    assert member.phone_masked == "136****2222" and "13600002222" not in member.phone


def test_the_ledger_is_append_only(member):
    entry = give(member, 5)
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_awards_respect_daily_and_yearly_caps_and_sources(member):
    rule = PointRule.objects.get(kind=PointKind.CLASS_ATTENDANCE)
    rule.points, rule.daily_cap, rule.yearly_cap = 3, 5, 8
    rule.save()
    day = dt.date(2026, 3, 2)

    def attend(n, on=day):
        return services.award_points(
            member=member, kind=PointKind.CLASS_ATTENDANCE, source=f"s{n}", day=on
        )

    assert attend(1).points == 3
    assert attend(1) is None  # the same session pays once
    assert attend(2).points == 2  # the daily cap leaves 2
    assert attend(3) is None
    assert attend(4, day + dt.timedelta(days=1)).points == 3  # 8 this year now
    assert attend(5, day + dt.timedelta(days=2)) is None
    assert attend(6, dt.date(2027, 1, 4)).points == 3
    member.refresh_from_db()
    assert member.balance == member.earned == 11


def test_correction_cannot_take_the_balance_below_zero(member, staff, tree, item):
    entry = give(member, 10)
    services.redeem(actor=staff, member=member, item=item)
    with pytest.raises(Conflict):
        services.correct_points(actor=staff, entry=entry, points=-10, note="记错了")
    fix = services.correct_points(actor=staff, entry=entry, points=5, note="补记")
    member.refresh_from_db()
    assert (member.balance, fix.corrects) == (5, entry)


def test_redemption_flow(member, staff, item, people):
    give(member, 25)
    with pytest.raises(Conflict) as error:
        services.redeem(actor=staff, member=member, item=item, quantity=3)
    assert "25" in error.value.message and "30" in error.value.message
    with pytest.raises(NotAllowed):
        services.redeem(actor=people["alice"], member=member, item=item)
    first = services.redeem(actor=staff, member=member, item=item, quantity=2)
    item.refresh_from_db(), member.refresh_from_db()
    assert (item.stock, member.balance, member.redeemed) == (1, 5, 20)
    with pytest.raises(Conflict):
        services.redeem(actor=staff, member=member, item=item)  # 5 points, costs 10
    services.cancel_redemption(actor=staff, redemption=first, reason="不要了")
    item.refresh_from_db(), member.refresh_from_db()
    assert (item.stock, member.balance, member.redeemed) == (3, 25, 0)
    with pytest.raises(Conflict):
        services.hand_over(actor=staff, redemption=first)
    second = services.redeem(actor=staff, member=member, item=item)
    assert services.hand_over(actor=staff, redemption=second).status == RedemptionStatus.HANDED_OVER
    item.active = False
    services.save_item(
        actor=staff, unit=item.unit, name=item.name, points=10, stock=2, active=False, item=item
    )
    with pytest.raises(Conflict):
        services.redeem(actor=staff, member=member, item=item)
    figures = selectors.points_figures(item.unit, timezone.localdate(), timezone.localdate())
    assert figures == {"earned": 25, "redeemed": 10}


def test_a_member_with_a_login_redeems_their_own(member, item, make_user, tree):
    user = make_user("liu")
    member.user = user
    member.save()
    give(member, 10)
    user.refresh_from_db()
    assert services.redeem(actor=user, member=member, item=item).points == 10


def test_shop_serves_its_subtree_only(member, staff, tree, people):
    far = services.save_item(
        actor=people["carol"], unit=tree.street_a, name="毛巾", points=5, stock=1
    )
    assert far in selectors.shop_for(member)
    beyond = services.save_item(
        actor=people["carol"], unit=tree.grid_a1_2, name="雨伞", points=5, stock=1
    )
    give(member, 10)
    with pytest.raises(InvalidInput):
        services.redeem(actor=staff, member=member, item=beyond)


def test_meetings_credit_hours_and_points_and_count_to_completeness(branch, member, staff):
    secretary = services.save_member(
        actor=staff,
        data=services.MemberData(name="书记", branch=branch, position=Position.SECRETARY),
    )
    today = timezone.localdate()
    services.record_meeting(
        actor=staff,
        branch=branch,
        kind=LifeKind.PARTY_LECTURE,
        held_on=today,
        topic="学习二十大精神",
        attendees=[member, secretary],
        class_hours=Decimal("2"),
    )
    with pytest.raises(InvalidInput):
        services.record_meeting(
            actor=staff,
            branch=branch,
            kind=LifeKind.THEME_DAY,
            held_on=today + dt.timedelta(days=1),
            topic="x",
            attendees=[member],
        )
    with pytest.raises(InvalidInput):
        services.record_meeting(
            actor=staff,
            branch=branch,
            kind=LifeKind.THEME_DAY,
            held_on=today,
            topic="x",
            attendees=[],
        )
    rows = {row["kind"]: row for row in selectors.life_completeness(branch, today.year, today)}
    lecture = rows[LifeKind.PARTY_LECTURE]
    assert (lecture["held"], lecture["required"], lecture["due"]) == (1, 4, -(-today.month // 3))
    assert rows[LifeKind.THEME_DAY]["behind"]
    hours = {
        row["member"].name: row for row in selectors.study_hours(branch.members.all(), today.year)
    }
    assert hours["刘党员"]["hours"] == Decimal("2") and hours["刘党员"]["required"] == 32
    assert hours["书记"]["required"] == 56 and hours["书记"]["short"] == 54
    member.refresh_from_db()
    assert member.balance == 2


def test_balance_is_the_ledger_sum(member, staff, item):
    give(member, 7, "a")
    give(member, 9, "b")
    services.redeem(actor=staff, member=member, item=item)
    member.refresh_from_db()
    total = PointEntry.objects.filter(member=member).aggregate(s=Sum("points"))["s"]
    assert member.balance == total == 6


def test_a_member_entered_by_phone_is_linked_to_their_resident_record(branch, staff, tree, people):
    from civicgrid.people import services as people_services
    from civicgrid.people.services import PersonData

    resident = people_services.save_person(
        actor=people["alice"],
        data=PersonData(name="孙党员", phone="13711112222"),
        unit=tree.grid_a1_1,
    )
    member = services.save_member(
        actor=staff, data=services.MemberData(name="孙党员", branch=branch, phone="137 1111 2222")
    )
    assert member.person == resident


def test_shock_team_takes_members_of_the_unit_only(branch, staff, member, tree, people):
    team = services.save_shock_team(
        actor=staff, unit=tree.community_a1, name="防汛突击队", leader=member, members=[]
    )
    assert list(team.members.all()) == [member]
    other = services.save_branch(
        actor=people["carol"],
        unit=tree.street_a,
        name="街道支部",
        kind="branch",
    )
    stranger = services.save_member(
        actor=people["carol"], data=services.MemberData(name="外人", branch=other)
    )
    with pytest.raises(InvalidInput):
        services.save_shock_team(actor=staff, unit=tree.community_a1, name="x", members=[stranger])


def test_a_correction_in_a_month_of_its_own_takes_points_back_there(member, staff):
    from civicgrid.party.models import PointsRollup

    PointRule.objects.filter(kind=PointKind.OTHER).update(daily_cap=0, yearly_cap=0)
    entry = services.award_points(
        member=member, kind=PointKind.OTHER, points=10, day=dt.date(2020, 1, 6)
    )
    services.correct_points(actor=staff, entry=entry, points=-4, note="记错了")
    months = dict(PointsRollup.objects.values_list("month", "earned"))
    assert months == {dt.date(2020, 1, 1): 10, timezone.localdate().replace(day=1): -4}
