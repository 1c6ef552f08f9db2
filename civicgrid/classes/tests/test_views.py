"""Class pages and API: staff pages scoped, public pages without a login."""

import datetime as dt

import pytest

from civicgrid.classes import services
from civicgrid.classes.models import Enrolment, EnrolmentStatus


@pytest.fixture
def staff_client(client, classroom):
    client.force_login(classroom.staff)
    return client


def test_staff_pages_render(staff_client, classroom, session, tree):
    s = session(classroom.lectures, teacher=classroom.teacher)
    code = tree.community_a1.code
    for url in (
        f"/classes/u/{code}/",
        f"/classes/u/{code}/venues/",
        f"/classes/u/{code}/teachers/",
        f"/classes/u/{code}/plan/2026/",
        f"/classes/u/{code}/figures/?from=2026-01&to=2026-12",
        f"/classes/u/{code}/topics/",
        f"/classes/courses/{classroom.lectures.pk}/",
        f"/classes/sessions/{s.pk}/",
        f"/classes/teachers/{classroom.teacher.pk}/",
        f"/party/u/{code}/",
        f"/party/branches/{classroom.branch.pk}/",
        f"/party/members/{classroom.member.pk}/",
        f"/party/u/{code}/shop/",
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url
    roster = staff_client.get(f"/classes/sessions/{s.pk}/").content.decode()
    assert "<svg" in roster and s.checkin_token in roster


def test_out_of_scope_is_not_found(client, classroom, session, people, tree):
    s = session()
    client.force_login(people["bob"])  # grid A1-2: sees the grid, not A1
    assert client.get(f"/classes/sessions/{s.pk}/").status_code == 404
    assert client.get(f"/party/members/{classroom.member.pk}/").status_code == 404
    assert client.get(f"/classes/u/{tree.community_a1.code}/").status_code == 404


def test_staff_schedule_and_enrol_through_the_pages(staff_client, classroom, tree):
    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = staff_client.post(
        f"/classes/courses/{classroom.night_school.pk}/",
        {
            "day": day,
            "start": "19:00",
            "end": "20:30",
            "capacity": "2",
            "venue": classroom.venue.pk,
            "topic": "手机挂号",
        },
    )
    assert response.status_code == 302
    s = classroom.night_school.sessions.get()
    assert s.class_hours == 1.5 and s.section == "evening"
    clash = staff_client.post(
        f"/classes/courses/{classroom.lectures.pk}/",
        {
            "day": day,
            "start": "20:00",
            "end": "21:00",
            "capacity": "2",
            "venue": classroom.venue.pk,
        },
        follow=True,
    )
    assert "is taken" in clash.content.decode()
    staff_client.post(f"/classes/sessions/{s.pk}/enrol", {"name": "张三", "phone": "13800000001"})
    assert Enrolment.objects.get().verified


def _code(client, phone: str, purpose: str, sent_code) -> str:
    client.post(f"/m/code/?purpose={purpose}", {"phone": phone}, headers={"HX-Request": "true"})
    return sent_code(phone)


def test_resident_enrols_on_the_public_page_and_cancels(
    client, classroom, session, tree, sent_code
):
    s = session(capacity=1)
    page = client.get(f"/classes/c/{tree.community_a1.code}/")
    assert page.status_code == 200 and "夜校·智能手机" in page.content.decode()
    assert 'name="code"' in page.content.decode()
    made = client.post(
        f"/classes/c/{tree.community_a1.code}/",
        {
            "action": "enrol",
            "session": s.pk,
            "name": "甲",
            "phone": "13800000001",
            "code": _code(client, "13800000001", "enrol", sent_code),
        },
    )
    enrolment = Enrolment.objects.get()
    assert made.url == f"/classes/e/{enrolment.token}/"
    assert "138****0001" in client.get(made.url).content.decode()
    # The same browser sees it on the unit's page.
    assert enrolment.token in client.get(f"/classes/c/{tree.community_a1.code}/").content.decode()
    client.post(made.url, {"action": "cancel"})
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CANCELLED


def test_a_public_enrolment_needs_the_code_sent_to_the_phone(
    client, classroom, session, tree, sent_code
):
    s = session(capacity=5)
    url = f"/classes/c/{tree.community_a1.code}/"
    form = {"action": "enrol", "session": s.pk, "name": "甲", "phone": "13800000001"}
    client.post(url, form)
    client.post(url, form | {"code": "000000"})
    assert not Enrolment.objects.exists()
    code = _code(client, "13800000002", "enrol", sent_code)
    client.post(url, form | {"code": code})  # a code sent to another phone
    assert not Enrolment.objects.exists()
    client.post(url, form | {"code": _code(client, "13800000001", "topic", sent_code)})
    assert not Enrolment.objects.exists()  # a code for another purpose


def test_a_wrong_code_shows_the_form_again_filled_in(client, classroom, session, tree):
    s = session(capacity=5)
    url = f"/classes/c/{tree.community_a1.code}/"
    form = {"action": "enrol", "session": s.pk, "name": "张秀英", "phone": "13812345678"}
    response = client.post(url, form | {"code": "000000"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="张秀英"' in page and 'value="13812345678"' in page
    assert page.count("<details open>") == 1 and "000000" not in page
    proposed = {"action": "propose", "title": "智能手机课", "name": "李", "phone": "13900001111"}
    page = client.post(url, proposed | {"code": "1"}).content.decode()
    assert 'value="智能手机课"' in page and 'value="李"' in page


def test_a_topic_support_needs_the_code(client, classroom, tree, sent_code):
    topic = services.propose_topic(
        unit=tree.community_a1, title="防诈骗", proposer="甲", phone="13800000001"
    )
    url = f"/classes/c/{tree.community_a1.code}/"
    form = {"action": "support", "topic": topic.pk, "phone": "13800000002"}
    client.post(url, form)
    topic.refresh_from_db()
    assert topic.support == 1
    client.post(url, form | {"code": _code(client, "13800000002", "topic", sent_code)})
    topic.refresh_from_db()
    assert topic.support == 2


def test_staff_need_no_code_to_enrol_on_the_public_page(staff_client, classroom, session, tree):
    s = session(capacity=5)
    staff_client.post(
        f"/classes/c/{tree.community_a1.code}/",
        {"action": "enrol", "session": s.pk, "name": "甲", "phone": "13800000001"},
    )
    assert Enrolment.objects.get().verified


def test_board_and_calendar_are_public(client, classroom, session, tree):
    s = session(classroom.lectures)
    board = client.get(f"/classes/c/{tree.community_a1.code}/board/")
    assert board.status_code == 200 and "周四大讲堂" in board.content.decode()
    assert 'hx-trigger="every 60s"' in board.content.decode()
    ics = client.get(f"/classes/c/{tree.community_a1.code}/sessions.ics")
    assert ics["Content-Type"] == "text/calendar" and f"session-{s.pk}" in ics.content.decode()


def _api_code(client, phone: str, sent_code) -> str:
    client.post(
        "/api/v1/messaging/public/codes",
        {"phone": phone, "purpose": "enrol"},
        content_type="application/json",
    )
    return sent_code(phone)


def test_public_api_enrol_and_cancel(client, classroom, session, tree, sent_code):
    s = session(capacity=1)
    listed = client.get(f"/api/v1/classes/public/{tree.community_a1.code}/sessions").json()
    assert [row["id"] for row in listed] == [s.pk]
    uncoded = client.post(
        f"/api/v1/classes/public/sessions/{s.pk}/enrolments",
        {"name": "甲", "phone": "13800000001"},
        content_type="application/json",
    )
    assert uncoded.status_code == 400 and uncoded.json()["error"]["field"] == "code"
    made = client.post(
        f"/api/v1/classes/public/sessions/{s.pk}/enrolments",
        {"name": "甲", "phone": "13800000001", "code": _api_code(client, "13800000001", sent_code)},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["status"] == "enrolled"
    second = client.post(
        f"/api/v1/classes/public/sessions/{s.pk}/enrolments",
        {"name": "乙", "phone": "13800000002", "code": _api_code(client, "13800000002", sent_code)},
        content_type="application/json",
    )
    assert second.json()["status"] == "waitlisted"
    bad = client.post(
        f"/api/v1/classes/public/sessions/{s.pk}/enrolments",
        {"name": "丙", "phone": "12345"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "phone"
    token = made.json()["token"]
    client.post(f"/api/v1/classes/public/enrolments/{token}/cancel")
    assert (
        client.get(f"/api/v1/classes/public/enrolments/{second.json()['token']}").json()["status"]
        == "enrolled"
    )


def test_staff_api_figures_and_member(staff_client, classroom, session, tree, monkeypatch):
    s = session()
    e = services.enrol(actor=None, session=s, name="刘党员", phone="13600002222")
    monkeypatch.setattr(services, "_now", lambda: s.starts_at)
    services.check_in(actor=classroom.staff, enrolment=e)
    month = s.starts_at.strftime("%Y-%m")
    figures = staff_client.get(
        f"/api/v1/classes/units/{tree.community_a1.code}/figures?start={month}&end={month}"
    ).json()
    assert (figures["attended"], figures["points_earned"]) == (1, 2)
    member = staff_client.get(f"/api/v1/party/members/{classroom.member.pk}").json()
    assert (member["balance"], member["study_hours"]) == (2, 2.0)


@pytest.mark.parametrize("year", [0, 1, 9999, 99999, 10**20])
def test_a_plan_for_an_impossible_year_is_a_404_not_a_500(staff_client, tree, year):
    response = staff_client.get(f"/classes/u/{tree.community_a1.code}/plan/{year}/")
    assert response.status_code == 404


# What a page answers for an id a form sends that is no id: a stale or altered form.
NO_SUCH_ITEM = "The form names an item that does not exist"


def test_a_non_numeric_topic_to_answer_is_a_400_with_the_message(staff_client, tree):
    # It was a 500: the form value was parsed outside the service's error handling.
    response = staff_client.post(
        f"/classes/u/{tree.community_a1.code}/topics/", {"topic": "abc", "status": "accepted"}
    )
    assert response.status_code == 400
    assert NO_SUCH_ITEM in response.content.decode()


def test_non_numeric_ids_in_class_forms_are_refused(staff_client, classroom, session, tree):
    s = session(capacity=5)
    code = tree.community_a1.code
    day = s.starts_at.date().isoformat()
    slot = {"day": day, "start": "09:00", "end": "10:00", "capacity": "5"}
    posts = [
        (
            f"/classes/u/{code}/teachers/",
            {"name": "李老师", "kind": "professional", "member": "abc"},
        ),
        (f"/classes/courses/{classroom.night_school.pk}/", slot | {"venue": "abc"}),
        (f"/classes/courses/{classroom.night_school.pk}/", slot | {"teacher": "abc"}),
        (f"/classes/sessions/{s.pk}/check_in", {"enrolment": "abc"}),
        (f"/classes/c/{code}/", {"action": "enrol", "session": "abc", "name": "甲"}),
        (f"/classes/c/{code}/", {"action": "support", "topic": "abc", "phone": "13800000002"}),
        (f"/classes/q/{s.checkin_token}/", {"enrolment": "abc"}),
    ]
    for url, data in posts:
        response = staff_client.post(url, data, follow=True)
        assert response.status_code in {200, 400}, (url, data)
        assert NO_SUCH_ITEM in response.content.decode(), (url, data)
    assert not Enrolment.objects.exists()
