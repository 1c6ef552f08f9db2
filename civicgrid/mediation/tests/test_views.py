"""The mediation pages, for the roles that may open them and those that may not: the mediator's
phone page, the desk's board, intake, the case page and its steps, sessions, the pool, the
consultation log, the figures, and the one-click cases from an event and a situation."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.core.models import AccessLog
from civicgrid.events.models import Status
from civicgrid.mediation import services
from civicgrid.mediation.models import Case, CaseParty, CaseStatus, Consultation, Mediator
from civicgrid.mediation.tests.conftest import an_hour_ago, dispute
from civicgrid.org.roles import Role
from civicgrid.people import services as people

pytestmark = pytest.mark.django_db


@pytest.fixture
def others(tree, make_user):
    """Those who never see a case: a grid worker of another community's grid, a department's
    handler, a volunteer's login, a read-only leader (who reads the figures only)."""
    from civicgrid.volunteers import services as volunteers

    staff = make_user("vera_staff", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)
    volunteer = volunteers.register_volunteer(
        actor=staff,
        unit=tree.community_a1,
        data=volunteers.VolunteerData(name="李师傅", phone="13500001111"),
    )
    volunteer.user = make_user("vera")
    volunteer.save()
    return {
        "grid_b": make_user("gina", unit=tree.grid_b1_1, role=Role.GRID_WORKER),
        "grid_a": make_user("gabe", unit=tree.grid_a1_1, role=Role.GRID_WORKER),
        "department": make_user("dora", unit=tree.police_a, role=Role.DEPARTMENT_HANDLER),
        "volunteer": volunteer.user,
        "leader": make_user("leo", unit=tree.district, role=Role.LEADER_READONLY),
    }


def _agree(desk, case):
    case = services.accept_case(actor=desk.staff, case=case, lead=desk.lead)
    services.record_session(
        actor=desk.mediator_user,
        case=case,
        data=services.SessionData(held_at=an_hour_ago(), notes="双方陈述", venue=desk.room),
    )
    return services.reach_agreement(
        actor=desk.mediator_user, case=case, terms="楼上十点后不再使用洗衣机"
    )


# ---- who opens what ----------------------------------------------------------------------------


def test_the_desk_opens_every_page_of_its_unit(client, desk, walk_in, tree):
    case = walk_in()
    code = tree.community_a1.code
    client.force_login(desk.staff)
    for name, args in [
        ("mediation:board", [code]),
        ("mediation:new_case", [code]),
        ("mediation:pool", [code]),
        ("mediation:consultations", [code]),
        ("mediation:figures", [code]),
        ("mediation:case", [case.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    # Desk staff who mediate nothing find their board at /mediation/.
    assert client.get(reverse("mediation:home")).url == reverse("mediation:board", args=[code])
    # The street's desk sees the community's case and board too.
    client.force_login(tree and desk.lawyer.unit and _street_staff(tree))
    assert client.get(reverse("mediation:case", args=[case.pk])).status_code == 200
    assert client.get(reverse("mediation:board", args=[code])).status_code == 200


def _street_staff(tree):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="sam")


def test_no_one_else_sees_a_case_or_a_board(client, desk, walk_in, tree, others):
    case = walk_in()
    party = case.parties.first()
    code = tree.community_a1.code
    for name, user in others.items():
        client.force_login(user)
        for url in [
            reverse("mediation:case", args=[case.pk]),
            reverse("mediation:new_session", args=[case.pk]),
            reverse("mediation:board", args=[code]),
            reverse("mediation:new_case", args=[code]),
            reverse("mediation:pool", args=[code]),
        ]:
            assert client.get(url).status_code in (403, 404), (name, url)
        response = client.post(
            reverse("mediation:reveal_phone", args=[party.pk]), {"reason": "看看"}
        )
        assert response.status_code == 404, name
        assert client.get(reverse("mediation:home")).status_code == 404, name
    assert not AccessLog.objects.exists()
    # Anonymous users are sent to log in.
    client.logout()
    response = client.get(reverse("mediation:case", args=[case.pk]))
    assert response.status_code == 302 and reverse("login") in response.url
    assert reverse("login") in client.get(reverse("mediation:home")).url


def test_the_leader_reads_the_figures_and_the_log_but_no_case(client, desk, walk_in, tree, others):
    walk_in()
    client.force_login(others["leader"])
    code = tree.community_a1.code
    assert client.get(reverse("mediation:figures", args=[code])).status_code == 200
    assert client.get(reverse("mediation:figures", args=[tree.district.code])).status_code == 200
    page = client.get(reverse("mediation:consultations", args=[code]))
    assert page.status_code == 200 and 'id="consultation-form"' not in page.content.decode()
    response = client.post(
        reverse("mediation:consultations", args=[code]),
        {"held_on": "2026-01-05", "residents_served": "3", "topics": "x", "lawyer_name": "王"},
    )
    assert response.status_code == 404 and not Consultation.objects.exists()
    for name in ("grid_b", "department", "volunteer"):
        client.force_login(others[name])
        assert client.get(reverse("mediation:figures", args=[code])).status_code == 404


def test_a_mediator_sees_only_their_own_cases(client, desk, walk_in, tree):
    mine = services.accept_case(actor=desk.staff, case=walk_in(), lead=desk.lead)
    other = walk_in(title="别人的案件")
    client.force_login(desk.mediator_user)
    page = client.get(reverse("mediation:home")).content.decode()
    assert mine.number in page and other.number not in page
    assert reverse("mediation:new_session", args=[mine.pk]) in page
    assert client.get(reverse("mediation:case", args=[mine.pk])).status_code == 200
    assert client.get(reverse("mediation:case", args=[other.pk])).status_code == 404
    # No board, no pool: those are the desk's.
    assert client.get(reverse("mediation:board", args=[tree.community_a1.code])).status_code == 404


# ---- the board ---------------------------------------------------------------------------------


def test_the_board_filters_counts_and_flags_what_is_overdue(client, desk, walk_in, tree):
    late = walk_in(title="超期的案件")
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    high = services.receive_case(
        actor=desk.staff,
        unit=tree.community_a1,
        data=services.CaseData(
            title="欠薪群体纠纷", kind="labour", facts="十二名工人", people_affected=12
        ),
        intake=services.Intake("hotline"),
        parties=[services.PartyData(role="applicant", name="赵六")],
    )
    client.force_login(desk.staff)
    url = reverse("mediation:board", args=[tree.community_a1.code])
    page = client.get(url).content.decode()
    assert late.number in page and high.number in page
    assert 'data-count="received">2<' in page
    labour = client.get(url, {"kind": "labour"}).content.decode()
    assert high.number in labour and late.number not in labour
    risky = client.get(url, {"risk": "high"}).content.decode()
    assert high.number in risky and late.number not in risky
    overdue = client.get(url, {"overdue": "1"}).content.decode()
    assert late.number in overdue and high.number not in overdue
    closed = client.get(url, {"status": "closed"}).content.decode()
    assert late.number not in closed
    # Nonsense filters are ignored, never a 500.
    assert client.get(url, {"status": "x", "kind": "y", "page": "z"}).status_code == 200


# ---- intake ------------------------------------------------------------------------------------


def _intake(**extra):
    form = {
        "channel": "walk_in",
        "title": "噪音纠纷",
        "kind": "neighbour",
        "facts": "夜间噪音",
        "request": "停止噪音",
        "risk": "low",
        "people_affected": "2",
        "party-0-name": "张三",
        "party-0-phone": "13812345678",
        "party-0-gender": "male",
        "party-0-age": "45",
        "party-1-name": "李四",
    }
    form.update(extra)
    return form


def test_intake_receives_a_case_with_its_parties_and_lead(client, desk, tree):
    client.force_login(desk.staff)
    url = reverse("mediation:new_case", args=[tree.community_a1.code])
    response = client.post(url, _intake(lead=str(desk.lead.pk), risk_signs=["violence"]))
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert case.lead == desk.lead and case.risk == "high" and case.risk_signs == ["violence"]
    parties = list(case.parties.order_by("role"))
    assert [(p.role, p.name) for p in parties] == [("applicant", "张三"), ("respondent", "李四")]
    assert parties[0].phone_masked and "13812345678" not in parties[0].phone


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"party-0-name": ""}, "Name the applicant."),
        ({"channel": "referral"}, "Say who referred the case."),
        ({"facts": ""}, "Describe the dispute"),
        ({"amount": "a lot"}, "Give the amount as a number of yuan."),
        ({"party-0-age": "old"}, "Enter a whole number."),
        ({"party-0-phone": "123"}, "phone"),
        ({"lead": "999999"}, "Choose a mediator of this unit"),
        ({"channel": "event"}, "Choose how the case came in."),
        ({"party-0-person": "12345"}, "No resident with that record number"),
    ],
)
def test_intake_shows_each_error_on_the_form_and_keeps_what_was_typed(
    client, desk, tree, change, message
):
    client.force_login(desk.staff)
    url = reverse("mediation:new_case", args=[tree.community_a1.code])
    response = client.post(url, _intake(**change))
    page = response.content.decode()
    assert response.status_code == 400
    assert message.lower() in page.lower()
    assert "夜间噪音" in page or change.get("facts") == ""
    assert not Case.objects.exists()


def test_a_mediator_takes_in_a_dispute_they_came_across(client, desk, tree):
    client.force_login(desk.mediator_user)
    url = reverse("mediation:new_case", args=[tree.community_a1.code])
    page = client.get(url).content.decode()
    assert 'value="walk_in"' not in page and 'value="mediator"' in page
    response = client.post(url, _intake(channel="mediator"))
    case = Case.objects.get()
    assert response.status_code == 302 and case.lead == desk.lead and case.channel == "mediator"
    # Not in another community's units.
    assert (
        client.get(reverse("mediation:new_case", args=[tree.community_b1.code])).status_code == 404
    )


# ---- the case page and its steps ---------------------------------------------------------------


def test_the_case_page_offers_exactly_the_allowed_steps(client, desk, walk_in):
    case = walk_in()
    client.force_login(desk.staff)
    page = client.get(case.get_absolute_url()).content.decode()
    for action in ("accept", "decline", "assign", "raise_risk"):
        assert f'id="step-{action}"' in page, action
    for action in ("agree", "fail", "close", "follow_up", "refer"):
        assert f'id="step-{action}"' not in page, action
    assert "138****5678" in page and "13812345678" not in page
    # Only what there is to print: the application; the record and the agreement come later.
    assert reverse("mediation:document", args=[case.pk, "application"]) in page
    assert reverse("mediation:document", args=[case.pk, "agreement"]) not in page
    assert reverse("mediation:upload_scan", args=[case.pk]) in page


def test_the_whole_chain_from_the_case_page(client, desk, walk_in, tree):
    case = walk_in()
    url = case.get_absolute_url()
    client.force_login(desk.staff)

    def step(user, action, **form):
        client.force_login(user)
        version = Case.objects.get(pk=case.pk).version
        response = client.post(url, {"action": action, "version": version, **form})
        assert response.status_code == 302, response.content.decode()[:2000]
        return Case.objects.get(pk=case.pk)

    assert step(desk.staff, "accept", lead=str(desk.lead.pk)).status == "accepted"
    client.force_login(desk.mediator_user)
    session_url = reverse("mediation:new_session", args=[case.pk])
    assert client.get(session_url).status_code == 200
    party = case.parties.first()
    response = client.post(
        session_url,
        {
            "held_at": timezone.localtime(an_hour_ago()).strftime("%Y-%m-%dT%H:%M"),
            "venue": str(desk.room.pk),
            "mediators": [str(desk.lead.pk)],
            "parties": [str(party.pk)],
            "notes": "双方各自陈述",
            "version": str(Case.objects.get(pk=case.pk).version),
        },
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "mediating"
    found = step(
        desk.mediator_user, "agree", agreement="每晚十点后保持安静", agreement_form="written"
    )
    assert found.status == "agreed" and found.agreement == "每晚十点后保持安静"
    page = client.get(url).content.decode()
    assert "每晚十点后保持安静" in page and "双方各自陈述" in page
    # The follow-up is the desk's, never the mediator's: not offered to her.
    assert 'id="step-follow_up"' not in page
    assert step(desk.other_staff, "follow_up", kept="yes", note="电话回访").status == "followed_up"
    found = step(desk.staff, "close", outcome="协议已履行")
    assert found.status == "closed" and found.resolved is True
    figures = client.get(reverse("mediation:figures", args=[tree.community_a1.code]))
    body = figures.content.decode()
    assert 'data-count="agreed">1<' in body and 'data-count="success_rate">100 %<' in body


def test_refer_decline_and_risk_steps_take_their_fields(client, desk, walk_in):
    case = services.accept_case(actor=desk.staff, case=walk_in(), lead=desk.lead)
    client.force_login(desk.staff)
    url = case.get_absolute_url()
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.post(
        url,
        {"action": "refer", "body": "court", "body_name": "中原区法院", "due": due, "version": 2},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "referred" and case.referred_body == "中原区法院"
    assert timezone.localtime(case.due_at).date().isoformat() == due
    # Closing before the body accepted it: a clear message at the form, nothing changed.
    response = client.post(
        url, {"action": "close", "outcome": "x", "resolved": "yes", "version": case.version}
    )
    assert response.status_code == 409
    assert "Record the receiving body" in response.content.decode()
    assert (
        client.post(url, {"action": "referral_accepted", "version": case.version}).status_code
        == 302
    )
    case.refresh_from_db()
    response = client.post(
        url,
        {
            "action": "raise_risk",
            "risk": "medium",
            "risk_signs": ["petition"],
            "version": case.version,
        },
    )
    case.refresh_from_db()
    assert case.risk == "high" and case.risk_signs == ["petition"]
    other = walk_in(title="不予受理")
    response = client.post(
        other.get_absolute_url(),
        {"action": "decline", "note": "属劳动仲裁范围", "handed_to": "arbitration", "version": 1},
    )
    other.refresh_from_db()
    assert response.status_code == 302 and other.status == "declined"


def test_a_stale_form_and_bad_input_show_a_message_never_a_500(client, desk, walk_in):
    case = walk_in()
    client.force_login(desk.staff)
    url = case.get_absolute_url()
    services.accept_case(actor=desk.other_staff, case=case)
    # Someone accepted it meanwhile: the stale form's version is refused.
    response = client.post(url, {"action": "accept", "version": 1})
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).steps.count() == 2
    for form in [
        {"action": "assign", "lead": "abc", "version": "2"},
        {"action": "assign", "lead": "", "version": "2"},
        {"action": "refer", "body": "nowhere", "body_name": "x", "version": "2"},
        {"action": "refer", "body": "court", "body_name": "x", "due": "tomorrow", "version": "2"},
        {"action": "decline", "note": "", "version": "2"},
        {"action": "assign", "lead": str(desk.lead.pk), "version": "many"},
        {"action": "follow_up", "kept": "", "note": "x", "version": "2"},
    ]:
        response = client.post(url, form)
        assert response.status_code in (400, 403, 409), form
        assert 'role="alert"' in response.content.decode(), form
    assert client.post(url, {"action": "session"}).status_code == 404
    assert client.post(url, {"action": "nonsense"}).status_code == 404


def test_a_session_form_refuses_what_it_cannot_record(client, desk, walk_in):
    case = services.accept_case(actor=desk.staff, case=walk_in(), lead=desk.lead)
    client.force_login(desk.mediator_user)
    url = reverse("mediation:new_session", args=[case.pk])
    later = timezone.localtime() + dt.timedelta(days=2)
    for form, message in [
        (
            {"held_at": later.strftime("%Y-%m-%dT%H:%M"), "notes": "x", "place": "家中"},
            "once it has been held",
        ),
        ({"held_at": "yesterday", "notes": "x", "place": "家中"}, "Give the date and time"),
        ({"held_at": "2026-01-01T10:00", "notes": "", "place": "家中"}, "Write down what was said"),
        ({"held_at": an_hour_ago().strftime("%Y-%m-%dT%H:%M"), "notes": "x"}, "Say where"),
        ({"held_at": "2026-01-01T10:00", "notes": "x", "venue": "999999"}, "another unit"),
    ]:
        response = client.post(url, form)
        assert response.status_code == 400, form
        assert message in response.content.decode(), form
    assert not case.sessions.exists()
    # A case not yet accepted takes no session: back to its page with the reason.
    fresh = walk_in(title="新案件")
    client.force_login(desk.staff)
    response = client.get(reverse("mediation:new_session", args=[fresh.pk]), follow=True)
    assert "once the case is accepted" in response.content.decode()


def test_revealing_a_phone_is_logged_and_needs_a_reason(client, desk, walk_in):
    case = walk_in()
    party = case.parties.get(role="applicant")
    url = reverse("mediation:reveal_phone", args=[party.pk])
    client.force_login(desk.staff)
    response = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and not AccessLog.objects.exists()
    response = client.post(url, {"reason": "约调解时间"}, HTTP_HX_REQUEST="true")
    assert "13812345678" in response.content.decode()
    response = client.post(url, {"reason": "约调解时间"})
    assert response.status_code == 200 and 'href="tel:13812345678"' in response.content.decode()
    log = AccessLog.objects.filter(record=f"mediation.caseparty:{party.pk}")
    assert log.count() == 2 and log.first().reason == "约调解时间"
    assert client.get(url).status_code == 405


# ---- pool, consultations, figures --------------------------------------------------------------


def test_the_desk_adds_and_edits_a_mediator(client, desk, tree, make_user):
    client.force_login(desk.staff)
    url = reverse("mediation:pool", args=[tree.community_a1.code])
    page = client.get(url).content.decode()
    assert "米调解" in page and "王律师" in page
    make_user("lily")
    client.post(url, {"name": "刘大姐", "kind": "micro_grid", "user": "lily"})
    added = Mediator.objects.get(name="刘大姐")
    assert added.unit == tree.community_a1 and added.user.username == "lily"
    client.post(
        url,
        {
            "mediator": added.pk,
            "name": "刘大姐",
            "kind": "micro_grid",
            "user": "lily",
            "active": "off",
        },
    )
    added.refresh_from_db()
    assert added.active is False and added.user.username == "lily"
    response = client.post(
        url, {"name": "某人", "kind": "peoples", "user": "nobody-here"}, follow=True
    )
    assert "No active login with that user name." in response.content.decode()
    # The street's lawyer is the street's to edit: not offered, and refused.
    assert f'name="mediator" value="{desk.lawyer.pk}"' not in page
    response = client.post(
        url, {"mediator": desk.lawyer.pk, "name": "改名", "kind": "lawyer"}, follow=True
    )
    desk.lawyer.refresh_from_db()
    assert desk.lawyer.name == "王律师"
    lawyers = client.get(url, {"kind": "lawyer"}).content.decode()
    assert "王律师" in lawyers and "米调解" not in lawyers


def test_the_consultation_log_counts_the_residents_served(client, desk, tree):
    client.force_login(desk.staff)
    url = reverse("mediation:consultations", args=[tree.community_a1.code])
    today = timezone.localdate().isoformat()
    client.post(
        url,
        {"held_on": today, "lawyer": desk.lawyer.pk, "residents_served": "20", "topics": "继承"},
    )
    client.post(
        url,
        {
            "held_on": today,
            "lawyer_name": "李律师",
            "residents_served": "13",
            "topics": "租赁",
            "disputes_found": "1",
        },
    )
    page = client.get(url).content.decode()
    assert 'data-count="served">33<' in page and "王律师" in page and "李律师" in page
    response = client.post(
        url, {"held_on": today, "residents_served": "5", "topics": "x"}, follow=True
    )
    assert "Name the lawyer." in response.content.decode()
    response = client.post(
        url,
        {"held_on": today, "lawyer_name": "x", "residents_served": "many", "topics": "x"},
        follow=True,
    )
    assert "Enter a whole number." in response.content.decode()
    assert Consultation.objects.count() == 2
    figures = client.get(
        reverse("mediation:figures", args=[tree.community_a1.code])
    ).content.decode()
    assert "33" in figures


def test_the_figures_page_picks_months_and_ranks_units_below(client, desk, walk_in, tree):
    case = _agree(desk, walk_in())
    client.force_login(_street_staff(tree))
    url = reverse("mediation:figures", args=[tree.street_a.code])
    page = client.get(url).content.decode()
    assert tree.community_a1.display_name in page
    assert (
        'data-count="success_rate">100 %<' in page and 'data-count="resolution_rate">0 %<' in page
    )
    assert "米调解" in page
    last_year = timezone.localdate().year - 1
    page = client.get(url, {"from": f"{last_year}-01", "to": f"{last_year}-12"}).content.decode()
    assert 'data-count="agreed">0<' in page and 'data-count="success_rate">—<' in page
    response = client.get(url, {"from": "someday"})
    assert (
        response.status_code == 200
        and "Months are written like 2026-01." in response.content.decode()
    )
    assert case.status == "agreed"


# ---- from an event, from a situation -----------------------------------------------------------


def test_one_click_opens_a_case_from_a_dispute_event(client, desk, tree, others):
    event = dispute(others["grid_a"], tree)
    client.force_login(desk.staff)
    page = client.get(reverse("events:detail", args=[event.number])).content.decode()
    assert 'id="open-case"' in page
    response = client.post(reverse("mediation:from_event", args=[event.pk]))
    case = Case.objects.get()
    assert response.url == case.get_absolute_url() and case.event_id == event.pk
    event.refresh_from_db()
    assert event.status == Status.HANDLING
    page = client.get(reverse("events:detail", args=[event.number])).content.decode()
    assert case.number in page and 'id="open-case"' not in page
    # Twice: a message on the event's page, no second case.
    response = client.post(reverse("mediation:from_event", args=[event.pk]), follow=True)
    assert "already being mediated" in response.content.decode()
    assert Case.objects.count() == 1
    # The grid worker sees the event but neither the button nor the case.
    client.force_login(others["grid_a"])
    page = client.get(reverse("events:detail", args=[event.number])).content.decode()
    assert 'id="mediation-panel"' not in page and case.number not in page.split("Timeline")[0]
    assert client.post(reverse("mediation:from_event", args=[event.pk])).status_code == 302
    assert Case.objects.count() == 1


def test_no_button_on_an_event_of_another_category(client, desk, tree, others):
    event = dispute(others["grid_a"], tree, code="2101")
    client.force_login(desk.staff)
    page = client.get(reverse("events:detail", args=[event.number])).content.decode()
    assert 'id="mediation-panel"' not in page
    response = client.post(reverse("mediation:from_event", args=[event.pk]), follow=True)
    assert "Only an event of a dispute category" in response.content.decode()
    assert not Case.objects.exists()


def test_a_situation_becomes_a_case_in_one_click(client, desk, tree, others):
    situation = people.record_situation(
        actor=others["grid_a"], unit=tree.grid_a1_1, kind="risk", topic="两户为停车位争执"
    )
    client.force_login(desk.staff)
    page = client.get(reverse("people:situations", args=[tree.community_a1.code])).content.decode()
    assert reverse("mediation:from_situation", args=[situation.pk]) in page
    response = client.post(reverse("mediation:from_situation", args=[situation.pk]))
    case = Case.objects.get()
    assert response.url == case.get_absolute_url() and case.situation == situation
    assert case.channel == "situation" and case.status == CaseStatus.RECEIVED
    client.force_login(others["grid_a"])
    page = client.get(reverse("people:situations", args=[tree.grid_a1_1.code])).content.decode()
    assert reverse("mediation:from_situation", args=[situation.pk]) not in page
    response = client.post(reverse("mediation:from_situation", args=[situation.pk]), follow=True)
    assert Case.objects.count() == 1
    assert CaseParty.objects.count() == 0


# ---- what the review found ---------------------------------------------------------------------


def test_parties_are_added_on_the_case_page(client, desk, tree, people):
    case = services.open_from_event(actor=desk.staff, event=dispute(people["alice"], tree))
    url = reverse("mediation:case", args=[case.pk])
    client.force_login(desk.staff)
    page = client.get(url).content.decode()
    assert 'id="add-party"' in page and "document-agreement" not in page
    response = client.post(url, {"action": "add_party", "role": "applicant"})
    assert response.status_code == 400 and "name" in response.content.decode()
    response = client.post(
        url,
        {
            "action": "add_party",
            "role": "respondent",
            "party-0-name": "赵某",
            "party-0-phone": "13900001111",
        },
    )
    assert response.status_code == 302
    party = case.parties.get()
    assert (party.role, party.name, party.phone_masked) == ("respondent", "赵某", "139****1111")


def test_a_mediator_who_cannot_open_the_event_sees_its_number_unlinked(client, desk, tree, people):
    case = services.open_from_event(
        actor=desk.staff, event=dispute(people["alice"], tree), lead=desk.lead
    )
    client.force_login(desk.mediator_user)
    page = client.get(reverse("mediation:case", args=[case.pk])).content.decode()
    assert case.event.number in page and 'id="case-event"' not in page
    client.force_login(desk.staff)
    page = client.get(reverse("mediation:case", args=[case.pk])).content.decode()
    assert 'id="case-event"' in page


def test_a_month_out_of_range_is_a_message(client, desk, tree):
    client.force_login(desk.staff)
    for name in ("mediation:figures", "mediation:pool", "mediation:consultations"):
        url = reverse(name, args=[tree.community_a1.code])
        response = client.get(url, {"to": "9999-12"})
        assert response.status_code == 200, name
        assert "between 2000 and 2100" in response.content.decode(), name
