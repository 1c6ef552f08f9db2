"""The case's chain through its services: intake from every door, the steps and their rules,
deadlines, the dispute event kept in step, and the figures against a recount."""

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.core.models import AccessLog
from civicgrid.events import services as events
from civicgrid.events.models import Status
from civicgrid.mediation import rollups, selectors, services
from civicgrid.mediation.models import Case, CaseParty, CaseStatus, Risk
from civicgrid.mediation.tests.conftest import an_hour_ago, dispute
from civicgrid.mediation.workflow import CASES
from civicgrid.messaging.models import Notification

pytestmark = pytest.mark.django_db


def _mediate_to_agreement(desk, case):
    case = services.accept_case(actor=desk.staff, case=case, lead=desk.lead)
    services.record_session(
        actor=desk.mediator_user,
        case=case,
        data=services.SessionData(held_at=an_hour_ago(), notes="双方陈述", venue=desk.room),
    )
    return services.reach_agreement(
        actor=desk.mediator_user,
        case=case,
        terms="楼上十点后不再使用洗衣机",
        performance="即日起履行",
    )


def test_a_walk_in_case_runs_the_whole_chain_and_counts(desk, walk_in):
    case = walk_in()
    assert case.status == CaseStatus.RECEIVED and case.sequence == 1
    assert case.number.endswith(f"-{case.year}-0001")
    case = _mediate_to_agreement(desk, case)
    assert case.status == CaseStatus.AGREED and case.agreed is True
    # The lead mediator does not grade their own agreement.
    with pytest.raises(NotAllowed):
        services.follow_up(actor=desk.mediator_user, case=case, kept=True, note="回访")
    case = services.follow_up(actor=desk.other_staff, case=case, kept=True, note="电话回访双方")
    case = services.close_case(actor=desk.staff, case=case, outcome="协议已履行")
    assert case.status == CaseStatus.CLOSED and case.resolved is True
    assert CASES.check(case) == []
    assert rollups.check_all() == []
    month = timezone.localdate().replace(day=1)
    figures = selectors.figures(case.unit, month, month)
    assert figures["received"] == 1 and figures["agreed"] == 1 and figures["mediated"] == 1
    assert figures["success_rate"] == 1.0 and figures["resolution_rate"] == 1.0
    assert figures["sessions"] == 1 and figures["kept"] == 1
    assert selectors.mediator_figures([desk.lead], month, month)[desk.lead.pk]["agreed"] == 1


def test_numbers_count_per_unit_and_year(desk, walk_in, tree):
    first, second = walk_in(), walk_in()
    assert (first.sequence, second.sequence) == (1, 2)
    assert services.document_number(second).startswith(f"〔{second.year}〕")


def test_a_dispute_event_moves_with_its_case(desk, tree, people):
    event = dispute(people["alice"], tree)
    case = services.open_from_event(actor=desk.staff, event=event, lead=desk.lead)
    event.refresh_from_db()
    assert event.status == Status.HANDLING and case.event_id == event.pk
    assert case.unit == tree.community_a1 and case.kind == "neighbour"
    # Nobody settles the dispute behind the case's back.
    with pytest.raises(Conflict, match="mediated as case"):
        events.resolve_event(actor=desk.staff, event=event, note="已解决")
    with pytest.raises(Conflict):
        services.open_from_event(actor=desk.staff, event=event)
    # The event named no parties: no agreement until the desk records them.
    with pytest.raises(InvalidInput, match="parties"):
        _mediate_to_agreement(desk, case)
    for role, name in (("applicant", "王某"), ("respondent", "赵某")):
        services.add_party(actor=desk.staff, case=case, data=services.PartyData(role, name))
    case = services.reach_agreement(
        actor=desk.mediator_user, case=Case.objects.get(pk=case.pk), terms="楼上修复防水层"
    )
    case = services.follow_up(actor=desk.other_staff, case=case, kept=True, note="回访")
    services.close_case(actor=desk.staff, case=case, outcome="双方和解")
    event.refresh_from_db()
    assert event.status == Status.RESOLVED
    # The outcome stays with the case: the event's log is read on the public tracking page.
    note = event.steps.order_by("-id").first().note
    assert case.number in note and "settled" in note and "双方和解" not in note


def test_only_dispute_events_become_cases(desk, tree, people):
    event = dispute(people["alice"], tree, code="0101", title="路灯不亮")
    with pytest.raises(InvalidInput):
        services.open_from_event(actor=desk.staff, event=event)


def test_a_declined_case_frees_its_event(desk, tree, people):
    event = dispute(people["alice"], tree)
    case = services.open_from_event(actor=desk.staff, event=event)
    services.decline_case(
        actor=desk.staff, case=case, reason="属劳动仲裁范围", handed_to="arbitration"
    )
    events.resolve_event(actor=desk.staff, event=event, note="已告知当事人申请仲裁")
    event.refresh_from_db()
    assert event.status == Status.RESOLVED
    assert rollups.check_all() == []


def test_referral_needs_the_body_to_accept_before_closing(desk, walk_in):
    case = services.accept_case(actor=desk.staff, case=walk_in(), lead=desk.lead)
    case = services.refer_case(actor=desk.staff, case=case, body="court", body_name="中原区法院")
    with pytest.raises(Conflict):
        services.close_case(actor=desk.staff, case=case, outcome="已移交", resolved=False)
    case = services.record_referral_accepted(actor=desk.staff, case=case, note="法院已立案")
    case = services.close_case(actor=desk.staff, case=case, outcome="法院调解结案", resolved=True)
    month = timezone.localdate().replace(day=1)
    figures = selectors.figures(case.unit, month, month)
    assert figures["referred"] == figures["referred_court"] == 1
    assert rollups.check_all() == []


def test_high_risk_is_raised_to_the_street(desk, tree, people):
    case = services.receive_case(
        actor=desk.staff,
        unit=tree.community_a1,
        data=services.CaseData(
            title="拖欠工资", kind="labour", facts="十二名工人被拖欠工资", people_affected=12
        ),
        intake=services.Intake("walk_in"),
        parties=[services.PartyData(role="applicant", name="工人代表")],
    )
    assert case.risk == Risk.HIGH and case.risk_signs == ["group"]
    assert Notification.objects.filter(user=people["carol"], link=case.get_absolute_url()).exists()


def test_deadlines_raise_a_case_once(desk, walk_in, people):
    case = walk_in()
    later = case.due_at + dt.timedelta(minutes=1)
    assert services.escalate_overdue(now=later) == 1
    assert services.escalate_overdue(now=later) == 0
    case.refresh_from_db()
    assert case.overdue and CASES.check(case) == []


def test_parties_phones_are_sealed_and_reveals_logged(desk, walk_in, tree, people):
    case = walk_in()
    party = case.parties.get(role="applicant")
    assert "13812345678" not in party.phone and party.phone_masked == "138****5678"
    with pytest.raises(NotAllowed):
        services.reveal_phone(actor=people["alice"], party=party, reason="联系")
    assert services.reveal_phone(actor=desk.staff, party=party, reason="约调解") == "13812345678"
    assert AccessLog.objects.get(record=f"mediation.caseparty:{party.pk}").actor == desk.staff


def test_who_sees_a_case(desk, walk_in, tree, people, make_user):
    case = walk_in()
    assert selectors.cases_for(desk.staff).filter(pk=case.pk).exists()
    assert selectors.cases_for(people["carol"]).filter(pk=case.pk).exists()  # the street above
    # Not the case's mediator yet; then the lead sees it.
    assert not selectors.cases_for(desk.mediator_user).exists()
    services.accept_case(actor=desk.staff, case=case, lead=desk.lead)
    assert selectors.cases_for(desk.mediator_user).filter(pk=case.pk).exists()
    for name in ("alice", "bob", "dave", "erin", "mallory"):
        assert not selectors.cases_for(people[name]).exists(), name


def test_a_session_is_recorded_once_held(desk, walk_in):
    case = services.accept_case(actor=desk.staff, case=walk_in(), lead=desk.lead)
    with pytest.raises(InvalidInput):
        services.record_session(
            actor=desk.staff,
            case=case,
            data=services.SessionData(
                held_at=timezone.now() + dt.timedelta(days=1), notes="x", place="社区"
            ),
        )


def test_erasing_a_party_keeps_the_case(desk, walk_in):
    from civicgrid.core.erasure import Subject
    from civicgrid.core.privacy import phone_hash
    from civicgrid.mediation.erasure import erase_parties

    case = walk_in()
    erased = erase_parties(
        Subject(person_id=0, name="张三", unit_code="", phone_hash=phone_hash("13812345678"))
    )
    assert erased == 1
    party = CaseParty.objects.get(case=case, role="applicant")
    assert party.name == "已删除" and party.phone == ""


def test_whoever_mediated_does_not_follow_up(desk, walk_in):
    """Desk staff who recorded the session or the agreement do not ask whether it was kept."""
    case = services.accept_case(actor=desk.staff, case=walk_in(), lead=desk.lead)
    services.record_session(
        actor=desk.staff,
        case=case,
        data=services.SessionData(held_at=an_hour_ago(), notes="双方陈述", venue=desk.room),
    )
    case = services.reach_agreement(actor=desk.staff, case=case, terms="互相谅解")
    with pytest.raises(NotAllowed):
        services.follow_up(actor=desk.staff, case=case, kept=True, note="回访")
    assert services.follow_up(actor=desk.other_staff, case=case, kept=True, note="回访").kept


def test_texts_and_dates_keep_to_what_a_case_can_hold(desk, walk_in, tree):
    case = services.accept_case(actor=desk.staff, case=walk_in(), lead=desk.lead)
    with pytest.raises(InvalidInput, match="5000"):
        services.record_no_agreement(actor=desk.staff, case=case, reason="长" * 5001)
    with pytest.raises(InvalidInput):
        services.refer_case(
            actor=desk.staff,
            case=case,
            body="court",
            body_name="中原区法院",
            due=dt.datetime(9999, 12, 31, 12, 0),
        )
    with pytest.raises(InvalidInput):
        services.record_consultation(
            actor=desk.staff,
            unit=tree.community_a1,
            held_on=dt.date(2001, 1, 1),
            residents_served=3,
            topics="继承",
            lawyer_name="王律师",
        )
    # A time without a zone (a form's, an API client's) is Beijing time.
    naive = timezone.localtime(an_hour_ago()).replace(tzinfo=None)
    session = services.record_session(
        actor=desk.staff,
        case=case,
        data=services.SessionData(held_at=naive, notes="双方陈述", place="社区调解室"),
    )
    assert timezone.is_aware(session.held_at)


def test_a_mediators_login_is_no_other_units_staff(desk, tree, people, make_user):
    """A desk gives a mediator a login of no posting, or of its own staff; never a login of
    staff above or beside it, who would gain the cases given to them beyond their units."""
    for outsider in (people["carol"], make_user("root", is_superuser=True)):
        with pytest.raises(NotAllowed):
            services.save_mediator(
                actor=desk.staff, unit=tree.community_a1, name="外人", kind="other", user=outsider
            )
    own = services.save_mediator(
        actor=desk.staff,
        unit=tree.community_a1,
        name="网格员",
        kind="micro_grid",
        user=people["alice"],
    )
    assert own.user == people["alice"]
