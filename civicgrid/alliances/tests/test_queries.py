"""Query counts of the joint committee pages, pinned: the same with one row as with many, so an
N+1 (a query per committee, member unit, meeting, resolution, task…) breaks a pin."""

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.alliances import services
from civicgrid.community import services as community


@pytest.fixture
def grow(alliance, tree, people):
    """Adds a committee of community A1 with a member unit, a member unit of the street's
    committee, a meeting of the street's committee with every member present and one
    resolution, and a task made of the first meeting's resolution. Returns the meetings."""
    carol = people["carol"]
    meetings: list = []

    def add(count: int) -> list:
        for _ in range(count):
            i = len(meetings)
            committee = services.save_committee(
                actor=carol, unit=tree.community_a1, name=f"甲一联盟{i}", kind="party_committee"
            )
            services.add_member_unit(
                actor=carol, committee=committee, name=f"甲一单位{i}", kind="other"
            )
            services.add_member_unit(
                actor=carol, committee=alliance.committee, name=f"共建单位{i}", kind="enterprise"
            )
            meetings.append(
                services.record_meeting(
                    actor=carol,
                    committee=alliance.committee,
                    kind="monthly",
                    held_on=timezone.localdate() - dt.timedelta(days=i),
                    topic=f"月议事{i}",
                    attendees=alliance.committee.members.all(),
                    resolutions=[f"决议{i}"],
                )
            )
            community.task_from_resolution(
                actor=carol,
                resolution=meetings[0].resolutions.get(),
                unit=tree.community_a1,
                title=f"任务{i}",
                due_on=timezone.localdate() + dt.timedelta(days=7),
            )
        return meetings

    return add


def test_the_committee_pages_cost_the_same_for_one_row_as_for_six(
    client, tree, people, grow, pinned
):
    client.force_login(people["carol"])
    code = tree.street_a.code
    first = grow(1)[0]
    pages = {f"/alliances/u/{code}/": 9, f"/alliances/meetings/{first.pk}/": 11}
    pinned(pages)
    grow(5)
    bodies = pinned(pages)
    listing = bodies[f"/alliances/u/{code}/"]
    assert all(name in listing for name in ("甲一联盟5", "甲一单位5", "共建单位5", "月议事5"))
    assert "8 units attended" in listing  # the sixth meeting: two founders and six added
    meeting = bodies[f"/alliances/meetings/{first.pk}/"]
    assert "任务5" in meeting and "共建单位0" in meeting
