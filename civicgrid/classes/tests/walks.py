"""The classes' machines for the shared workflow property test (civicgrid/tests/test_workflows.py):
sessions, enrolments and topic requests, stepped through the real services by staff of the
community (who may), its street's staff (who may) and grid workers (who may not), with the
services' clock moved to the session's start or end where a step needs it."""

import contextlib
import datetime as dt
import itertools

import pytest
from django.utils import timezone

from civicgrid.classes import rollups, services
from civicgrid.classes.models import Audience, Category, Mode, Programme, Session
from civicgrid.classes.services import CourseData, SessionData
from civicgrid.org.roles import Role
from civicgrid.tests.walking import Walk

STREAM = "https://live.example.org/room"


@contextlib.contextmanager
def clock(moment: dt.datetime):
    """The services' clock at `moment` (check-in and holding a session depend on it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "_now", lambda: moment)
        yield


class Classroom:
    """An online course of community A1 (no venue, so sessions never clash) and its staff;
    each new session starts a day later than the one before."""

    def __init__(self, request) -> None:
        tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")
        make_user = request.getfixturevalue("make_user")
        self.staff = make_user("cathy", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)
        self.people = {
            "cathy": self.staff,
            "carol": people["carol"],
            "alice": people["alice"],
            "mallory": people["mallory"],
        }
        self.course = services.save_course(
            actor=self.staff,
            unit=tree.community_a1,
            data=CourseData(
                title="云上党课",
                programme=Programme.VANGUARD_CLASSROOM,
                category=Category.THEORY,
                audience=Audience.PARTY_MEMBERS,
                mode=Mode.ONLINE,
            ),
        )
        self.days = itertools.count(1)
        self.phones = (f"138{n:08d}" for n in itertools.count())

    def data(self, starts: dt.datetime, capacity: int) -> SessionData:
        return SessionData(
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            capacity=capacity,
            waitlist_limit=2,
            stream_url=STREAM,
        )

    def session(self, capacity: int = 2) -> Session:
        day = timezone.localdate() + dt.timedelta(days=next(self.days))
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(19)))
        return services.schedule_session(
            actor=self.staff, course=self.course, data=self.data(starts, capacity)
        )

    def enrol(self, session: Session):
        return services.enrol(actor=None, session=session, name="居民", phone=next(self.phones))

    def grow(self, actor, session: Session) -> Session:
        """One more place (which promotes the first on the waitlist)."""
        data = self.data(session.starts_at, session.capacity + 1)
        return services.schedule_session(
            actor=actor, course=session.course, data=data, session=session
        )


def walk_sessions(request) -> Walk:
    room = Classroom(request)

    def close(actor, session):
        with clock(session.starts_at + dt.timedelta(minutes=30)):
            return services.close_session(actor=actor, session=session)

    def close_ended(actor, session):
        with clock(session.ends_at + dt.timedelta(minutes=1)):
            return services.close_session(actor=None, session=session)

    steps = {
        "change": room.grow,
        "cancel": lambda a, s: services.cancel_session(actor=a, session=s, reason="讲师出差"),
        "cancel_without_reason": lambda a, s: services.cancel_session(
            actor=a, session=s, reason=""
        ),
        "close_too_early": lambda a, s: services.close_session(actor=a, session=s),
        "close": close,
        "close_ended": close_ended,
        "enrol": lambda a, s: room.enrol(s),
    }
    return Walk(start=room.session, steps=steps, people=room.people, recount=rollups.check_all)


def walk_enrolments(request) -> Walk:
    """A session of one place: the walked enrolment comes second, on the waitlist, and moves up
    when the first gives up or the session grows."""
    room = Classroom(request)

    def start():
        session = room.session(capacity=1)
        room.enrol(session)
        return room.enrol(session)

    def first_cancels(actor, enrolment):
        first = enrolment.session.enrolments.exclude(pk=enrolment.pk).order_by("id").first()
        return services.cancel_enrolment(actor=None, enrolment=first, token=first.token)

    def at_start(step):
        def take(actor, enrolment):
            with clock(enrolment.session.starts_at):
                return step(actor, enrolment)

        return take

    def check_in_with_code(actor, enrolment):
        session = enrolment.session
        return services.check_in(
            actor=None,
            enrolment=enrolment,
            token=session.checkin_token,
            venue_code=services.venue_code(session),
        )

    steps = {
        "first_cancels": first_cancels,
        "grow": lambda a, e: room.grow(a, e.session),
        "cancel": lambda a, e: services.cancel_enrolment(actor=a, enrolment=e),
        "cancel_by_link": lambda a, e: services.cancel_enrolment(
            actor=None, enrolment=e, token=e.token
        ),
        "cancel_with_a_guess": lambda a, e: services.cancel_enrolment(
            actor=None, enrolment=e, token="guess"
        ),
        "verify": lambda a, e: services.verify_enrolment(actor=a, enrolment=e),
        "check_in": at_start(lambda a, e: services.check_in(actor=a, enrolment=e)),
        "check_in_with_code": at_start(check_in_with_code),
        "claim": at_start(
            lambda a, e: services.check_in(actor=None, enrolment=e, token=e.session.checkin_token)
        ),
        "check_in_too_early": lambda a, e: services.check_in(actor=a, enrolment=e),
        "rate": lambda a, e: services.rate(enrolment=e, token=e.token, rating=4),
        "cancel_session": lambda a, e: services.cancel_session(
            actor=a, session=e.session, reason="停电"
        ),
    }
    return Walk(start=start, steps=steps, people=room.people, recount=rollups.check_all)


def walk_topics(request) -> Walk:
    room = Classroom(request)
    unit = request.getfixturevalue("tree").community_a1

    def start():
        return services.propose_topic(
            unit=unit, title="防范养老诈骗", proposer="赵阿姨", phone=next(room.phones)
        )

    def answer(status: str, text: str):
        return lambda a, t: services.answer_topic(actor=a, request=t, status=status, answer=text)

    steps = {
        "plan": answer("planned", "下月夜校安排"),
        "decline": answer("declined", "暂无讲师"),
        "decline_without_reason": answer("declined", ""),
        "reopen": answer("open", ""),
        "support": lambda a, t: services.support_topic(request=t, phone=next(room.phones)),
    }
    return Walk(start=start, steps=steps, people=room.people)


WALKS = {
    "classes.Session": walk_sessions,
    "classes.Enrolment": walk_enrolments,
    "classes.TopicRequest": walk_topics,
}
