"""Joint committees: who may keep them, member units, meetings and their resolutions, and
resolutions decomposed into tasks to claim."""

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.alliances import services
from civicgrid.alliances.models import JointCommittee, JointMeeting, Resolution
from civicgrid.community import services as community
from civicgrid.community.models import Task, TaskStatus
from civicgrid.core.errors import InvalidInput, NotAllowed


def _meeting(alliance, actor, **extra):
    values = {
        "committee": alliance.committee,
        "kind": "monthly",
        "held_on": timezone.localdate(),
        "topic": "十一月月议事",
        "attendees": [alliance.school],
    }
    return services.record_meeting(actor=actor, **(values | extra))


# ---- committees and member units ----------------------------------------------------------------


def test_street_staff_set_up_a_committee_once(tree, people):
    committee = services.save_committee(
        actor=people["carol"], unit=tree.street_a, name=" 甲街道大党委 ", kind="party_committee"
    )
    assert committee.name == "甲街道大党委"
    assert committee.unit_code == tree.street_a.code
    with pytest.raises(InvalidInput) as twice:
        services.save_committee(
            actor=people["carol"], unit=tree.street_a, name="甲街道大党委", kind="work_committee"
        )
    assert twice.value.field == "name"
    # The same name at another unit is another committee.
    services.save_committee(
        actor=people["carol"], unit=tree.community_a1, name="甲街道大党委", kind="party_committee"
    )
    assert JointCommittee.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "kind", "field"), [("", "work_committee", "name"), ("x", "club", "kind")]
)
def test_a_committee_needs_a_name_and_a_known_kind(tree, people, name, kind, field):
    with pytest.raises(InvalidInput) as error:
        services.save_committee(actor=people["carol"], unit=tree.street_a, name=name, kind=kind)
    assert error.value.field == field
    assert not JointCommittee.objects.exists()


@pytest.mark.parametrize("who", ["alice", "dave", "erin", "mallory"])
def test_only_staff_keep_committees(tree, people, who):
    """Grid workers, the read-only leader, departments and people without a posting may not."""
    with pytest.raises(NotAllowed):
        services.save_committee(
            actor=people[who], unit=tree.community_a1, name="甲一大党委", kind="party_committee"
        )
    assert not JointCommittee.objects.exists()


def test_staff_of_another_street_may_not_keep_this_streets_committee(alliance):
    with pytest.raises(NotAllowed):
        services.add_member_unit(
            actor=alliance.outsider, committee=alliance.committee, name="乙公司", kind="enterprise"
        )
    assert alliance.committee.members.count() == 2


def test_a_member_unit_hangs_where_its_committee_does(alliance, tree, people):
    member = services.add_member_unit(
        actor=people["carol"],
        committee=alliance.committee,
        name="物业公司",
        kind="property",
        contact="  王经理 ",
        offer="x" * 400,
    )
    assert (member.unit_id, member.unit_code) == (tree.street_a.pk, tree.street_a.code)
    assert member.contact == "王经理" and len(member.offer) == 300
    assert member.joined_on == timezone.localdate()
    with pytest.raises(InvalidInput) as twice:
        services.add_member_unit(
            actor=people["carol"], committee=alliance.committee, name="物业公司", kind="other"
        )
    assert twice.value.field == "name"
    with pytest.raises(InvalidInput) as unknown:
        services.add_member_unit(
            actor=people["carol"], committee=alliance.committee, name="某单位", kind="club"
        )
    assert unknown.value.field == "kind"


# ---- meetings -----------------------------------------------------------------------------------


def test_a_meeting_keeps_who_came_the_minutes_and_each_resolution(alliance, people):
    meeting = _meeting(
        alliance,
        people["carol"],
        attendees=[alliance.school, alliance.hospital],
        minutes=" 议定两件事 ",
        resolutions=["整治学校门口交通秩序 ", "", "  ", "增设护学岗"],
    )
    assert meeting.unit_code == alliance.committee.unit_code
    assert meeting.recorded_by == people["carol"]
    assert meeting.minutes == "议定两件事"
    assert set(meeting.attendees.all()) == {alliance.school, alliance.hospital}
    assert list(meeting.resolutions.values_list("text", flat=True)) == [
        "整治学校门口交通秩序",
        "增设护学岗",
    ]


def test_a_meeting_is_recorded_after_it_is_held(alliance, people):
    with pytest.raises(InvalidInput) as error:
        _meeting(alliance, people["carol"], held_on=timezone.localdate() + dt.timedelta(days=1))
    assert error.value.field == "held_on"
    assert not JointMeeting.objects.exists()


def test_a_meeting_needs_attendees_from_its_own_committee(alliance, tree, people):
    with pytest.raises(InvalidInput) as nobody:
        _meeting(alliance, people["carol"], attendees=[])
    assert nobody.value.field == "attendees"
    other = services.save_committee(
        actor=people["carol"], unit=tree.community_a1, name="甲一大党委", kind="party_committee"
    )
    stranger = services.add_member_unit(
        actor=people["carol"], committee=other, name="甲一幼儿园", kind="school"
    )
    with pytest.raises(InvalidInput) as foreign:
        _meeting(alliance, people["carol"], attendees=[alliance.school, stranger])
    assert foreign.value.field == "attendees"
    assert not JointMeeting.objects.exists()


def test_the_read_only_leader_records_no_meeting(alliance, people):
    with pytest.raises(NotAllowed):
        _meeting(alliance, people["dave"])
    assert not JointMeeting.objects.exists()


# ---- resolutions become tasks --------------------------------------------------------------------


def test_a_resolution_becomes_a_task_in_a_community_under_the_committee(alliance, tree, people):
    meeting = _meeting(alliance, people["carol"], resolutions=["增设护学岗"])
    resolution = meeting.resolutions.get()
    task = community.task_from_resolution(
        actor=people["carol"],
        resolution=resolution,
        unit=tree.community_a1,
        title="",
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    task.refresh_from_db()
    assert task.resolution == resolution
    assert task.title == "增设护学岗"  # no title given: the resolution's text
    assert task.unit_code == tree.community_a1.code
    assert task.status == TaskStatus.OPEN
    assert "增设护学岗" in task.source and str(meeting) in task.source
    assert list(resolution.tasks.all()) == [task]


def test_a_task_stays_under_the_committee(alliance, tree, people):
    meeting = _meeting(alliance, people["carol"], resolutions=["增设护学岗"])
    with pytest.raises(InvalidInput) as error:
        community.task_from_resolution(
            actor=people["carol"],
            resolution=meeting.resolutions.get(),
            unit=tree.community_b1,
            title="护学岗",
            due_on=timezone.localdate() + dt.timedelta(days=7),
        )
    assert error.value.field == "unit"
    assert not Task.objects.exists()


def test_a_task_is_not_due_in_the_past_nor_made_by_the_read_only_leader(alliance, tree, people):
    meeting = _meeting(alliance, people["carol"], resolutions=["增设护学岗"])
    resolution = Resolution.objects.get(meeting=meeting)
    with pytest.raises(InvalidInput) as past:
        community.task_from_resolution(
            actor=people["carol"],
            resolution=resolution,
            unit=tree.community_a1,
            title="护学岗",
            due_on=timezone.localdate() - dt.timedelta(days=1),
        )
    assert past.value.field == "due_on"
    with pytest.raises(NotAllowed):
        community.task_from_resolution(
            actor=people["dave"],
            resolution=resolution,
            unit=tree.community_a1,
            title="护学岗",
            due_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert not Task.objects.exists()
