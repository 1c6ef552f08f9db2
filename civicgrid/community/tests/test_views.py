"""Community and joint committee pages: staff flows through the forms, scoping, a party
member's tasks on the phone."""

import datetime as dt

from civicgrid.alliances import services as alliances
from civicgrid.alliances.models import JointMeeting
from civicgrid.community import services
from civicgrid.community.models import Need, NeedStatus, Resource, Task, TaskStatus


def test_staff_record_match_and_meet_a_need_through_the_pages(client, lists, tree):
    code = tree.community_a1.code
    client.force_login(lists.staff)
    client.post(
        f"/community/u/{code}/",
        {
            "action": "resource",
            "title": "助浴",
            "category": "elderly",
            "provider_kind": "partner",
            "provider": "邻里家政",
            "capacity": "2",
        },
    )
    client.post(
        f"/community/u/{code}/",
        {
            "action": "need",
            "unit": tree.grid_a1_1.code,
            "title": "独居老人助浴",
            "category": "elderly",
            "source": "door_survey",
            "people": "1",
        },
    )
    need = Need.objects.get()
    page = client.get(f"/community/needs/{need.pk}/").content.decode()
    assert "助浴" in page and "same category" in page
    client.post(
        f"/community/needs/{need.pk}/", {"step": "match", "resource": Resource.objects.get().pk}
    )
    client.post(f"/community/needs/{need.pk}/", {"step": "meet", "answer": "每周助浴一次"})
    need.refresh_from_db()
    assert need.status == NeedStatus.MET
    for url in (
        f"/community/u/{code}/",
        f"/community/u/{code}/figures/",
        f"/community/partners/{lists.partner.pk}/",
        f"/alliances/u/{code}/",
    ):
        assert client.get(url).status_code == 200, url


def test_out_of_scope_is_not_found(client, lists, need, people):
    wanted = need()
    client.force_login(people["bob"])
    assert client.get(f"/community/needs/{wanted.pk}/").status_code == 404
    assert client.get(f"/community/partners/{lists.partner.pk}/").status_code == 404


def test_a_meeting_resolution_becomes_a_task_a_member_claims(client, lists, tree, make_user):
    committee = alliances.save_committee(
        lists.staff, unit=tree.community_a1, name="甲一大党委", kind="party_committee"
    )
    school = alliances.add_member_unit(
        lists.staff, committee=committee, name="甲一小学", kind="school"
    )
    client.force_login(lists.staff)
    client.post(
        f"/alliances/u/{tree.community_a1.code}/",
        {
            "action": "meeting",
            "committee": committee.pk,
            "kind": "monthly",
            "held_on": dt.date.today().isoformat(),
            "topic": "十一月月议事",
            "attendees": [school.pk],
            "resolutions": "整治学校门口交通秩序\n增设护学岗",
        },
    )
    meeting = JointMeeting.objects.get()
    first = meeting.resolutions.first()
    # The form on the meeting's page posts to community, which makes the task.
    response = client.post(
        f"/community/meetings/{meeting.pk}/tasks/",
        {
            "resolution": first.pk,
            "unit": tree.community_a1.code,
            "title": "早晚护学岗",
            "due_on": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert response.url == f"/alliances/meetings/{meeting.pk}/"
    page = client.get(response.url).content.decode()
    assert f'action="/community/meetings/{meeting.pk}/tasks/"' in page and "早晚护学岗" in page
    task = Task.objects.get()
    assert task.resolution == first and "整治学校门口交通秩序" in task.source
    user = make_user("zhao")
    lists.member.user = user
    lists.member.save()
    client.force_login(user)
    assert "早晚护学岗" in client.get("/community/tasks/mine/").content.decode()
    client.post(f"/community/tasks/{task.pk}/", {"step": "claim"})
    client.post(f"/community/tasks/{task.pk}/", {"step": "report", "report": "已安排 4 人"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.member == lists.member
    # A member unit claims another one, recorded by staff.
    other = services.create_task(
        actor=lists.staff, unit=tree.community_a1, title="捐赠图书", due_on=dt.date.today()
    )
    client.force_login(lists.staff)
    client.post(f"/community/tasks/{other.pk}/", {"step": "claim", "member_unit": school.pk})
    other.refresh_from_db()
    assert other.member_unit == school
    # A member unit with a login of its own claims and reports on its phone page.
    school.user = make_user("school")
    school.save()
    third = services.create_task(
        actor=lists.staff, unit=tree.community_a1, title="四点半课堂助教", due_on=dt.date.today()
    )
    client.force_login(school.user)
    page = client.get("/community/tasks/mine/").content.decode()
    assert "四点半课堂助教" in page and "捐赠图书" in page  # open to claim; claimed for it
    assert "I claim it" in client.get(f"/community/tasks/{third.pk}/").content.decode()
    client.post(f"/community/tasks/{third.pk}/", {"step": "claim"})
    page = client.get(f"/community/tasks/{third.pk}/").content.decode()
    assert 'name="report"' in page
    client.post(f"/community/tasks/{third.pk}/", {"step": "report", "report": "两名教师到场"})
    third.refresh_from_db()
    assert third.status == TaskStatus.DONE and third.member_unit == school


# What a page answers for an id a form sends that is no id: a stale or altered form.
NO_SUCH_ITEM = "The form names an item that does not exist"


def test_a_non_numeric_resource_for_a_need_is_a_400_with_the_message(client, need, people):
    # It was a 500: the form value was parsed outside the service's error handling.
    wanted = need()
    client.force_login(people["carol"])
    response = client.post(f"/community/needs/{wanted.pk}/", {"step": "match", "resource": "abc"})
    assert response.status_code == 400
    assert NO_SUCH_ITEM in response.content.decode()
    wanted.refresh_from_db()
    assert wanted.status == NeedStatus.OPEN


def test_non_numeric_ids_in_community_and_committee_forms_are_refused(client, lists, tree):
    committee = alliances.save_committee(
        lists.staff, unit=tree.community_a1, name="甲一大党委", kind="party_committee"
    )
    school = alliances.add_member_unit(
        lists.staff, committee=committee, name="甲一小学", kind="school"
    )
    alliances.record_meeting(
        lists.staff,
        committee=committee,
        kind="monthly",
        held_on=dt.date.today(),
        topic="月议事",
        attendees=[school],
        minutes="",
        resolutions=["增设护学岗"],
    )
    meeting = JointMeeting.objects.get()
    task = services.create_task(
        actor=lists.staff, unit=tree.community_a1, title="t", due_on=dt.date.today()
    )
    code = tree.community_a1.code
    posts = [
        (f"/community/tasks/{task.pk}/", {"step": "claim", "member": "abc"}),
        (f"/community/tasks/{task.pk}/", {"step": "claim", "member_unit": "abc"}),
        (f"/alliances/u/{code}/", {"action": "member", "committee": "abc", "name": "x"}),
        (f"/alliances/u/{code}/", {"action": "meeting", "committee": "abc"}),
        (
            f"/alliances/u/{code}/",
            {"action": "meeting", "committee": committee.pk, "attendees": ["abc"]},
        ),
        (f"/community/meetings/{meeting.pk}/tasks/", {"resolution": "abc", "title": "x"}),
    ]
    client.force_login(lists.staff)
    for url, data in posts:
        response = client.post(url, data, follow=True)
        assert response.status_code in {200, 400}, (url, data)
        assert NO_SUCH_ITEM in response.content.decode(), (url, data)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert JointMeeting.objects.count() == 1


def test_a_partners_login_reads_its_own_page_only(client, lists, tree, make_user):
    other = services.save_partner(
        actor=lists.staff,
        unit=tree.community_a1,
        data=services.PartnerData(name="乐龄食堂", joined_on=dt.date(2025, 5, 1), space=True),
    )
    services.record_activity(
        actor=lists.staff,
        partner=lists.partner,
        title="义剪",
        held_on=dt.date.today(),
        people_served=35,
    )
    lists.partner.user = make_user("linli")
    lists.partner.save()
    client.force_login(lists.partner.user)
    assert "义剪" in client.get(f"/community/partners/{lists.partner.pk}/").content.decode()
    page = client.get("/community/partners/mine/").content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    assert "义剪" in main and 'method="post"' not in main
    assert client.get(f"/community/partners/{other.pk}/").status_code == 404
    # Staff record its activities, not the partner itself.
    client.post(
        f"/community/partners/{lists.partner.pk}/",
        {"title": "自报活动", "held_on": dt.date.today(), "people_served": 500},
    )
    assert not lists.partner.activities.filter(title="自报活动").exists()
    client.force_login(make_user("nobody"))
    assert client.get("/community/partners/mine/")["Location"] == "/"
