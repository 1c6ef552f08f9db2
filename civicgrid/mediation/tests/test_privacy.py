"""Cross-cutting rules of mediation: who never sees a case or a party, parties' phones sealed
in the database and every reveal logged, erasing a resident who is a party, a dispute event and
its cases kept in step both ways (also when the event is reopened after its case closed), and
two desk staff taking the same step at once."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404
from django.utils import timezone

from civicgrid.core.errors import Conflict, NotAllowed
from civicgrid.core.models import AccessLog
from civicgrid.events import services as events
from civicgrid.events.models import Status
from civicgrid.mediation import rollups, selectors, services
from civicgrid.mediation.models import ENDED, Case, CaseParty, CaseStatus, CaseStep
from civicgrid.mediation.tests.conftest import an_hour_ago, dispute
from civicgrid.org.roles import Role
from civicgrid.people import services as residents

PHONE = "13812345678"


def _agreed_and_followed_up(desk, case, *, accept=True):
    if accept:
        case = services.accept_case(actor=desk.staff, case=case, lead=desk.lead)
    services.record_session(
        actor=desk.mediator_user,
        case=case,
        data=services.SessionData(held_at=an_hour_ago(), notes="双方陈述", venue=desk.room),
    )
    case = services.reach_agreement(actor=desk.mediator_user, case=case, terms="按期修复漏水")
    return services.follow_up(actor=desk.other_staff, case=case, kept=True, note="回访双方")


@pytest.fixture
def outsiders(people, tree, make_user):
    """Everyone who must never see a case of community A1: grid workers (of its own grids and
    of another community), a department handler, a read-only leader, a volunteer, a login with
    no posting, and an anonymous visitor."""
    from civicgrid.volunteers import services as volunteers

    staff = make_user("vic", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)
    volunteer = volunteers.register_volunteer(
        actor=staff,
        unit=tree.community_a1,
        data=volunteers.VolunteerData(name="李师傅", phone="13500001111"),
    )
    volunteer.user = make_user("volunteer")
    volunteer.save()
    return {
        "grid worker of the case's grid": people["alice"],
        "grid worker of another grid": people["bob"],
        "grid worker of another community": make_user(
            "gus", unit=tree.grid_b1_1, role=Role.GRID_WORKER
        ),
        "grid leader of another community": make_user(
            "gina", unit=tree.community_b1, role=Role.GRID_LEADER
        ),
        "community staff of another community": make_user(
            "bea", unit=tree.community_b1, role=Role.COMMUNITY_STAFF
        ),
        "department handler": people["erin"],
        "read-only leader": people["dave"],
        "volunteer": volunteer.user,
        "no posting": people["mallory"],
        "anonymous": AnonymousUser(),
    }


@pytest.mark.django_db
def test_outsiders_never_see_a_case_or_its_parties(desk, walk_in, tree, people, outsiders):
    event = dispute(people["alice"], tree)
    from_event = services.open_from_event(
        actor=desk.staff,
        event=event,
        parties=[services.PartyData(role="applicant", name="王五", phone="13711112222")],
    )
    walked_in = _agreed_and_followed_up(desk, walk_in())
    cases = [from_event, walked_in]
    today = timezone.localdate()
    for who, user in outsiders.items():
        assert not selectors.cases_for(user).exists(), who
        for case in cases:
            with pytest.raises(Http404):
                selectors.case_for(user, case.pk)
        assert not selectors.board(user, tree.community_a1, open_only=False).exists(), who
        assert not selectors.my_cases(user).exists(), who
        assert not selectors.sessions_on(user, today).exists(), who
        assert not selectors.pool(user, tree.community_a1).exists(), who
        assert not selectors.may_see_desk(user, tree.community_a1), who
        for party in CaseParty.objects.all():
            with pytest.raises(NotAllowed):
                services.reveal_phone(actor=user, party=party, reason="想联系一下")
    assert not AccessLog.objects.filter(record__startswith="mediation.").exists()
    # The read-only leader reads the figures, never a case.
    assert selectors.may_see_figures(people["dave"], tree.community_a1)
    # Those who do see them: the desk, the street above, the case's own mediator.
    for user in (desk.staff, people["carol"], desk.mediator_user):
        assert selectors.case_for(user, walked_in.pk) == walked_in
    assert selectors.case_for(desk.staff, from_event.pk) == from_event
    with pytest.raises(Http404):  # not the mediator's case (yet)
        selectors.case_for(desk.mediator_user, from_event.pk)


@pytest.mark.django_db
def test_a_partys_phone_is_never_stored_in_clear_and_every_reveal_is_logged(desk, walk_in):
    case = services.accept_case(actor=desk.staff, case=walk_in(), lead=desk.lead)
    party = case.parties.get(role="applicant")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_hash, phone_masked, name FROM mediation_caseparty")
        rows = cursor.fetchall()
    assert len(rows) == 2
    for row in rows:
        assert not any(PHONE in str(value) or "13987654321" in str(value) for value in row)
    assert party.phone_masked == "138****5678"
    assert services.reveal_phone(actor=desk.staff, party=party, reason="约调解时间") == PHONE
    assert services.reveal_phone(actor=desk.mediator_user, party=party, reason="电话通知") == PHONE
    logged = AccessLog.objects.filter(record=f"mediation.caseparty:{party.pk}").order_by("id")
    assert [(log.actor, log.action, log.field, log.reason) for log in logged] == [
        (desk.staff, AccessLog.Action.REVEAL, AccessLog.Field.PHONE, "约调解时间"),
        (desk.mediator_user, AccessLog.Action.REVEAL, AccessLog.Field.PHONE, "电话通知"),
    ]
    assert {log.unit_code for log in logged} == {case.unit_code}
    # No reason, no number (and nothing logged).
    from civicgrid.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.reveal_phone(actor=desk.staff, party=party, reason=" ")
    assert logged.count() == 2


@pytest.fixture
def resident(tree, people):
    """张秀英 of grid A1-1, with her phone."""
    worker = people["alice"]
    building = residents.save_building(
        actor=worker, unit=tree.grid_a1_1, estate="保利百合", name="3号楼", entrances=3
    )
    house = residents.save_house(actor=worker, building=building, entrance=2, room="501")
    household = residents.save_household(actor=worker, house=house)
    return residents.save_person(
        actor=worker,
        data=residents.PersonData(name="张秀英", phone=PHONE, relation="head"),
        household=household,
    )


@pytest.mark.django_db
def test_erasing_a_resident_blanks_her_party_rows_but_keeps_the_cases_and_figures(
    desk, tree, people, resident
):
    def receive(parties):
        return services.receive_case(
            actor=desk.staff,
            unit=tree.community_a1,
            data=services.CaseData(title="漏水纠纷", kind="neighbour", facts="楼上漏水"),
            intake=services.Intake("walk_in"),
            parties=parties,
        )

    linked = receive(
        [
            services.PartyData(role="applicant", person=resident, address="3号楼2单元501"),
            services.PartyData(role="respondent", name="李四", phone="13987654321"),
        ]
    )
    # A second case where the desk typed her name and number instead of linking her record.
    typed = receive([services.PartyData(role="applicant", name="张女士", phone=PHONE)])
    linked = _agreed_and_followed_up(desk, linked)
    linked = services.close_case(actor=desk.staff, case=linked, outcome="已履行")
    mine = CaseParty.objects.filter(case__in=[linked, typed], phone_hash=resident.phone_hash)
    assert mine.count() == 2
    month = timezone.localdate().replace(day=1)
    before = selectors.figures(tree.community_a1, month, month)

    residents.delete_person(actor=people["alice"], person=resident, reason="本人申请删除")

    for party in CaseParty.objects.filter(case__in=[linked, typed], role="applicant"):
        assert party.person_id is None and party.name == "已删除", party.pk
        assert (party.phone, party.phone_hash, party.phone_masked) == ("", "", "")
        assert party.address == "" and party.age is None
    respondent = CaseParty.objects.get(case=linked, role="respondent")
    assert respondent.name == "李四" and respondent.phone_masked == "139****4321"
    assert Case.objects.filter(pk__in=[linked.pk, typed.pk]).count() == 2
    assert Case.objects.get(pk=linked.pk).status == CaseStatus.CLOSED
    assert CaseParty.objects.filter(case=linked).count() == 2
    assert selectors.figures(tree.community_a1, month, month) == before
    assert rollups.check_all() == []


def _consistent(event) -> list[str]:
    """An event an open case mediates is being handled, and nobody else's step moves it; an
    event whose cases all ended is the community's again."""
    event.refresh_from_db()
    open_cases = Case.objects.filter(event=event).exclude(status__in=ENDED)
    wrong = []
    if open_cases.count() > 1:
        wrong.append("two open cases")
    if open_cases.exists() and event.status != Status.HANDLING:
        wrong.append(f"open case, event {event.status}")
    return wrong


@pytest.mark.django_db
def test_an_event_reopened_after_its_case_closed_may_be_mediated_again(desk, tree, people):
    event = dispute(people["alice"], tree)
    first = services.open_from_event(actor=desk.staff, event=event, lead=desk.lead)
    assert _consistent(event) == []
    # While the case mediates, the event neither settles, moves nor sleeps behind its back.
    for step in (
        lambda: events.resolve_event(actor=desk.staff, event=event, note="已解决"),
        lambda: events.suspend_event(actor=desk.staff, event=event, reason="等待"),
        lambda: events.transfer_event(
            actor=desk.staff, event=event, unit=tree.community_b1, reason="转走"
        ),
    ):
        with pytest.raises(Conflict):
            step()
    for role, name in (("applicant", "王某"), ("respondent", "赵某")):
        services.add_party(actor=desk.staff, case=first, data=services.PartyData(role, name))
    first = _agreed_and_followed_up(desk, Case.objects.get(pk=first.pk))
    first = services.close_case(actor=desk.staff, case=first, outcome="双方和解")
    event.refresh_from_db()
    assert event.status == Status.RESOLVED and first.number in event.steps.last().note
    # cathy resolved it through the case: colin verifies and closes it.
    events.verify_event(actor=desk.other_staff, event=event, passed=True)
    events.close_event(actor=desk.other_staff, event=event)
    events.reopen_event(actor=desk.other_staff, event=event, reason="漏水复发，双方又起争执")
    event.refresh_from_db()
    assert event.status == Status.HANDLING and _consistent(event) == []
    with pytest.raises(Conflict):  # the first case has ended for good
        services.resume_mediation(actor=desk.staff, case=first, note="再调")

    second = services.open_from_event(actor=desk.staff, event=event, lead=desk.lead)
    assert second.pk != first.pk and second.event_id == event.pk
    assert second.number != first.number
    event.refresh_from_db()
    assert event.status == Status.HANDLING and _consistent(event) == []
    assert event.steps.filter(action="mediate").count() == 2
    with pytest.raises(Conflict):  # one open case per event
        services.open_from_event(actor=desk.staff, event=event)
    with pytest.raises(Conflict, match=second.number):
        events.resolve_event(actor=desk.staff, event=event, note="已解决")
    second = services.accept_case(actor=desk.staff, case=second)
    services.record_session(
        actor=desk.mediator_user,
        case=second,
        data=services.SessionData(held_at=an_hour_ago(), notes="再次调解", place="居民家中"),
    )
    second = services.record_no_agreement(actor=desk.mediator_user, case=second, reason="分歧大")
    services.close_case(
        actor=desk.staff, case=second, outcome="告知当事人向法院起诉", resolved=False
    )
    event.refresh_from_db()
    assert event.status == Status.RESOLVED and _consistent(event) == []
    assert Case.objects.filter(event=event, status=CaseStatus.CLOSED).count() == 2
    assert rollups.check_all() == []


@pytest.mark.django_db
def test_a_reopened_event_without_a_new_case_is_handled_as_any_event(desk, tree, people):
    event = dispute(people["alice"], tree)
    case = services.open_from_event(actor=desk.staff, event=event, lead=desk.lead)
    services.decline_case(actor=desk.staff, case=case, reason="已在法院起诉")
    # The declined case let go of its event: the community handles it as usual.
    events.resolve_event(actor=desk.staff, event=event, note="告知当事人等待法院判决")
    event.refresh_from_db()
    assert event.status == Status.RESOLVED and _consistent(event) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_desk_staff_taking_the_same_step_at_once_one_wins(desk, walk_in, at_once):
    case = walk_in()
    outcomes = at_once(
        [
            lambda: services.accept_case(actor=desk.staff, case=case, lead=desk.lead),
            lambda: services.accept_case(actor=desk.other_staff, case=case, lead=desk.lead),
        ]
    )
    assert sorted(outcomes) == ["Conflict", "ok"]
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.version == 2
    assert CaseStep.objects.filter(case=case, action="accept").count() == 1

    case = _agreed_and_followed_up(desk, case, accept=False)
    at = timezone.now()
    outcomes = at_once(
        [
            lambda: services.close_case(actor=desk.staff, case=case, outcome="已履行", now=at),
            lambda: services.close_case(
                actor=desk.other_staff, case=case, outcome="已履行", now=at
            ),
        ]
    )
    assert sorted(outcomes) == ["Conflict", "ok"]
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert CaseStep.objects.filter(case=case, action="close").count() == 1
    assert rollups.check_all() == []
    month = timezone.localdate().replace(day=1)
    assert selectors.figures(case.unit, month, month)["closed"] == 1


@pytest.mark.django_db
def test_a_stale_version_is_refused_with_the_case_unchanged(desk, walk_in):
    """The same race as the desk's form sees it on any database: the second submit carries
    the version it was shown, which the first one moved on."""
    case = walk_in()
    shown = case.version
    services.accept_case(actor=desk.staff, case=case, lead=desk.lead, version=shown)
    with pytest.raises(Conflict, match="changed by someone else"):
        services.decline_case(actor=desk.other_staff, case=case, reason="重复", version=shown)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.version == shown + 1
    assert list(case.steps.values_list("action", flat=True)) == ["receive", "accept"]
    assert case.due_at > timezone.now() - dt.timedelta(minutes=1)
