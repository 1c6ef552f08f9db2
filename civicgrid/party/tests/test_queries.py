"""Query counts of the party lists, pinned: the same with one row as with many, so an N+1 (a
query per member, meeting, entry, item, redemption…) breaks a pin."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from civicgrid.party import services
from civicgrid.party.models import PointKind


@pytest.fixture
def grow(branch, member, staff, tree, make_user):
    """Adds to community A1 a member of the branch, a branch, a shock team, a shop item, a
    branch meeting everyone attends, and for the first member (who logs in) points on a day
    of their own and a redemption. Returns every member added so far."""
    made = []
    if member.user is None:
        member.user = make_user("liu")
        member.save()

    def add(count: int) -> list:
        today = timezone.localdate()
        for _ in range(count):
            i = len(made)
            made.append(
                services.save_member(
                    actor=staff, data=services.MemberData(name=f"党员{i}", branch=branch, phone="")
                )
            )
            services.save_branch(
                actor=staff, unit=tree.community_a1, name=f"第{i + 2}支部", kind="branch"
            )
            services.save_shock_team(
                actor=staff, unit=tree.community_a1, name=f"突击队{i}", members=[member, made[-1]]
            )
            item = services.save_item(
                actor=staff, unit=tree.community_a1, name=f"奖品{i}", points=1, stock=10
            )
            services.record_meeting(
                actor=staff,
                branch=branch,
                kind="group_meeting",
                held_on=today - dt.timedelta(days=i),
                topic=f"党小组会{i}",
                attendees=branch.members.all(),
            )
            services.award_points(
                member=member,
                kind=PointKind.OTHER,
                note=f"表彰{i}",
                day=today - dt.timedelta(days=i),
                points=2,
            )
            services.redeem(actor=staff, member=member, item=item)
        return made

    return add


def test_the_party_lists_cost_the_same_for_one_row_as_for_six(
    client, branch, member, staff, tree, grow, pinned
):
    client.force_login(staff)
    code = tree.community_a1.code
    pages = {
        f"/party/u/{code}/": 14,
        f"/party/u/{code}/shop/": 8,
        f"/party/branches/{branch.pk}/": 11,
        f"/party/members/{member.pk}/": 11,
        f"/api/v1/party/members/{member.pk}": 6,
        f"/api/v1/party/members/{member.pk}/ledger": 6,
    }
    own = {"/party/me/": 11}
    grow(1)
    pinned(pages)
    client.force_login(member.user)
    pinned(own)
    grow(5)
    client.force_login(staff)
    bodies = pinned(pages)
    assert "党员5" in bodies[f"/party/u/{code}/"]
    assert "第7支部" in bodies[f"/party/u/{code}/"]
    assert "突击队5" in bodies[f"/party/u/{code}/"]
    assert "奖品5" in bodies[f"/party/u/{code}/shop/"]
    assert "党小组会5" in bodies[f"/party/branches/{branch.pk}/"]
    assert "表彰5" in bodies[f"/party/members/{member.pk}/"]
    assert len(json.loads(bodies[f"/api/v1/party/members/{member.pk}/ledger"])) >= 12
    client.force_login(member.user)
    assert "表彰5" in pinned(own)["/party/me/"]
