"""Demo classes and party members in the demo community (河南纺机社区), after the seeds: a
party-masses service centre and its rooms, a teacher pool, the year's plan, a Thursday-afternoon
lecture series that has reached its 25th session, a night school with afternoon and evening
sections that fills up, a branch of party members with their meetings, study hours and points,
and a points shop. Past sessions are written as they happened (check-ins, credits, points);
coming ones go through the services, as staff would schedule them."""

import contextlib
import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from civicgrid.classes import rollups, services
from civicgrid.classes.models import (
    Audience,
    Category,
    Channel,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStep,
    Mode,
    Programme,
    Session,
    SessionAction,
    SessionStatus,
    TeacherKind,
    VenueKind,
)
from civicgrid.classes.services import CourseData, SessionData, TeacherData
from civicgrid.classes.workflow import SESSIONS
from civicgrid.core import privacy
from civicgrid.core.errors import Conflict
from civicgrid.org.demo import DEMO_COMMUNITY
from civicgrid.org.models import OrgUnit
from civicgrid.org.tree import is_under
from civicgrid.party import services as party
from civicgrid.party.models import (
    Branch,
    BranchKind,
    LifeKind,
    MemberKind,
    PointKind,
    Position,
)
from civicgrid.people.models import Person

VENUES = [
    ("党群服务中心多功能厅", VenueKind.SERVICE_CENTRE, 60, "桐柏路纺机家园1号"),
    ("直播间", VenueKind.LIVE_ROOM, 12, "党群服务中心二楼"),
    ("职工书屋", VenueKind.READING_ROOM, 20, "党群服务中心二楼"),
    ("影音室", VenueKind.AV_ROOM, 30, "党群服务中心三楼"),
    ("纺机家园小广场", VenueKind.OUTDOOR, 120, "纺机家园中心花园"),
]
TEACHERS = [
    ("李书记", TeacherKind.LEADER, "街道党工委副书记", "党的创新理论、基层治理"),
    ("赵教授", TeacherKind.PARTY_SCHOOL, "中原区委党校讲师", "党史、二十届三中全会精神"),
    ("孙桂兰", TeacherKind.MODEL_FIGURE, "全国三八红旗手", "志愿服务、家风家教"),
    ("周律师", TeacherKind.PROFESSIONAL, "河南某律师事务所", "民法典、婚姻继承、消费维权"),
    ("吴警官", TeacherKind.PROFESSIONAL, "中原区公安分局民警", "反诈、防范养老诈骗"),
    ("陈医生", TeacherKind.PROFESSIONAL, "社区卫生服务中心", "慢病管理、急救"),
    ("郑师傅", TeacherKind.RESIDENT_TALENT, "退休纺织技师", "手工编织、布艺"),
    ("王老师", TeacherKind.RESIDENT_TALENT, "退休中学教师", "智能手机、书法"),
]
THEMES = [
    "新春走基层",
    "学雷锋",
    "法治宣传",
    "全民阅读",
    "反诈宣传",
    "健康生活",
    "建党节",
    "暑期课堂",
    "安全月",
    "国庆",
    "重阳敬老",
    "年度总结",
]
MEMBERS = 36


def has_classes(district: str) -> bool:
    return Branch.objects.filter(unit_code__under=district).exists()


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _past_session(course, venue, teacher, starts, hours, capacity, topic="") -> Session:
    """A session already held, written as history: its log starts where it stands."""
    ends = starts + dt.timedelta(hours=hours)
    session = Session.objects.create(
        course=course,
        unit=course.unit,
        topic=topic,
        starts_at=starts,
        ends_at=ends,
        section=services.section_of(starts),
        venue=venue,
        teacher=teacher,
        capacity=capacity,
        class_hours=services.class_hours_of(starts, ends),
        status=SessionStatus.HELD,
    )
    SESSIONS.start(session, SessionAction.SCHEDULE, actor=None, now=session.created_at)
    return session


@transaction.atomic
def load_demo_classes(district: str) -> int:
    """Returns the number of sessions made. Labels kept in the ledgers are in Chinese."""
    with translation.override("zh-hans"):
        return _load(district)


def _load(district: str) -> int:
    rng = random.Random(7)
    community = OrgUnit.objects.filter(code=DEMO_COMMUNITY).first()
    if community is None or not is_under(community.code, district):
        return 0
    staff = get_user_model().objects.get(username="community")
    today = timezone.localdate()
    venues = [
        services.save_venue(actor=staff, unit=community, name=n, kind=k, capacity=c, address=a)
        for n, k, c, a in VENUES
    ]
    hall, live, books, av, square = venues
    teachers = [
        services.save_teacher(
            actor=staff,
            unit=community,
            data=TeacherData(
                name=n, kind=k, title=t, topics=topics, full_time=k == TeacherKind.PARTY_SCHOOL
            ),
        )
        for n, k, t, topics in TEACHERS
    ]

    # The branch and its members: residents of the community, linked to their records.
    branch = party.save_branch(
        actor=staff, unit=community, name="河南纺机社区党委第一党支部", kind=BranchKind.BRANCH
    )
    party.save_branch(
        actor=staff, unit=community, name="河南纺机社区党委", kind=BranchKind.COMMITTEE
    )
    residents = list(
        Person.objects.filter(unit_code__under=community.code, birth_date__year__lt=1990)
        .exclude(phone="")
        .order_by("id")[:400]
    )
    chosen = rng.sample(residents, min(MEMBERS, len(residents)))
    members = []
    for number, person in enumerate(chosen):
        kind = MemberKind.DUAL_REGISTERED if number % 3 == 0 else MemberKind.SELF_MANAGED
        position = (
            Position.SECRETARY
            if number == 0
            else Position.COMMITTEE_MEMBER
            if number < 4
            else Position.MEMBER
        )
        member = party.save_member(
            actor=staff,
            data=party.MemberData(
                name=person.name,
                branch=branch,
                kind=kind,
                position=position,
                person=person,
                employer="郑州纺织机械股份有限公司" if kind == MemberKind.DUAL_REGISTERED else "",
                joined_party_on=dt.date(rng.randint(1975, 2015), rng.randint(1, 12), 1),
                responsibility_area=(
                    f"{rng.choice(['纺机家园', '保利百合'])}{rng.randint(1, 12)}号楼"
                    if number % 2
                    else ""
                ),
                model_post="党员先锋岗" if number % 5 == 0 else "",
            ),
        )
        # The member's phone is the resident's (the same keyed hash finds both).
        type(member).objects.filter(pk=member.pk).update(**privacy.PHONE.kept(person))
        member.refresh_from_db()
        members.append(member)
    speaker = members[1] if len(members) > 1 else None
    if speaker is not None:
        teachers.append(
            services.save_teacher(
                actor=staff,
                unit=community,
                data=TeacherData(
                    name=speaker.name,
                    kind=TeacherKind.PARTY_MEMBER,
                    title="身边的党员讲师",
                    topics="社区志愿服务",
                    member=speaker,
                ),
            )
        )

    # The year's plan, month by month.
    months = {
        m: (THEMES[m - 1], 8 if m not in (2, 8) else 5, 160 if m not in (2, 8) else 90)
        for m in range(1, 13)
    }
    services.save_plan(
        actor=staff,
        unit=community,
        year=today.year,
        title=f"{today.year}年先锋课堂计划",
        months=months,
    )

    def course(title, programme, category, audience, **extra):
        data = CourseData(title, programme, category, audience, **extra)
        return services.save_course(actor=staff, unit=community, data=data)

    P, C, A = Programme, Category, Audience
    lectures = course(
        "周四大讲堂",
        P.LECTURE_SERIES,
        C.THEORY,
        A.PARTY_MEMBERS,
        series=True,
        description="每周四下午，党员干部、党校讲师、先进模范轮流开讲。",
    )
    phones = course(
        "夜校·智能手机班",
        P.NIGHT_SCHOOL,
        C.SKILLS,
        A.ELDERLY,
        description="下午班、晚上班，教老年人用手机挂号、缴费、视频通话。",
    )
    craft = course("夜校·手工编织", P.NIGHT_SCHOOL, C.HANDICRAFT, A.RESIDENTS)
    fraud = course("反诈微课堂", P.MICRO_CLASS, C.ANTI_FRAUD, A.RESIDENTS)
    online = course("云上党课", P.VANGUARD_CLASSROOM, C.THEORY, A.PARTY_MEMBERS, mode=Mode.ONLINE)
    law = course("民法典进社区", P.VANGUARD_CLASSROOM, C.LAW, A.RESIDENTS)

    # 24 Thursday lectures held, plus weekly night-school and monthly classes.
    thursday = today - dt.timedelta(days=(today.weekday() - 3) % 7 or 7)
    past: list[Session] = []
    for week in range(24):
        day = thursday - dt.timedelta(weeks=23 - week)
        past.append(_past_session(lectures, hall, teachers[week % 3], _at(day, 15), 2, 60))
    for week in range(12):
        day = today - dt.timedelta(weeks=12 - week, days=(today.weekday() - 1) % 7)
        past.append(_past_session(phones, books, teachers[7], _at(day, 15), 1.5, 20))
        past.append(_past_session(phones, books, teachers[7], _at(day, 19), 1.5, 20))
        past.append(
            _past_session(craft, av, teachers[6], _at(day + dt.timedelta(days=2), 19), 2, 30)
        )
    for month in range(1, 5):
        day = today - dt.timedelta(days=30 * month + 5)
        past.append(_past_session(fraud, square, teachers[4], _at(day, 9, 30), 1, 100))
        past.append(
            _past_session(law, hall, teachers[3], _at(day + dt.timedelta(days=1), 19), 2, 60)
        )
    services.renumber(lectures)

    people = list(Person.objects.filter(unit_code__under=community.code).exclude(phone="")[:1500])
    by_person = {m.person_id: m for m in members}
    for session in past:
        share = 0.9 if session.course == lectures else 0.75
        goers = rng.sample(people, int(session.capacity * share * rng.uniform(0.7, 1)))
        if session.course == lectures:
            sampled = rng.sample(members, int(len(members) * 0.7))
            goers = [m.person for m in sampled if m.person is not None] + goers
            goers = list({p.pk: p for p in goers}.values())[: session.capacity]
        rows = []
        for person in goers:
            rows.append(
                Enrolment(
                    session=session,
                    unit=community,
                    unit_code=community.code,
                    name=person.name,
                    **privacy.PHONE.kept(person),
                    person=person,
                    member=by_person.get(person.pk),
                    status=EnrolmentStatus.ENROLLED,
                    channel=rng.choice([Channel.PUBLIC, Channel.PUBLIC, Channel.STAFF]),
                    verified=True,
                    rating=rng.choice([None, None, 4, 5, 5]),
                    checked_in_at=session.starts_at - dt.timedelta(minutes=rng.randint(0, 20)),
                )
            )
        Enrolment.objects.bulk_create(rows)
        EnrolmentStep.objects.bulk_create(
            EnrolmentStep(
                enrolment=row,
                action=EnrolmentStep.Action.ENROL,
                to_status=row.status,
                at=row.created_at,
            )
            for row in rows
        )
        Session.objects.filter(pk=session.pk).update(enrolled=len(rows), attended=len(rows))
        day = timezone.localtime(session.starts_at).date()
        for row in rows:
            if row.member is not None:
                source = f"session:{session.pk}"
                party.credit_study(
                    member=row.member,
                    hours=session.class_hours,
                    source=source,
                    label=str(session),
                    day=day,
                )
                party.award_points(
                    member=row.member,
                    kind=PointKind.CLASS_ATTENDANCE,
                    source=source,
                    note=str(session),
                    day=day,
                )

    # Organisational life: this year's meetings, a few missing on purpose.
    for month in range(1, today.month + 1):
        first = dt.date(today.year, month, 1)
        for life_kind, day_of_month, agenda in (
            (LifeKind.COMMITTEE_MEETING, 3, "研究本月党建重点工作"),
            (LifeKind.THEME_DAY, 15, f"主题党日：{THEMES[month - 1]}"),
            (LifeKind.GROUP_MEETING, 20, "党小组学习"),
        ):
            held = first.replace(day=day_of_month)
            if held > today or (life_kind == LifeKind.GROUP_MEETING and month % 4 == 0):
                continue
            party.record_meeting(
                actor=staff,
                branch=branch,
                kind=life_kind,
                held_on=held,
                topic=agenda,
                attendees=rng.sample(members, int(len(members) * 0.8)),
                minutes="会议传达学习上级精神，研究部署近期工作。",
            )
        if month % 3 == 0 and first.replace(day=25) <= today:
            party.record_meeting(
                actor=staff,
                branch=branch,
                kind=LifeKind.PARTY_LECTURE,
                held_on=first.replace(day=25),
                topic="书记讲党课",
                attendees=rng.sample(members, int(len(members) * 0.9)),
                class_hours=Decimal(2),
            )
            party.record_meeting(
                actor=staff,
                branch=branch,
                kind=LifeKind.GENERAL_MEETING,
                held_on=first.replace(day=26),
                topic="支部党员大会",
                attendees=rng.sample(members, int(len(members) * 0.9)),
            )

    # The shop, and a few redemptions.
    items = [
        party.save_item(actor=staff, unit=community, name=n, points=p, stock=s, description=d)
        for n, p, s, d in (
            ("洗衣液", 20, 30, "2kg"),
            ("食用油", 40, 20, "5L"),
            ("大米", 50, 15, "10kg"),
            ("理发券", 10, 50, "社区合伙人爱心理发店"),
            ("体检套餐", 120, 5, "社区卫生服务中心"),
        )
    ]
    for member in rng.sample(members, 6):
        member.refresh_from_db()
        affordable = [i for i in items if i.points <= member.balance]
        if affordable:
            redemption = party.redeem(actor=staff, member=member, item=rng.choice(affordable))
            if rng.random() < 0.6:
                party.hand_over(actor=staff, redemption=redemption)

    # Coming sessions: the 25th lecture, the night school's next sections, an online class.
    coming = []
    next_thursday = today + dt.timedelta(days=(3 - today.weekday()) % 7 or 7)
    for week in range(4):
        day = next_thursday + dt.timedelta(weeks=week)
        coming.append(
            services.schedule_session(
                actor=staff,
                course=lectures,
                data=SessionData(
                    starts_at=_at(day, 15),
                    ends_at=_at(day, 17),
                    capacity=60,
                    venue=hall,
                    teacher=teachers[week % 3],
                    topic=["学习二十届三中全会精神", "党史故事会", "身边的榜样", "基层治理新实践"][
                        week
                    ],
                ),
            )
        )
    for week in range(3):
        day = today + dt.timedelta(days=2 + 7 * week)
        for hour in (15, 19):
            coming.append(
                services.schedule_session(
                    actor=staff,
                    course=phones,
                    data=SessionData(
                        starts_at=_at(day, hour),
                        ends_at=_at(day, hour, 0) + dt.timedelta(minutes=90),
                        capacity=20,
                        venue=books,
                        teacher=teachers[7],
                        waitlist_limit=10,
                        topic="手机挂号与缴费" if week == 0 else "视频通话与防骗",
                    ),
                )
            )
    coming.append(
        services.schedule_session(
            actor=staff,
            course=fraud,
            data=SessionData(
                starts_at=_at(today + dt.timedelta(days=5), 9, 30),
                ends_at=_at(today + dt.timedelta(days=5), 10, 30),
                capacity=100,
                venue=square,
                teacher=teachers[4],
                topic="识破养老诈骗",
            ),
        )
    )
    coming.append(
        services.schedule_session(
            actor=staff,
            course=online,
            data=SessionData(
                starts_at=_at(today + dt.timedelta(days=6), 19, 30),
                ends_at=_at(today + dt.timedelta(days=6), 20, 30),
                capacity=200,
                venue=live,
                teacher=teachers[1],
                stream_url="https://live.example.org/zy-fangji",
                topic="云上党课：新时代基层党建",
            ),
        )
    )
    # The first night-school section fills up, with a waitlist.
    for person in people[:24]:
        services.enrol(
            actor=None, session=coming[4], name=person.name, phone=privacy.decrypt(person.phone)
        )
    for person in people[30:70]:
        services.enrol(
            actor=None, session=coming[0], name=person.name, phone=privacy.decrypt(person.phone)
        )

    for text, proposer in (
        ("老年人如何防范保健品骗局", "孙阿姨"),
        ("孩子暑期托管与安全", "刘女士"),
        ("太极拳", "周大爷"),
        ("电动车充电安全", "马先生"),
    ):
        proposed = services.propose_topic(
            unit=community, title=text, proposer=proposer, phone=privacy.decrypt(people[-1].phone)
        )
        for person in rng.sample(people, rng.randint(2, 30)):
            with contextlib.suppress(Conflict):  # the proposer drawn again
                services.support_topic(request=proposed, phone=privacy.decrypt(person.phone))
    rollups.rebuild()
    return len(past) + len(coming)


def demo_part(district: str, *, progress: bool) -> str:
    """The demo's branches, members and classes, unless the district has them (core.demo;
    registered in apps.py)."""
    if has_classes(district):
        return ""
    return f"{load_demo_classes(district)} demo class sessions added."
