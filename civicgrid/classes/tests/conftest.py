"""A classroom on the shared tree: community A1's service centre (30 seats), a teacher from the
street's pool, a night-school course and a weekly lecture series; `session()` schedules one."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from civicgrid.classes import services
from civicgrid.classes.models import Audience, Category, Programme, VenueKind
from civicgrid.classes.services import CourseData, SessionData, TeacherData
from civicgrid.org.roles import Role
from civicgrid.party import services as party
from civicgrid.party.models import BranchKind, MemberKind, Position


@dataclass
class Classroom:
    staff: object
    venue: object
    teacher: object
    night_school: object
    lectures: object
    branch: object
    member: object


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English, the source strings (the browser test sees zh-hans)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def classroom(tree, people, make_user) -> Classroom:
    staff = make_user("cathy", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)
    venue = services.save_venue(
        actor=staff,
        unit=tree.community_a1,
        name="党群服务中心",
        kind=VenueKind.SERVICE_CENTRE,
        capacity=30,
    )
    teacher = services.save_teacher(
        actor=people["carol"],
        unit=tree.street_a,
        data=TeacherData(name="王老师", kind="party_school", phone="13700001111"),
    )
    night_school = services.save_course(
        actor=staff,
        unit=tree.community_a1,
        data=CourseData(
            title="夜校·智能手机",
            programme=Programme.NIGHT_SCHOOL,
            category=Category.SKILLS,
            audience=Audience.ELDERLY,
        ),
    )
    lectures = services.save_course(
        actor=staff,
        unit=tree.community_a1,
        data=CourseData(
            title="周四大讲堂",
            programme=Programme.LECTURE_SERIES,
            category=Category.THEORY,
            audience=Audience.PARTY_MEMBERS,
            series=True,
        ),
    )
    branch = party.save_branch(
        actor=staff, unit=tree.community_a1, name="甲一社区第一党支部", kind=BranchKind.BRANCH
    )
    member = party.save_member(
        actor=staff,
        data=party.MemberData(
            name="刘党员",
            branch=branch,
            kind=MemberKind.SELF_MANAGED,
            position=Position.MEMBER,
            phone="13600002222",
        ),
    )
    return Classroom(staff, venue, teacher, night_school, lectures, branch, member)


def at(days: int = 1, hour: int = 19, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def session(classroom):
    def make(course=None, *, days=1, hour=19, hours=2, capacity=3, waitlist=2, **extra):
        starts = at(days, hour)
        data = SessionData(
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=hours),
            capacity=capacity,
            venue=extra.pop("venue", classroom.venue),
            teacher=extra.pop("teacher", None),
            waitlist_limit=waitlist,
            **extra,
        )
        return services.schedule_session(
            actor=classroom.staff, course=course or classroom.night_school, data=data
        )

    return make
