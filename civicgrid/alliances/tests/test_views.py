"""Joint committee pages tried as every persona: anonymous (to the log-in), out of scope (404
like a missing row), the read-only leader (reads, writes nothing) and street staff (keep it)."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from civicgrid.alliances import services
from civicgrid.alliances.models import JointCommittee, JointMeeting, MemberUnit
from civicgrid.community.models import Task


@pytest.fixture
def meeting(alliance, people):
    return services.record_meeting(
        actor=people["carol"],
        committee=alliance.committee,
        kind="quarterly",
        held_on=timezone.localdate(),
        topic="第四季度联席会",
        attendees=[alliance.school],
        minutes="议定护学岗",
        resolutions=["增设护学岗", "开放学校操场"],
    )


def _message(response) -> str:
    """The message the request added last (earlier ones wait, unread, in the cookie)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def _week() -> str:
    return (timezone.localdate() + dt.timedelta(days=7)).isoformat()


def test_anonymous_visitors_are_sent_to_log_in(client, alliance, meeting, tree):
    for url in (
        "/alliances/",
        f"/alliances/u/{tree.street_a.code}/",
        f"/alliances/meetings/{meeting.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/"), url
    response = client.post(
        f"/alliances/u/{tree.street_a.code}/",
        {"action": "committee", "name": "匿名委员会", "kind": "work_committee"},
    )
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert JointCommittee.objects.count() == 1


def test_a_unit_or_meeting_out_of_scope_is_not_found(client, alliance, meeting, tree):
    client.force_login(alliance.outsider)
    assert client.get(f"/alliances/u/{tree.street_a.code}/").status_code == 404
    assert client.get(f"/alliances/meetings/{meeting.pk}/").status_code == 404
    assert client.get("/alliances/meetings/999999/").status_code == 404
    response = client.post(
        f"/community/meetings/{meeting.pk}/tasks/",
        {"resolution": meeting.resolutions.first().pk, "due_on": _week()},
    )
    assert response.status_code == 404
    assert not Task.objects.exists()
    # Its own community page does not list street A's committee.
    page = client.get(f"/alliances/u/{tree.community_b1.code}/").content.decode()
    assert "甲街道大工委" not in page


def test_a_community_sees_the_committee_of_its_street(client, alliance, meeting, tree, people):
    client.force_login(people["alice"])
    page = client.get(f"/alliances/u/{tree.grid_a1_1.code}/").content.decode()
    assert "甲街道大工委" in page and "甲一小学" in page
    # A grid worker reads, but is offered no form.
    assert 'name="action" value="committee"' not in page


def test_the_read_only_leader_reads_but_changes_nothing(client, alliance, meeting, tree, people):
    client.force_login(people["dave"])
    page = client.get(f"/alliances/u/{tree.street_a.code}/")
    assert page.status_code == 200
    assert "第四季度联席会" in page.content.decode()
    assert 'value="committee"' not in page.content.decode()
    response = client.post(
        f"/alliances/u/{tree.street_a.code}/",
        {"action": "member", "committee": alliance.committee.pk, "name": "某公司", "kind": "other"},
    )
    assert response.status_code == 302
    assert _message(response) == "You may not keep the joint committees here."
    assert MemberUnit.objects.count() == 2
    detail = client.get(f"/alliances/meetings/{meeting.pk}/")
    assert detail.status_code == 200 and "Make it a task to claim" not in detail.content.decode()
    client.post(
        f"/community/meetings/{meeting.pk}/tasks/",
        {"resolution": meeting.resolutions.first().pk, "title": "护学岗", "due_on": _week()},
    )
    assert not Task.objects.exists()


def test_street_staff_set_up_a_committee_its_members_and_a_meeting(client, tree, people):
    client.force_login(people["carol"])
    url = f"/alliances/u/{tree.street_a.code}/"
    assert client.get("/alliances/").status_code == 200
    client.post(url, {"action": "committee", "name": "甲街道大党委", "kind": "party_committee"})
    committee = JointCommittee.objects.get()
    for name, kind in (("甲一小学", "school"), ("甲派出所", "government")):
        client.post(
            url, {"action": "member", "committee": committee.pk, "name": name, "kind": kind}
        )
    school, police = committee.members.order_by("name")
    response = client.post(
        url,
        {
            "action": "meeting",
            "committee": committee.pk,
            "kind": "monthly",
            "held_on": timezone.localdate().isoformat(),
            "topic": "十一月月议事",
            "attendees": [school.pk],
            "minutes": "两项议题",
            "resolutions": "整治学校门口交通秩序\r\n增设护学岗\r\n",
        },
    )
    assert response.status_code == 302 and response.url == url
    assert _message(response) == "Saved."
    meeting = JointMeeting.objects.get()
    assert list(meeting.attendees.all()) == [school]
    page = client.get(f"/alliances/meetings/{meeting.pk}/").content.decode()
    # Who came, who did not, and each resolution with the form that makes it a task.
    assert "甲一小学" in page and "absent" in page and police.name in page
    assert "整治学校门口交通秩序" in page and "增设护学岗" in page
    assert "Make it a task to claim" in page
    listing = client.get(url).content.decode()
    assert "十一月月议事" in listing and "1 unit attended" in listing


def test_a_meeting_with_a_bad_date_or_no_attendees_is_refused_with_a_message(
    client, alliance, tree, people
):
    client.force_login(people["carol"])
    url = f"/alliances/u/{tree.street_a.code}/"
    base = {"action": "meeting", "committee": alliance.committee.pk, "kind": "monthly"}
    response = client.post(url, base | {"held_on": "2026-13-40", "topic": "x"})
    assert _message(response) == "Enter a date."
    response = client.post(url, base | {"held_on": timezone.localdate().isoformat(), "topic": "x"})
    assert _message(response) == "Tick the member units that attended."
    assert not JointMeeting.objects.exists()


def test_a_resolution_becomes_a_task_shown_on_the_meeting(client, meeting, tree, people):
    client.force_login(people["carol"])
    resolution = meeting.resolutions.get(text="增设护学岗")
    response = client.post(
        f"/community/meetings/{meeting.pk}/tasks/",
        {
            "resolution": resolution.pk,
            "unit": tree.community_a1.code,
            "title": "早晚护学岗",
            "due_on": _week(),
        },
    )
    assert response.status_code == 302 and _message(response) == "Task created."
    task = Task.objects.get()
    assert (task.resolution, task.unit_code, task.title) == (
        resolution,
        tree.community_a1.code,
        "早晚护学岗",
    )
    page = client.get(f"/alliances/meetings/{meeting.pk}/").content.decode()
    assert f'href="/community/tasks/{task.pk}/"' in page


def test_a_task_goes_only_to_a_unit_under_the_committee_the_user_may_see(
    client, meeting, tree, people
):
    client.force_login(people["carol"])
    url = f"/community/meetings/{meeting.pk}/tasks/"
    resolution = meeting.resolutions.first()
    data = {"resolution": resolution.pk, "title": "护学岗", "due_on": _week()}
    # Street B is not carol's: like a missing unit.
    assert client.post(url, data | {"unit": tree.street_b.code}).status_code == 404
    # The district is above the committee (and not carol's either).
    assert client.post(url, data | {"unit": tree.district.code}).status_code == 404
    # A resolution of another meeting is not this meeting's.
    other = services.record_meeting(
        actor=people["carol"],
        committee=meeting.committee,
        kind="special",
        held_on=timezone.localdate(),
        topic="专题会",
        attendees=meeting.attendees.all(),
        resolutions=["另一项"],
    )
    foreign = other.resolutions.get()
    assert client.post(url, data | {"resolution": foreign.pk}).status_code == 404
    assert not Task.objects.exists()
