"""Classes: scheduling clashes, enrolment with capacity and waitlist, check-in, credits."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from civicgrid.classes import rollups, selectors, services
from civicgrid.classes.models import (
    Channel,
    ClassRollup,
    EnrolmentStatus,
    Session,
    SessionStatus,
    TopicStatus,
)
from civicgrid.classes.services import SessionData
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.party.models import PointKind, StudyCredit

from .conftest import at

E = EnrolmentStatus


def later(monkeypatch, moment: dt.datetime) -> None:
    """Move the services' clock to `moment`."""
    monkeypatch.setattr(services, "_now", lambda: moment)


def test_a_venue_cannot_hold_two_sessions_at_once(classroom, session):
    first = session(hour=19, hours=2)
    with pytest.raises(InvalidInput) as error:
        session(classroom.lectures, hour=20)
    assert error.value.field == "venue" and "党群服务中心" in error.value.message
    # Back to back is fine; a cancelled session frees the room.
    session(classroom.lectures, hour=21)
    services.cancel_session(actor=classroom.staff, session=first, reason="停电")
    assert session(classroom.lectures, hour=19, hours=1).status == SessionStatus.SCHEDULED


def test_a_teacher_cannot_be_in_two_places(classroom, session, tree, people):
    hall = services.save_venue(
        actor=classroom.staff, unit=tree.community_a1, name="小广场", kind="outdoor", capacity=100
    )
    session(hour=9, teacher=classroom.teacher)
    with pytest.raises(InvalidInput) as error:
        session(classroom.lectures, hour=10, venue=hall, teacher=classroom.teacher)
    assert error.value.field == "teacher" and "王老师" in error.value.message


def test_bad_sessions_get_clear_errors(classroom, session):
    with pytest.raises(InvalidInput) as error:
        session(capacity=31)
    assert error.value.field == "capacity" and "30" in error.value.message
    with pytest.raises(InvalidInput) as error:
        session(days=-1)
    assert error.value.field == "starts_at"
    with pytest.raises(InvalidInput) as error:
        session(hours=0)
    assert error.value.field == "ends_at"
    with pytest.raises(InvalidInput) as error:
        session(venue=None)
    assert error.value.field == "venue"
    assert not Session.objects.exists()


def test_only_keepers_schedule(classroom, people):
    start = at(2)
    data = SessionData(
        starts_at=start, ends_at=start + dt.timedelta(hours=1), capacity=5, venue=classroom.venue
    )
    with pytest.raises(NotAllowed):
        services.schedule_session(actor=people["alice"], course=classroom.night_school, data=data)


def test_a_series_numbers_its_sessions_in_date_order(classroom, session):
    third = session(classroom.lectures, days=3, hour=15)
    first = session(classroom.lectures, days=1, hour=15)
    second = session(classroom.lectures, days=2, hour=15)
    numbers = lambda: [  # noqa: E731
        s.number
        for s in Session.objects.filter(pk__in=[first.pk, second.pk, third.pk]).order_by(
            "starts_at"
        )
    ]
    assert numbers() == [1, 2, 3]
    assert "No. 1" in str(Session.objects.get(pk=first.pk))
    services.cancel_session(actor=classroom.staff, session=second, reason="讲师出差")
    assert numbers() == [1, None, 2]


def test_section_and_class_hours_follow_the_time(classroom, session, settings):
    evening = session(hour=19, hours=2)
    assert evening.section == "evening" and evening.class_hours == Decimal("2.0")
    settings.CLASS_HOUR_MINUTES = 45
    afternoon = session(classroom.lectures, hour=14, hours=1.5)
    assert afternoon.section == "afternoon" and afternoon.class_hours == Decimal("2.0")


def test_full_session_waitlists_and_promotes_in_order(classroom, session):
    s = session(capacity=2, waitlist=2)
    a = services.enrol(actor=None, session=s, name="甲", phone="13800000001")
    b = services.enrol(actor=None, session=s, name="乙", phone="13800000002")
    c = services.enrol(actor=None, session=s, name="丙", phone="13800000003")
    d = services.enrol(actor=None, session=s, name="丁", phone="13800000004")
    assert [x.status for x in (a, b, c, d)] == [E.ENROLLED, E.ENROLLED, E.WAITLISTED, E.WAITLISTED]
    with pytest.raises(Conflict) as error:
        services.enrol(actor=None, session=s, name="戊", phone="13800000005")
    assert "full" in error.value.message
    with pytest.raises(Conflict):
        services.enrol(actor=None, session=s, name="甲", phone="138 0000 0001")
    services.cancel_enrolment(actor=None, enrolment=b, token=b.token)
    c.refresh_from_db(), d.refresh_from_db()
    assert (c.status, d.status) == (E.ENROLLED, E.WAITLISTED)
    assert [step.action for step in c.steps.all()] == ["waitlist", "promote"]
    s.refresh_from_db()
    assert (s.enrolled, s.waitlisted) == (2, 1)
    # Raising the capacity promotes the rest.
    data = SessionData(
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        capacity=5,
        venue=classroom.venue,
        waitlist_limit=2,
    )
    services.schedule_session(actor=classroom.staff, course=s.course, data=data, session=s)
    d.refresh_from_db()
    assert d.status == E.ENROLLED


def test_a_stranger_cannot_cancel_without_the_link(classroom, session, people):
    s = session()
    a = services.enrol(actor=None, session=s, name="甲", phone="13800000001")
    with pytest.raises(NotAllowed):
        services.cancel_enrolment(actor=None, enrolment=a, token="guess")
    with pytest.raises(NotAllowed):
        services.cancel_enrolment(actor=people["alice"], enrolment=a)
    services.cancel_enrolment(actor=classroom.staff, enrolment=a)


def test_no_enrolment_after_the_start(classroom, session, monkeypatch):
    s = session()
    later(monkeypatch, s.starts_at + dt.timedelta(minutes=1))
    with pytest.raises(Conflict) as error:
        services.enrol(actor=None, session=s, name="甲", phone="13800000001")
    assert "started" in error.value.message


def test_staff_enrol_a_person_verified_and_logged_in_users_too(classroom, session, people):
    s = session()
    staff_made = services.enrol(
        actor=classroom.staff, session=s, name="张三", phone="13800000009", channel=Channel.STAFF
    )
    assert staff_made.verified and staff_made.channel == "staff"
    public = services.enrol(actor=None, session=s, name="李四", phone="13800000008")
    assert not public.verified
    services.verify_enrolment(actor=classroom.staff, enrolment=public)
    public.refresh_from_db()
    assert public.verified and public.phone_masked == "138****0008"
    with pytest.raises(NotAllowed):
        services.enrol(
            actor=people["alice"], session=s, name="x", phone="13800000007", channel=Channel.STAFF
        )


def test_check_in_credits_a_party_member_hours_and_points(classroom, session, monkeypatch):
    s = session(hours=2)
    mine = services.enrol(actor=None, session=s, name="刘党员", phone="13600002222")
    other = services.enrol(actor=None, session=s, name="居民", phone="13800000001")
    with pytest.raises(Conflict) as error:
        services.check_in(actor=None, enrolment=mine, token=mine.token)
    assert "half an hour" in error.value.message
    later(monkeypatch, s.starts_at - dt.timedelta(minutes=10))
    services.check_in(
        actor=None, enrolment=mine, token=s.checkin_token, venue_code=services.venue_code(s)
    )
    services.check_in(actor=classroom.staff, enrolment=other)
    with pytest.raises(Conflict):
        services.check_in(actor=None, enrolment=mine, token=mine.token)
    s.refresh_from_db()
    assert s.attended == 2
    credit = StudyCredit.objects.get()
    assert (credit.member, credit.hours) == (classroom.member, Decimal("2.0"))
    classroom.member.refresh_from_db()
    assert classroom.member.balance == 2
    assert classroom.member.point_entries.get().kind == PointKind.CLASS_ATTENDANCE


def test_qr_check_in_by_phone_and_walk_ins(classroom, session, monkeypatch):
    s = session(capacity=2)
    services.enrol(actor=None, session=s, name="甲", phone="13800000001")
    later(monkeypatch, s.starts_at + dt.timedelta(minutes=5))
    with pytest.raises(NotAllowed):
        services.check_in_by_phone(session=s, checkin_token="wrong", phone="13800000001")
    code = services.venue_code(s)
    done = services.check_in_by_phone(
        session=s, checkin_token=s.checkin_token, phone="13800000001", venue_code=code
    )
    assert done.checked_in_at is not None
    with pytest.raises(InvalidInput) as error:
        services.check_in_by_phone(session=s, checkin_token=s.checkin_token, phone="13800000002")
    assert error.value.field == "name"
    walk_in = services.check_in_by_phone(
        session=s, checkin_token=s.checkin_token, phone="13800000002", name="乙", venue_code=code
    )
    assert walk_in.status == E.ENROLLED and walk_in.checked_in_at
    with pytest.raises(Conflict):
        services.check_in_by_phone(
            session=s,
            checkin_token=s.checkin_token,
            phone="13800000003",
            name="丙",
            venue_code=code,
        )
    later(monkeypatch, s.ends_at + dt.timedelta(hours=1))
    s.refresh_from_db()
    assert s.attended == 2


def test_rollups_match_a_recount_and_feed_the_figures(classroom, session, monkeypatch, tree):
    s = session(capacity=2, teacher=classroom.teacher)
    other = session(classroom.lectures, days=2)
    a = services.enrol(actor=None, session=s, name="甲", phone="13800000001")
    services.enrol(actor=None, session=s, name="乙", phone="13800000002")
    services.enrol(actor=None, session=other, name="甲", phone="13800000001")
    services.cancel_session(actor=classroom.staff, session=other, reason="雨")
    later(monkeypatch, s.starts_at)
    services.check_in(actor=classroom.staff, enrolment=a)
    later(monkeypatch, s.ends_at)
    assert services.close_ended_sessions() == 1
    kept = sorted(
        ClassRollup.objects.values_list(
            "unit_code",
            "month",
            "teacher_id_key",
            "scheduled",
            "held",
            "cancelled",
            "enrolled",
            "attended",
        )
    )
    rollups.rebuild()
    assert kept == sorted(
        ClassRollup.objects.values_list(
            "unit_code",
            "month",
            "teacher_id_key",
            "scheduled",
            "held",
            "cancelled",
            "enrolled",
            "attended",
        )
    )
    month = timezone.localtime(s.starts_at).date().replace(day=1)
    last = timezone.localtime(other.starts_at).date().replace(day=1)
    figures = selectors.figures(tree.street_a, month, last)
    assert (figures["scheduled"], figures["held"], figures["cancelled"]) == (1, 1, 1)
    assert (figures["attended"], figures["learners"]) == (1, 1)
    assert figures["top_teachers"][0]["name"] == "王老师"
    assert selectors.figures(tree.street_b, month, last)["scheduled"] == 0


def test_plan_against_actual(classroom, session, tree):
    s = session()
    month = timezone.localtime(s.starts_at).month
    year = timezone.localtime(s.starts_at).year
    services.save_plan(
        actor=classroom.staff,
        unit=tree.community_a1,
        year=year,
        title="先锋课堂计划",
        months={month: ("智能手机", 4, 80)},
    )
    row = selectors.plan_vs_actual(tree.community_a1, year)[month - 1]
    assert (row["sessions"], row["scheduled"], row["held"], row["themes"]) == (4, 1, 0, "智能手机")
    with pytest.raises(InvalidInput):
        services.save_plan(
            actor=classroom.staff,
            unit=tree.community_a1,
            year=year,
            title="x",
            months={13: ("", 1, 1)},
        )


def test_topic_requests_one_support_per_phone(classroom, tree):
    topic = services.propose_topic(
        unit=tree.community_a1, title="防范养老诈骗", proposer="赵阿姨", phone="13800000001"
    )
    services.support_topic(request=topic, phone="13800000002")
    with pytest.raises(Conflict):
        services.support_topic(request=topic, phone="13800000001")
    other = services.propose_topic(
        unit=tree.community_a1, title="书法", proposer="钱", phone="13800000003"
    )
    assert list(selectors.topics_for(tree.community_a1.code)) == [topic, other]
    with pytest.raises(InvalidInput):
        services.answer_topic(actor=classroom.staff, request=other, status=TopicStatus.DECLINED)
    services.answer_topic(
        actor=classroom.staff, request=topic, status=TopicStatus.PLANNED, answer="下月夜校安排"
    )
    with pytest.raises(Conflict):
        services.support_topic(request=topic, phone="13800000004")


def test_calendar_lists_the_sessions(classroom, session, tree):
    s = session(classroom.lectures)
    ics = selectors.calendar(tree.community_a1, [s]).decode()
    assert "BEGIN:VEVENT" in ics and "周四大讲堂" in ics and f"session-{s.pk}@civicgrid" in ics


def test_teacher_rating_from_attendees(classroom, session, monkeypatch):
    s = session(teacher=classroom.teacher)
    a = services.enrol(actor=None, session=s, name="甲", phone="13800000001")
    with pytest.raises(Conflict):
        services.rate(enrolment=a, token=a.token, rating=5)
    later(monkeypatch, s.starts_at)
    services.check_in(actor=classroom.staff, enrolment=a)
    with pytest.raises(InvalidInput):
        services.rate(enrolment=a, token=a.token, rating=6)
    services.rate(enrolment=a, token=a.token, rating=4)
    assert selectors.teacher_record(classroom.teacher)["rating"] == 4
