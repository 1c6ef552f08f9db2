"""Reads of classes: scoped for staff through org.scoping; the public pages (a unit's coming
sessions, its display board and calendar) read only what a unit publishes anyway."""

import datetime as dt

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from civicgrid.classes.models import (
    ClassRollup,
    Course,
    CoursePlan,
    Enrolment,
    EnrolmentStatus,
    PlanMonth,
    Session,
    SessionStatus,
    Teacher,
    TopicRequest,
    TopicStatus,
    Venue,
)
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import scope, scope_under, visible_prefixes
from civicgrid.org.selectors import shared_down
from civicgrid.org.tree import is_under
from civicgrid.party import selectors as party_selectors

may_keep = party_selectors.may_keep


def venues_for(user, unit: OrgUnit) -> QuerySet[Venue]:
    venues = shared_down(Venue.objects.filter(active=True), user, unit)
    return venues.select_related("unit").defer("unit__polygon").order_by("unit_code", "name")


def teachers_for(user, unit: OrgUnit) -> QuerySet[Teacher]:
    teachers = shared_down(Teacher.objects.filter(active=True), user, unit)
    return teachers.select_related("unit").defer("unit__polygon").order_by("unit_code", "name")


def teacher_for(user, pk: int) -> Teacher:
    """A teacher in the user's scope or in the pool of a unit above theirs (shared down)."""
    teacher = get_object_or_404(Teacher.objects.select_related("unit"), pk=pk)
    visible = scope(Teacher.objects.filter(pk=pk), user).exists()
    if visible or any(is_under(code, teacher.unit_code) for code in visible_prefixes(user)):
        return teacher
    raise Http404


def teacher_record(teacher: Teacher) -> dict:
    """A teacher's history: sessions taught (not cancelled), attendances, mean rating."""
    sessions = teacher.sessions.exclude(status=SessionStatus.CANCELLED).select_related("course")
    ratings = Enrolment.objects.filter(session__teacher=teacher, rating__isnull=False)
    summary = ratings.aggregate(mean=Avg("rating"), count=Count("id"))
    return {
        "sessions": sessions.order_by("-starts_at")[:100],
        "taught": sessions.filter(starts_at__lte=timezone.now()).count(),
        "attended": sessions.aggregate(n=Sum("attended"))["n"] or 0,
        "rating": round(summary["mean"], 1) if summary["mean"] else None,
        "ratings": summary["count"],
    }


def courses_for(user, unit: OrgUnit) -> QuerySet[Course]:
    return scope_under(Course.objects.all(), user, unit).annotate(
        session_count=Count("sessions", filter=~Q(sessions__status=SessionStatus.CANCELLED))
    )


def course_for(user, pk: int) -> Course:
    return get_object_or_404(scope(Course.objects.select_related("unit"), user), pk=pk)


def sessions_for(user, unit: OrgUnit, start: dt.datetime, end: dt.datetime) -> QuerySet:
    sessions = scope_under(Session.objects.select_related("course", "venue", "teacher"), user, unit)
    return sessions.filter(starts_at__gte=start, starts_at__lt=end)


def session_for(user, pk: int) -> Session:
    sessions = Session.objects.select_related("course", "venue", "teacher", "unit")
    return get_object_or_404(scope(sessions, user), pk=pk)


def roster(session: Session) -> dict[str, list[Enrolment]]:
    """A session's enrolments: enrolled (checked in first), waitlist in order, cancelled."""
    rows = session.enrolments.select_related("member").order_by("id")
    out: dict[str, list[Enrolment]] = {status: [] for status in EnrolmentStatus.values}
    for enrolment in rows:
        out[enrolment.status].append(enrolment)
    out[EnrolmentStatus.ENROLLED].sort(key=lambda e: (e.checked_in_at is None, e.pk))
    return out


def upcoming(unit_code: str, *, days: int = 60, now: dt.datetime | None = None) -> QuerySet:
    """The coming sessions under a unit, for its public pages (not scoped: published)."""
    now = now or timezone.now()
    return (
        Session.objects.filter(
            unit_code__under=unit_code,
            ends_at__gt=now,
            starts_at__lt=now + dt.timedelta(days=days),
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("course", "venue", "teacher")
        .order_by("starts_at", "id")
    )


def enrolment_by_token(token: str) -> Enrolment:
    return get_object_or_404(
        Enrolment.objects.select_related("session__course", "session__venue"), token=token
    )


def session_by_checkin(token: str) -> Session:
    return get_object_or_404(
        Session.objects.select_related("course", "venue", "unit"), checkin_token=token
    )


def topics_for(unit_code: str, *, open_only: bool = False) -> QuerySet[TopicRequest]:
    """Topic requests under a unit, most supported first (residents see them too)."""
    topics = TopicRequest.objects.filter(unit_code__under=unit_code)
    topics = topics.select_related("unit").defer("unit__polygon")
    return topics.filter(status=TopicStatus.OPEN) if open_only else topics


def topic_for(pk: int, unit_code: str) -> TopicRequest:
    return get_object_or_404(TopicRequest, pk=pk, unit_code__under=unit_code)


# ---- plans and figures -------------------------------------------------------------------------


def _months(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 1)


def _rollup(unit: OrgUnit, first: dt.date, last: dt.date) -> QuerySet[ClassRollup]:
    return ClassRollup.objects.filter(
        unit_code__under=unit.code, month__gte=first.replace(day=1), month__lte=last
    )


def plan_for(unit: OrgUnit, year: int) -> CoursePlan | None:
    return CoursePlan.objects.filter(unit=unit, year=year).first()


def plan_vs_actual(unit: OrgUnit, year: int) -> list[dict]:
    """Each month of `year`: the unit's plan (themes, targets) against the sessions scheduled
    and held and the attendances under the unit."""
    planned = {row.month: row for row in PlanMonth.objects.filter(plan__unit=unit, plan__year=year)}
    actual = {
        row["month"].month: row
        for row in _rollup(unit, *_months(year))
        .values("month")
        .annotate(
            scheduled=Sum("scheduled"),
            held=Sum("held"),
            attended=Sum("attended"),
            cancelled=Sum("cancelled"),
        )
    }
    rows = []
    for month in range(1, 13):
        plan = planned.get(month)
        done = actual.get(month, {})
        target = plan.sessions if plan else 0
        rows.append(
            {
                "month": month,
                "themes": plan.themes if plan else "",
                "sessions": target,
                "attendances": plan.attendances if plan else 0,
                "scheduled": done.get("scheduled") or 0,
                "held": done.get("held") or 0,
                "attended": done.get("attended") or 0,
                "cancelled": done.get("cancelled") or 0,
                "rate": round(100 * (done.get("held") or 0) / target) if target else None,
            }
        )
    return rows


def figures_period(query, today: dt.date) -> tuple[dt.date, dt.date]:
    """The figures page's months (?from=YYYY-MM&to=YYYY-MM) as their first days, in order;
    this year so far when missing or not months. The page and its exports read it here."""
    try:
        first = dt.date.fromisoformat((query.get("from") or "") + "-01")
        last = dt.date.fromisoformat((query.get("to") or "") + "-01")
    except ValueError:
        first, last = today.replace(month=1, day=1), today.replace(day=1)
    return (last, first) if last < first else (first, last)


def sessions_in(user, unit: OrgUnit, first: dt.date, last: dt.date) -> QuerySet:
    """The sessions under `unit` starting in the months from `first` to `last`."""
    tz = timezone.get_current_timezone()
    end = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    start_at = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    end_at = dt.datetime.combine(end, dt.time(), tzinfo=tz)
    return sessions_for(user, unit, start_at, end_at).order_by("starts_at", "id")


def figures(unit: OrgUnit, first: dt.date, last: dt.date) -> dict:
    """A unit's classes over the months from `first` to `last` (1st days): sessions planned,
    scheduled, held; attendances (人次); distinct learners; top teachers; points earned and
    redeemed. Counts come from rollup rows; distinct learners are counted from the check-ins
    (a distinct count cannot be summed)."""
    rows = _rollup(unit, first, last)
    totals = rows.aggregate(
        scheduled=Sum("scheduled"),
        held=Sum("held"),
        cancelled=Sum("cancelled"),
        enrolled=Sum("enrolled"),
        attended=Sum("attended"),
    )
    months = PlanMonth.objects.filter(
        unit_code__under=unit.code,
        plan__year__gte=first.year,
        plan__year__lte=last.year,
    )
    planned = [
        row
        for row in months.values("plan__year", "month", "sessions", "attendances")
        if first.replace(day=1) <= dt.date(row["plan__year"], row["month"], 1) <= last
    ]
    last_day = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    tz = timezone.get_current_timezone()
    window = (
        dt.datetime.combine(first.replace(day=1), dt.time(), tz),
        dt.datetime.combine(last_day, dt.time(), tz),
    )
    learners = (
        Enrolment.objects.filter(
            unit_code__under=unit.code,
            checked_in_at__gte=window[0],
            checked_in_at__lt=window[1],
        )
        .exclude(phone_hash="")
        .values("phone_hash")
        .distinct()
        .count()
    )
    top = list(
        rows.exclude(teacher_id_key=0)
        .values("teacher_id_key")
        .annotate(held=Sum("held"), attended=Sum("attended"))
        .order_by("-attended", "-held")[:5]
    )
    names = dict(
        Teacher.objects.filter(pk__in=[row["teacher_id_key"] for row in top]).values_list(
            "pk", "name"
        )
    )
    for row in top:
        row["name"] = names.get(row["teacher_id_key"], "?")
    return {
        "planned_sessions": sum(row["sessions"] for row in planned),
        "planned_attendances": sum(row["attendances"] for row in planned),
        **{name: value or 0 for name, value in totals.items()},
        "learners": learners,
        "top_teachers": top,
        "points": party_selectors.points_figures(unit, first, last),
    }


def figures_below(
    unit: OrgUnit, children: list[OrgUnit], first: dt.date, last: dt.date
) -> list[tuple[OrgUnit, dict]]:
    """What the figures page ranks of each of `children` (units under `unit`) over the months
    from `first` to `last`: sessions planned, held, attendances and distinct learners, as
    (child, figures) in three queries for all of them, each child counted by a filter."""
    if not children:
        return []
    inside = [Q(unit_code__under=child.code) for child in children]
    totals = _rollup(unit, first, last).aggregate(
        **{f"held_{i}": Sum("held", filter=q) for i, q in enumerate(inside)},
        **{f"attended_{i}": Sum("attended", filter=q) for i, q in enumerate(inside)},
    )
    planned = [0] * len(children)
    months = PlanMonth.objects.filter(
        unit_code__under=unit.code, plan__year__gte=first.year, plan__year__lte=last.year
    ).values_list("unit_code", "plan__year", "month", "sessions")
    for code, year, month, sessions in months:
        if first.replace(day=1) <= dt.date(year, month, 1) <= last:
            for i, child in enumerate(children):
                if code.startswith(child.code):
                    planned[i] += sessions
    last_day = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    tz = timezone.get_current_timezone()
    learners = (
        Enrolment.objects.filter(
            unit_code__under=unit.code,
            checked_in_at__gte=dt.datetime.combine(first.replace(day=1), dt.time(), tz),
            checked_in_at__lt=dt.datetime.combine(last_day, dt.time(), tz),
        )
        .exclude(phone_hash="")
        .aggregate(
            **{
                f"learners_{i}": Count("phone_hash", distinct=True, filter=q)
                for i, q in enumerate(inside)
            }
        )
    )
    return [
        (
            child,
            {
                "planned_sessions": planned[i],
                "held": totals[f"held_{i}"] or 0,
                "attended": totals[f"attended_{i}"] or 0,
                "learners": learners[f"learners_{i}"],
            },
        )
        for i, child in enumerate(children)
    ]


# ---- calendar ----------------------------------------------------------------------------------


def calendar(unit: OrgUnit, sessions) -> bytes:
    """An iCalendar file (RFC 5545) of `sessions`, for phones and office calendars."""
    cal = Calendar()
    cal.add("prodid", "-//civicgrid//classes//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{unit.display_name} 先锋课堂")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for session in sessions:
        item = CalendarEvent()
        item.add("uid", f"session-{session.pk}@civicgrid")
        item.add("dtstamp", session.created_at)
        item.add("dtstart", session.starts_at)
        item.add("dtend", session.ends_at)
        item.add("summary", str(session))
        where = session.venue.name if session.venue else session.stream_url
        if where:
            item.add("location", where)
        details = [
            f"{session.teacher.name}" if session.teacher else "",
            session.stream_url,
            session.materials,
        ]
        item.add("description", "\n".join(part for part in details if part))
        if session.status == SessionStatus.CANCELLED:
            item.add("status", "CANCELLED")
        cal.add_component(item)
    return cal.to_ical()


def enrolments_by_tokens(tokens: list[str]) -> QuerySet[Enrolment]:
    """The enrolments whose links this browser holds (a resident's own, without a login)."""
    return (
        Enrolment.objects.filter(token__in=tokens[:20])
        .select_related("session__course", "session__venue")
        .order_by("session__starts_at")
    )


def upcoming_session(pk: int) -> Session:
    """A session open to the public (not cancelled, not over), else 404."""
    return get_object_or_404(upcoming("", days=3660), pk=pk)
