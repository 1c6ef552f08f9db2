"""Classes in the JSON API (/api/v1/classes/…). Staff endpoints are scoped like the pages; the
public ones (a unit's coming sessions, enrolling, one's own enrolment by its token) need no
login, as the public pages do."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from civicgrid.classes import selectors, services
from civicgrid.classes.models import Channel, Session
from civicgrid.core import limits
from civicgrid.core.api import ERRORS, PUBLIC_ERRORS
from civicgrid.core.errors import InvalidInput
from civicgrid.messaging.models import CodePurpose
from civicgrid.messaging.services import require_code
from civicgrid.org import selectors as org_selectors
from civicgrid.org.models import OrgUnit

router = Router(tags=["classes"])


class SessionOut(Schema):
    id: int
    course: str
    programme: str
    category: str
    audience: str
    number: int | None
    topic: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    section: str
    venue: str | None
    teacher: str | None
    capacity: int
    enrolled: int
    waitlisted: int
    attended: int
    status: str
    stream_url: str
    class_hours: float

    @staticmethod
    def of(session: Session) -> "SessionOut":
        return SessionOut(
            id=session.pk,
            course=session.course.title,
            programme=session.course.programme,
            category=session.course.category,
            audience=session.course.audience,
            number=session.number,
            topic=session.topic,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            section=session.section,
            venue=session.venue.name if session.venue else None,
            teacher=session.teacher.name if session.teacher else None,
            capacity=session.capacity,
            enrolled=session.enrolled,
            waitlisted=session.waitlisted,
            attended=session.attended,
            status=session.status,
            stream_url=session.stream_url,
            class_hours=float(session.class_hours),
        )


class EnrolIn(Schema):
    name: str
    phone: str
    # The code sent to `phone` (POST /api/v1/messaging/public/codes, purpose "enrol"); not
    # needed when the caller is logged in.
    code: str = ""


class EnrolmentOut(Schema):
    token: str
    session: int
    status: str
    phone_masked: str
    checked_in_at: dt.datetime | None


def _enrolment(enrolment) -> EnrolmentOut:
    return EnrolmentOut(
        token=enrolment.token,
        session=enrolment.session_id,
        status=enrolment.status,
        phone_masked=enrolment.phone_masked,
        checked_in_at=enrolment.checked_in_at,
    )


class FiguresOut(Schema):
    unit_code: str
    first_month: dt.date
    last_month: dt.date
    planned_sessions: int
    planned_attendances: int
    scheduled: int
    held: int
    cancelled: int
    enrolled: int
    attended: int
    learners: int
    points_earned: int
    points_redeemed: int


def _month(value: str | None, field: str, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError as exc:
        raise InvalidInput("Give a month as YYYY-MM.", field=field) from exc


@router.get("/units/{code}/sessions", response={200: list[SessionOut], **ERRORS})
def unit_sessions(request: HttpRequest, code: str, days: int = Query(30, ge=1, le=366)):
    """A unit's sessions from now for `days` (1…366) days (scoped)."""
    unit = org_selectors.unit_for(request.user, code)
    now = timezone.now()
    sessions = selectors.sessions_for(request.user, unit, now, now + dt.timedelta(days=days))
    return [SessionOut.of(s) for s in sessions.order_by("starts_at")[:500]]


@router.get("/units/{code}/figures", response={200: FiguresOut, **ERRORS})
def unit_figures(request: HttpRequest, code: str, start: str = "", end: str = ""):
    """Figures for the months `start`…`end` (YYYY-MM; default: this year so far)."""
    unit = org_selectors.unit_for(request.user, code)
    today = timezone.localdate()
    first = _month(start, "start", today.replace(month=1, day=1))
    last = _month(end, "end", today.replace(day=1))
    figures = selectors.figures(unit, first, last)
    return FiguresOut(
        unit_code=unit.code,
        first_month=first,
        last_month=last,
        points_earned=figures["points"]["earned"],
        points_redeemed=figures["points"]["redeemed"],
        **{k: v for k, v in figures.items() if k not in {"points", "top_teachers"}},
    )


@router.get("/public/{code}/sessions", response={200: list[SessionOut], **PUBLIC_ERRORS}, auth=None)
def public_sessions(request: HttpRequest, code: str):
    """A unit's coming sessions (published; no login)."""
    limits.guard(request, "read")
    unit = OrgUnit.objects.filter(code=code, active=True).first()
    if unit is None:
        return []
    return [SessionOut.of(s) for s in selectors.upcoming(unit.code)[:200]]


@router.post(
    "/public/sessions/{session_id}/enrolments",
    response={201: EnrolmentOut, **PUBLIC_ERRORS},
    auth=None,
)
def enrol(request: HttpRequest, session_id: int, body: EnrolIn):
    """Enrol with a name, a phone and the code sent to it; the answer's token is the
    enrolment's key (keep it)."""
    limits.guard(request, "enrol", phone=body.phone)
    session = selectors.upcoming_session(session_id)
    user = request.user if request.user.is_authenticated else None
    require_code(user, phone=body.phone, purpose=CodePurpose.ENROL, code=body.code)
    made = services.enrol(
        actor=user,
        session=session,
        name=body.name,
        phone=body.phone,
        channel=Channel.API,
        phone_checked=True,  # require_code above
    )
    return Status(201, _enrolment(made))


@router.get("/public/enrolments/{token}", response={200: EnrolmentOut, **PUBLIC_ERRORS}, auth=None)
def enrolment(request: HttpRequest, token: str):
    limits.guard(request, "read")
    return _enrolment(selectors.enrolment_by_token(token))


@router.post(
    "/public/enrolments/{token}/cancel", response={200: EnrolmentOut, **PUBLIC_ERRORS}, auth=None
)
def cancel(request: HttpRequest, token: str):
    limits.guard(request, "track")
    found = selectors.enrolment_by_token(token)
    return _enrolment(services.cancel_enrolment(actor=None, enrolment=found, token=token))
