"""Every write to classes: venues, teachers, plans, courses, sessions, enrolments, topics.

Sessions, enrolments and topic requests move only through their machines (`workflow.py`, run
by `core.workflow`): one function here per step, saying what the step changes. A session's
enrolments change only under the session's row lock (`_lock_session`, taken before the
enrolment's), so its counts (enrolled, waitlisted, attended) are exact and capacity holds
whatever arrives at once; the waitlist is promoted in the order people joined it. Scheduling
locks the venue and the teacher before looking for clashes, so two staff cannot book one room
or one teacher twice. Every step appends its log row and moves the counters (`rollups.py`) in
the same transaction. `actor=None` is a resident on the public pages (identified by phone,
their enrolment link or the venue's QR code) or the system.
"""

import datetime as dt
import hmac
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civicgrid.classes import rollups
from civicgrid.classes.models import (
    Audience,
    Category,
    Channel,
    Course,
    CoursePlan,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStep,
    Mode,
    PlanMonth,
    Programme,
    Section,
    Session,
    SessionAction,
    SessionStatus,
    Setting,
    Teacher,
    TeacherKind,
    TopicAction,
    TopicRequest,
    TopicStatus,
    TopicSupport,
    Venue,
    VenueKind,
)
from civicgrid.classes.workflow import ENROLMENTS, SESSIONS, TOPICS
from civicgrid.core import privacy
from civicgrid.core.cleaning import web_url
from civicgrid.core.errors import (
    CivicgridError,
    Conflict,
    InvalidInput,
    NotAllowed,
    choice,
    required,
)
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds, require
from civicgrid.org.selectors import on_one_branch
from civicgrid.party import services as party
from civicgrid.party.models import PartyMember, PointKind
from civicgrid.party.roles import PARTY_ROLES
from civicgrid.people.models import Person

E = EnrolmentStatus
EA = EnrolmentStep.Action
SA = SessionAction
TA = TopicAction
# Check-in opens this long before a session starts; a resident's QR check-in closes this long
# after it ends (staff may still record attendance later).
CHECK_IN_OPENS = dt.timedelta(minutes=30)
CHECK_IN_CLOSES = dt.timedelta(minutes=30)


def check_keeper(actor: Any, code: str) -> None:
    require(actor, code, PARTY_ROLES, _("You may not run classes here."))


def _now() -> dt.datetime:
    return timezone.now()


def _label(session: Session) -> str:
    """The session's name as stored in ledgers and credits: in the site's language, whatever
    the language of the request that earned them."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(session)


# ---- venues, teachers, plans, courses -----------------------------------------------------------


@transaction.atomic
def save_venue(
    *,
    actor: Any,
    unit: OrgUnit,
    name: str,
    kind: str,
    capacity: int,
    address: str = "",
    active: bool = True,
    venue: Venue | None = None,
) -> Venue:
    check_keeper(actor, unit.code)
    venue = venue or Venue()
    if venue.pk:
        check_keeper(actor, venue.unit_code)
    venue.unit = unit
    venue.name = required(name, "name", _("Name"))
    venue.kind = choice(kind, VenueKind, "kind")
    if not capacity or capacity < 1:
        raise InvalidInput(_("A venue holds at least one person."), field="capacity")
    venue.capacity = capacity
    venue.address = address.strip()
    venue.active = active
    if Venue.objects.filter(unit=unit, name=venue.name).exclude(pk=venue.pk).exists():
        raise InvalidInput(_("This unit already has a venue of that name."), field="name")
    venue.save()
    return venue


@dataclass
class TeacherData:
    name: str
    kind: str
    full_time: bool = False
    title: str = ""
    topics: str = ""
    # None keeps the current number on edit; "" clears it.
    phone: str | None = None
    member: PartyMember | None = None
    active: bool = True


@transaction.atomic
def save_teacher(
    *, actor: Any, unit: OrgUnit, data: TeacherData, teacher: Teacher | None = None
) -> Teacher:
    check_keeper(actor, unit.code)
    teacher = teacher or Teacher()
    if teacher.pk:
        check_keeper(actor, teacher.unit_code)
    teacher.unit = unit
    teacher.name = required(data.name, "name", _("Name"))
    teacher.kind = choice(data.kind, TeacherKind, "kind")
    teacher.full_time = data.full_time
    teacher.title = data.title.strip()
    teacher.topics = data.topics.strip()
    if data.phone is not None:
        teacher.set_phone(data.phone)
    if teacher.kind == TeacherKind.PARTY_MEMBER and data.member is None:
        raise InvalidInput(_("Choose the party member who lectures."), field="member")
    teacher.member = data.member
    teacher.active = data.active
    teacher.save()
    return teacher


# The years a plan may be kept for (the plan page answers 404 outside them).
PLAN_YEARS = range(2000, 2101)


@transaction.atomic
def save_plan(
    *,
    actor: Any,
    unit: OrgUnit,
    year: int,
    title: str,
    months: dict[int, tuple[str, int, int]],
    notes: str = "",
) -> CoursePlan:
    """Create or replace a unit's plan for `year`: month → (themes, sessions, attendances)."""
    check_keeper(actor, unit.code)
    if year not in PLAN_YEARS:
        raise InvalidInput(_("Give a year between 2000 and 2100."), field="year")
    plan, _created = CoursePlan.objects.get_or_create(
        unit=unit, year=year, defaults={"title": title or f"{year}"}
    )
    plan.title = required(title, "title", _("Title"))
    plan.notes = notes.strip()
    plan.save()
    for month, (themes, sessions, attendances) in sorted(months.items()):
        if not 1 <= month <= 12:
            raise InvalidInput(_("A month lies between 1 and 12."), field="month")
        if sessions < 0 or attendances < 0:
            raise InvalidInput(
                _("Targets for month %(month)s cannot be negative.") % {"month": month},
                field=f"month_{month}",
            )
        PlanMonth.objects.update_or_create(
            plan=plan,
            month=month,
            defaults={
                "unit": unit,
                "themes": themes.strip()[:200],
                "sessions": sessions,
                "attendances": attendances,
            },
        )
    return plan


@dataclass
class CourseData:
    title: str
    programme: str
    category: str
    audience: str
    mode: str = Mode.OFFLINE
    setting: str = Setting.INDOOR
    series: bool = False
    description: str = ""
    active: bool = True


@transaction.atomic
def save_course(
    *, actor: Any, unit: OrgUnit, data: CourseData, course: Course | None = None
) -> Course:
    check_keeper(actor, unit.code)
    course = course or Course()
    if course.pk:
        check_keeper(actor, course.unit_code)
        if course.unit_id != unit.pk and course.sessions.exists():
            raise InvalidInput(_("A course with sessions stays at its unit."), field="unit")
    course.unit = unit
    course.title = required(data.title, "title", _("Title"))
    course.programme = choice(data.programme, Programme, "programme")
    course.category = choice(data.category, Category, "category")
    course.audience = choice(data.audience, Audience, "audience")
    course.mode = choice(data.mode, Mode, "mode")
    course.setting = choice(data.setting, Setting, "setting")
    was_series = course.series
    course.series = data.series
    course.description = data.description.strip()
    course.active = data.active
    course.save()
    if course.series != was_series:
        renumber(course)
    return course


# ---- sessions ----------------------------------------------------------------------------------


def section_of(starts_at: dt.datetime) -> str:
    hour = timezone.localtime(starts_at).hour
    if hour < 12:
        return Section.MORNING
    return Section.AFTERNOON if hour < 18 else Section.EVENING


def class_hours_of(starts_at: dt.datetime, ends_at: dt.datetime) -> Decimal:
    """The session's length in class hours (CLASS_HOUR_MINUTES each), to the half hour."""
    minutes = Decimal((ends_at - starts_at).total_seconds()) / 60
    halves = (minutes / settings.CLASS_HOUR_MINUTES * 2).quantize(Decimal(1), ROUND_HALF_UP)
    return halves / 2


def _lock_session(pk: int) -> Session:
    """The session's row lock: every enrolment step takes it before the enrolment's (the
    engine's), so a session's steps queue in one order and its counts stay exact."""
    return Session.objects.select_for_update().get(pk=pk)


def renumber(course: Course) -> None:
    """Number a series' sessions 1, 2, 3… in date order, cancelled ones left out."""
    sessions = course.sessions.order_by("starts_at", "id")
    if not course.series:
        sessions.exclude(number=None).update(number=None)
        return
    number = 0
    for session in sessions:
        wanted = None
        if session.status != SessionStatus.CANCELLED:
            number += 1
            wanted = number
        if session.number != wanted:
            Session.objects.filter(pk=session.pk).update(number=wanted)


def _clashes(session: Session) -> None:
    """A clear error when the venue or the teacher is taken at the session's time."""
    overlapping = (
        Session.objects.filter(starts_at__lt=session.ends_at, ends_at__gt=session.starts_at)
        .exclude(status=SessionStatus.CANCELLED)
        .exclude(pk=session.pk)
    )
    if session.venue_id:
        venue = Venue.objects.select_for_update().filter(pk=session.venue_id).get()
        other = overlapping.filter(venue_id=session.venue_id).select_related("course").first()
        if other:
            raise InvalidInput(
                _("%(venue)s is taken from %(start)s to %(end)s by %(other)s.")
                % {
                    "venue": venue.name,
                    "start": timezone.localtime(other.starts_at).strftime("%m-%d %H:%M"),
                    "end": timezone.localtime(other.ends_at).strftime("%H:%M"),
                    "other": other,
                },
                field="venue",
            )
    if session.teacher_id:
        teacher = Teacher.objects.select_for_update().filter(pk=session.teacher_id).get()
        other = overlapping.filter(teacher_id=session.teacher_id).select_related("venue").first()
        if other:
            raise InvalidInput(
                _("%(teacher)s teaches elsewhere at that time (%(start)s, %(where)s).")
                % {
                    "teacher": teacher.name,
                    "start": timezone.localtime(other.starts_at).strftime("%m-%d %H:%M"),
                    "where": other.venue.name if other.venue else _("online"),
                },
                field="teacher",
            )


@dataclass
class SessionData:
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    venue: Venue | None = None
    teacher: Teacher | None = None
    topic: str = ""
    section: str = ""
    waitlist_limit: int = 20
    stream_url: str = ""
    materials: str = ""
    class_hours: Decimal | None = None


def _check_session(course: Course, data: SessionData) -> None:
    if data.ends_at <= data.starts_at:
        raise InvalidInput(_("A session ends after it starts."), field="ends_at")
    if data.ends_at - data.starts_at > dt.timedelta(hours=12):
        raise InvalidInput(_("A session lasts at most 12 hours."), field="ends_at")
    if course.mode == Mode.OFFLINE and data.venue is None:
        raise InvalidInput(_("An offline session needs a venue."), field="venue")
    web_url(data.stream_url, field="stream_url")
    if course.mode == Mode.ONLINE and not data.stream_url:
        raise InvalidInput(_("An online session needs its live-stream link."), field="stream_url")
    if data.capacity is None or data.capacity < 1:
        raise InvalidInput(_("A session has at least one place."), field="capacity")
    if data.waitlist_limit is None or data.waitlist_limit < 0:
        raise InvalidInput(_("Waitlist places cannot be negative."), field="waitlist_limit")
    if data.venue is not None:
        if not data.venue.active or not on_one_branch(course.unit_code, data.venue.unit_code):
            raise InvalidInput(_("Choose a venue of this unit."), field="venue")
        if course.mode == Mode.OFFLINE and data.capacity > data.venue.capacity:
            raise InvalidInput(
                _("%(venue)s holds %(n)s people; lower the capacity.")
                % {"venue": data.venue.name, "n": data.venue.capacity},
                field="capacity",
            )
    if data.teacher is not None and (
        not data.teacher.active or not on_one_branch(course.unit_code, data.teacher.unit_code)
    ):
        raise InvalidInput(_("Choose a teacher from this unit's pool."), field="teacher")
    if data.class_hours is not None and not 0 <= data.class_hours <= 12:
        raise InvalidInput(_("Class hours lie between 0 and 12."), field="class_hours")


def _fill(session: Session, data: SessionData) -> None:
    session.starts_at, session.ends_at = data.starts_at, data.ends_at
    session.section = choice(data.section or section_of(data.starts_at), Section, "section")
    session.venue, session.teacher = data.venue, data.teacher
    session.capacity, session.waitlist_limit = data.capacity, data.waitlist_limit
    session.topic = data.topic.strip()
    session.stream_url = web_url(data.stream_url, field="stream_url")
    session.materials = data.materials.strip()
    session.class_hours = (
        data.class_hours
        if data.class_hours is not None
        else class_hours_of(data.starts_at, data.ends_at)
    )
    _clashes(session)


@transaction.atomic
def schedule_session(
    *, actor: Any, course: Course, data: SessionData, session: Session | None = None
) -> Session:
    """Add a session to a course, or change one that has not started (keepers of the course's
    unit). Raising the capacity promotes people from the waitlist; it may not drop below those
    already enrolled. Logs the step, moves the monthly rollup."""
    check_keeper(actor, course.unit_code)
    _check_session(course, data)
    now = _now()
    if session is None:
        if data.starts_at <= now:
            raise InvalidInput(_("A new session starts in the future."), field="starts_at")
        session = Session(course=course, unit=course.unit, created_by=actor)
        _fill(session, data)
        session.save()
        SESSIONS.start(session, SA.SCHEDULE, actor=actor, now=now)
        rollups.apply(Counter(), rollups.contributions(session))
    else:

        def change(s: Session, now: dt.datetime) -> None:
            if s.starts_at <= now:
                raise Conflict(_("Only a session that has not started can be changed."))
            if data.capacity < s.enrolled:
                raise InvalidInput(
                    _("%(n)s people are enrolled; the capacity cannot be lower.")
                    % {"n": s.enrolled},
                    field="capacity",
                )
            _fill(s, data)

        session = SESSIONS.run(session, SA.CHANGE, actor=actor, now=now, change=change)
        _promote(session.pk, now)
    renumber(course)
    session.refresh_from_db()
    return session


@transaction.atomic
def cancel_session(*, actor: Any, session: Session, reason: str) -> Session:
    """Call a session off (keepers, before it is held). Its enrolments stay as they were, for
    the record; the residents' pages say it is cancelled."""
    reason = required(reason, "reason", _("Reason"))

    def change(s: Session, now: dt.datetime) -> None:
        s.materials = "\n".join(
            part for part in (s.materials, _("Cancelled: %(reason)s") % {"reason": reason}) if part
        )

    cancelled = SESSIONS.run(
        session, SA.CANCEL, actor=actor, now=_now(), note=reason, change=change
    )
    renumber(cancelled.course)
    return cancelled


@transaction.atomic
def close_session(*, actor: Any, session: Session) -> Session:
    """Mark a session held once it has started: keepers, or the system (`actor=None`) when it
    has ended. A teacher who is a party member earns the teaching points."""

    def change(s: Session, now: dt.datetime) -> None:
        if s.starts_at > now:
            raise Conflict(_("A session is held after it starts."))

    held = SESSIONS.run(session, SA.CLOSE, actor=actor, now=_now(), change=change)
    member = held.teacher.member if held.teacher is not None else None
    if member is not None:
        party.award_points(
            member=member,
            kind=PointKind.TEACHING,
            source=f"session:{held.pk}",
            actor=actor,
            note=_label(held),
            day=timezone.localtime(held.starts_at).date(),
        )
    return held


def close_ended_sessions(*, now: dt.datetime | None = None) -> int:
    """Mark held every scheduled session that has ended (the periodic job). Each session is
    closed under its row lock with its teacher's points in one transaction, so two runs at
    once close it, and award the points, once."""
    now = now or _now()
    count = 0
    for session in Session.objects.filter(status=SessionStatus.SCHEDULED, ends_at__lte=now):
        try:
            with transaction.atomic():
                close_session(actor=None, session=session)
            count += 1
        except Conflict:
            continue  # closed meanwhile by staff
    return count


# ---- enrolment ---------------------------------------------------------------------------------


def _promote(session_pk: int, now: dt.datetime) -> list[Enrolment]:
    """Move people from the waitlist into free places, first come first served (under the
    session's row lock, taken here if the caller has not)."""
    session = _lock_session(session_pk)
    free = session.capacity - session.enrolled
    if free <= 0 or session.status != SessionStatus.SCHEDULED or session.starts_at <= now:
        return []
    waiting = session.enrolments.filter(status=E.WAITLISTED).order_by("id")[:free]
    return [
        ENROLMENTS.run(pk, EA.PROMOTE, actor=None, now=now)
        for pk in waiting.values_list("pk", flat=True)
    ]


def _may_staff(actor: Any, session: Session) -> bool:
    return holds(actor, session.unit_code, PARTY_ROLES)


@transaction.atomic
def enrol(
    *,
    actor: Any,
    session: Session,
    name: str = "",
    phone: str = "",
    person: Person | None = None,
    channel: str = Channel.PUBLIC,
    phone_checked: bool = False,
) -> Enrolment:
    """Take a place in `session`, or one on its waitlist when it is full. A resident gives a
    name and phone on the public page (verified when they are logged in or proved the phone
    with its code — `phone_checked` —, else later by staff); staff enrol a person from basic
    data or by name and phone. Logs the enrolment, moves the session's counts."""
    staff = channel == Channel.STAFF
    if staff and not _may_staff(actor, session):
        raise NotAllowed(_("You may not enrol people in this session."))
    enrolment = Enrolment(person=person, channel=channel)
    if person is not None:
        if not staff:
            raise NotAllowed(_("Only staff enrol a person from basic data."))
        enrolment.name = (name or person.name).strip()[:40]
        enrolment.copy_phone(person)
    else:
        enrolment.name = required(name, "name", _("Name"))[:40]
        enrolment.set_phone(required(phone, "phone", _("Phone")))
    session = _lock_session(session.pk)
    now = _now()
    if session.status != SessionStatus.SCHEDULED:
        raise Conflict(_("This session is %(status)s.") % {"status": session.get_status_display()})
    if session.starts_at <= now:
        raise Conflict(_("Enrolment closed when the session started."), field="session")
    taken = session.enrolments.exclude(status=E.CANCELLED)
    if (enrolment.phone_hash and taken.filter(phone_hash=enrolment.phone_hash).exists()) or (
        person is not None and taken.filter(person=person).exists()
    ):
        raise Conflict(_("This phone number is already enrolled in this session."), field="phone")
    if session.enrolled < session.capacity:
        status = E.ENROLLED
    elif session.waitlisted < session.waitlist_limit:
        status = E.WAITLISTED
    else:
        raise Conflict(_("This session and its waitlist are full."), field="session")
    enrolment.session, enrolment.unit, enrolment.status = session, session.unit, status
    enrolment.verified = bool(
        staff or phone_checked or (actor is not None and actor.is_authenticated)
    )
    enrolment.user = actor if actor is not None and actor.is_authenticated else None
    enrolment.member = party.member_for(person=person, phone_hash=enrolment.phone_hash)
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError as exc:
        raise Conflict(_("This phone number is already enrolled in this session.")) from exc
    rollups.count(session.pk, Counter(), rollups.tally(enrolment))
    action = EA.ENROL if status == E.ENROLLED else EA.WAITLIST
    ENROLMENTS.start(enrolment, action, actor=actor, now=now)
    return enrolment


@transaction.atomic
def cancel_enrolment(
    *, actor: Any, enrolment: Enrolment, token: str | None = None, note: str = ""
) -> Enrolment:
    """Give up a place (or a waitlist place) before the session starts: staff of the session's
    unit (also after the start), or the resident holding the enrolment's link. The first
    person on the waitlist takes the freed place."""
    _lock_session(enrolment.session_id)
    now = _now()

    def change(e: Enrolment, now: dt.datetime) -> None:
        if e.checked_in_at:
            raise Conflict(_("Someone who has checked in cannot cancel."))
        if e.session.starts_at <= now and not _may_staff(actor, e.session):
            raise Conflict(_("The session has started; ask the staff."))

    cancelled = ENROLMENTS.run(
        enrolment,
        EA.CANCEL,
        actor=actor,
        now=now,
        note=note[:200],
        change=change,
        extra={"token": token},
    )
    _promote(cancelled.session_id, now)
    return cancelled


@transaction.atomic
def verify_enrolment(*, actor: Any, enrolment: Enrolment) -> Enrolment:
    """Staff confirm a public enrolment's phone (they called it, or saw the person)."""
    _lock_session(enrolment.session_id)

    def change(e: Enrolment, now: dt.datetime) -> None:
        if e.verified:
            raise Conflict(_("This phone number is already verified."))
        e.verified = True

    return ENROLMENTS.run(enrolment, EA.VERIFY, actor=actor, now=_now(), change=change)


def _check_clock(session: Session, now: dt.datetime, *, staff: bool) -> None:
    """Check-in is open from half an hour before the start; for residents it closes half an
    hour after the end, staff may record attendance later."""
    if session.status == SessionStatus.CANCELLED:
        raise Conflict(_("This session is cancelled."))
    if now < session.starts_at - CHECK_IN_OPENS:
        raise Conflict(_("Check-in opens half an hour before the start."))
    if not staff and now > session.ends_at + CHECK_IN_CLOSES:
        raise Conflict(_("Check-in has closed; ask the staff."))


def _window(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // (settings.CHECKIN_CODE_MINUTES * 60)


def _venue_code_at(session: Session, window: int) -> str:
    digest = privacy.blind_index(f"checkin:{session.pk}:{session.checkin_token}:{window}")
    return f"{int(digest[:12], 16) % 1_000_000:06d}"


def venue_code(session: Session, at: dt.datetime | None = None) -> str:
    """The six-digit check-in code shown at the venue (the roster's screen), never on the
    public board nor in the QR code's link: derived with the data key from the session and
    the current CHECKIN_CODE_MINUTES window, so it changes by itself and a code read once is
    soon worthless elsewhere."""
    return _venue_code_at(session, _window(at or _now()))


def venue_code_valid(session: Session, code: str, at: dt.datetime | None = None) -> bool:
    """Whether `code` is the venue's code now or in the window just before (read at the
    switch); older ones are refused."""
    code = "".join((code or "").split())
    window = _window(at or _now())
    return any(hmac.compare_digest(code, _venue_code_at(session, w)) for w in (window, window - 1))


@transaction.atomic
def check_in(
    *, actor: Any, enrolment: Enrolment, token: str | None = None, venue_code: str = ""
) -> Enrolment:
    """Record that an enrolled person came (人次). Staff may do it from the roster from half
    an hour before the start on; the resident, through their link or the venue's QR code, until
    half an hour after the end. Party members are credited the session's class hours and the
    attendance points.

    A resident proves they are at the venue with the code shown there (`venue_code`); without
    it their check-in is only claimed, pending until staff confirm it on the roster (a staff
    check-in), and nothing is credited before. A wrong code is refused."""
    session = _lock_session(enrolment.session_id)
    now = _now()
    staff = _may_staff(actor, session)
    action = EA.CHECK_IN if staff or venue_code.strip() else EA.CLAIM

    def change(e: Enrolment, now: dt.datetime) -> None:
        _check_clock(session, now, staff=staff)
        if e.checked_in_at:
            raise Conflict(
                _("Already checked in at %(time)s.")
                % {"time": timezone.localtime(e.checked_in_at).strftime("%H:%M")}
            )
        if action == EA.CLAIM:
            e.checkin_claimed_at = e.checkin_claimed_at or now
            return
        if not staff and not venue_code_valid(session, venue_code, now):
            raise InvalidInput(
                _("This is not the code shown at the venue (it changes every few minutes)."),
                field="venue_code",
            )
        e.checked_in_at = now
        if staff:
            e.verified = True
        if e.member_id is None:
            e.member = party.member_for(person=e.person, phone_hash=e.phone_hash)

    done = ENROLMENTS.run(
        enrolment, action, actor=actor, now=now, change=change, extra={"token": token}
    )
    if action == EA.CHECK_IN and done.member is not None:
        source, day = f"session:{session.pk}", timezone.localtime(session.starts_at).date()
        label = _label(session)
        party.credit_study(
            member=done.member, hours=session.class_hours, source=source, label=label, day=day
        )
        party.award_points(
            member=done.member,
            kind=PointKind.CLASS_ATTENDANCE,
            source=source,
            note=label,
            day=day,
        )
    return done


def check_in_by_phone(
    *, session: Session, checkin_token: str, phone: str, name: str = "", venue_code: str = ""
):
    """The venue's QR code: the resident gives their phone and the venue's code; an enrolled
    one is checked in, a walk-in is enrolled and checked in while there are free places.

    The QR code is on the public board, so without the venue's code the answer is the same
    for every phone — it must not tell whether a phone is enrolled: an enrolled one's check-in
    is claimed for staff to confirm (no points until they do), and the resident is asked for
    their name, then for the code."""
    if checkin_token != session.checkin_token:
        raise NotAllowed(_("This check-in code is not valid."))
    phone = privacy.clean_phone(phone)
    if not venue_code.strip():
        _claim_by_phone(session, phone)
        if not name.strip():
            raise InvalidInput(
                _("Give your name and phone; with the code shown at the venue it counts at once."),
                field="name",
            )
        raise InvalidInput(
            _("Without the code shown at the venue, the staff there confirm your check-in."),
            field="venue_code",
        )
    if not venue_code_valid(session, venue_code):
        raise InvalidInput(
            _("This is not the code shown at the venue (it changes every few minutes)."),
            field="venue_code",
        )
    return _check_in_with_venue_code(session, checkin_token, phone, name, venue_code)


def _enrolment_by_phone(session: Session, phone: str) -> Enrolment | None:
    return (
        Enrolment.objects.filter(session=session, phone_hash=privacy.PHONE.index(phone))
        .exclude(status=E.CANCELLED)
        .first()
    )


@transaction.atomic
def _claim_by_phone(session: Session, phone: str) -> None:
    """An enrolled phone's check-in claimed for staff; anything else is silently nothing."""
    enrolment = _enrolment_by_phone(session, phone)
    if enrolment is None:
        return
    try:
        with transaction.atomic():
            check_in(actor=None, enrolment=enrolment, token=session.checkin_token)
    except CivicgridError:
        pass  # waitlisted, already in, too early: the answer stays the same


@transaction.atomic
def _check_in_with_venue_code(
    session: Session, checkin_token: str, phone: str, name: str, venue_code: str
) -> Enrolment:
    enrolment = _enrolment_by_phone(session, phone)
    if enrolment is None:
        if not name.strip():
            raise InvalidInput(
                _("This phone number is not enrolled; give your name to join if places are left."),
                field="name",
            )
        if session.starts_at - CHECK_IN_OPENS > _now():
            raise Conflict(_("Check-in opens half an hour before the start."))
        enrolment = _walk_in(session, name, phone)
    return check_in(actor=None, enrolment=enrolment, token=checkin_token, venue_code=venue_code)


def _walk_in(session: Session, name: str, phone: str) -> Enrolment:
    """Enrol someone who came without enrolling, while places are left (even after the start)."""
    session = _lock_session(session.pk)
    if session.status == SessionStatus.CANCELLED or session.enrolled >= session.capacity:
        raise Conflict(_("No places are left in this session."))
    enrolment = Enrolment(
        session=session,
        unit=session.unit,
        name=name.strip()[:40],
        status=E.ENROLLED,
        channel=Channel.PUBLIC,
    )
    enrolment.set_phone(phone)
    enrolment.member = party.member_for(phone_hash=enrolment.phone_hash)
    enrolment.save()
    rollups.count(session.pk, Counter(), rollups.tally(enrolment))
    ENROLMENTS.start(enrolment, EA.ENROL, actor=None, now=_now(), note=_("walk-in"))
    return enrolment


@transaction.atomic
def rate(*, enrolment: Enrolment, token: str, rating: int) -> Enrolment:
    """An attendee rates the session (1–5) through their link; it counts to the teacher."""
    if rating not in range(1, 6):
        raise InvalidInput(_("Rate from 1 to 5."), field="rating")
    _lock_session(enrolment.session_id)

    def change(e: Enrolment, now: dt.datetime) -> None:
        if not e.checked_in_at:
            raise Conflict(_("Only those who came may rate a session."))
        e.rating = rating

    return ENROLMENTS.run(
        enrolment,
        EA.RATE,
        actor=None,
        now=_now(),
        note=str(rating),
        change=change,
        extra={"token": token},
    )


# ---- topic requests ----------------------------------------------------------------------------


def _voter(phone: str) -> str:
    return privacy.PHONE.index(privacy.clean_phone(required(phone, "phone", _("Phone"))))


@transaction.atomic
def propose_topic(
    *, unit: OrgUnit, title: str, proposer: str, phone: str, description: str = ""
) -> TopicRequest:
    """A resident asks for a course topic; their proposal is its first support."""
    voter = _voter(phone)
    request = TopicRequest.objects.create(
        unit=unit,
        title=required(title, "title", _("Topic"))[:100],
        description=description.strip()[:300],
        proposer=required(proposer, "proposer", _("Name"))[:40],
        support=1,
    )
    TopicSupport.objects.create(request=request, voter_hash=voter)
    TOPICS.start(request, TA.PROPOSE, actor=None, now=_now())
    return request


@transaction.atomic
def support_topic(*, request: TopicRequest, phone: str) -> TopicRequest:
    """Add one resident's support (one per phone number) while the topic collects it."""
    voter = _voter(phone)
    request = TopicRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != TopicStatus.OPEN:
        raise Conflict(_("This topic is no longer collecting support."))
    try:
        with transaction.atomic():
            TopicSupport.objects.create(request=request, voter_hash=voter)
    except IntegrityError as exc:
        raise Conflict(_("You already support this topic."), field="phone") from exc
    request.support += 1
    TopicRequest.objects.filter(pk=request.pk).update(support=request.support)
    return request


# The step that leads to each answer.
ANSWERS = {
    TopicStatus.PLANNED: TA.PLAN,
    TopicStatus.DECLINED: TA.DECLINE,
    TopicStatus.OPEN: TA.REOPEN,
}


def answer_topic(
    *, actor: Any, request: TopicRequest, status: str, answer: str = ""
) -> TopicRequest:
    """Keepers of the topic's unit plan a requested topic, say why not, or open it for support
    again; the answer is shown to residents and kept in the topic's log."""
    status = choice(status, TopicStatus, "status")
    answer = answer.strip()[:200]
    if status == TopicStatus.DECLINED and not answer:
        raise InvalidInput(_("Say why the topic is not planned."), field="answer")

    def change(topic: TopicRequest, now: dt.datetime) -> None:
        topic.answer = answer

    return TOPICS.run(
        request, ANSWERS[TopicStatus(status)], actor=actor, now=_now(), note=answer, change=change
    )
