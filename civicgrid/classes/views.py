"""Class pages: staff pages (login, scoped) and the public, phone-first pages residents reach
from a link or the venue's QR code: a unit's coming sessions, enrolment, their own enrolment,
check-in, topic requests, the display board and the calendar."""

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.classes import selectors, services
from civicgrid.classes.models import (
    Audience,
    Category,
    Channel,
    Mode,
    Programme,
    Section,
    Setting,
    TeacherKind,
    TopicStatus,
    VenueKind,
)
from civicgrid.core import limits
from civicgrid.core.cleaning import redirect_back
from civicgrid.core.errors import CivicgridError, InvalidInput
from civicgrid.core.forms import parse_decimal, parse_id, parse_int
from civicgrid.core.views import kept_form, limited, posted, take_kept_form
from civicgrid.messaging.models import CodePurpose
from civicgrid.messaging.services import require_code
from civicgrid.org import selectors as org_selectors
from civicgrid.org.models import OrgUnit
from civicgrid.party.models import PartyMember

# ---- parsing -----------------------------------------------------------------------------------


def _moment(day: str, time: str, field: str) -> dt.datetime:
    try:
        parsed = dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("Enter a date and a time."), field=field) from exc
    return timezone.make_aware(parsed)


def _pick(queryset, value: str | None, field: str):
    """The row of `queryset` whose pk is `value`, None for blank; an error names the field."""
    if not value:
        return None
    found = queryset.filter(pk=parse_id(value, field)).first()
    if found is None:
        raise InvalidInput(_("Choose a valid %(field)s.") % {"field": field}, field=field)
    return found


def _public_unit(code: str) -> OrgUnit:
    return get_object_or_404(OrgUnit, code=code, active=True)


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    return redirect_back(request, fallback)


# ---- staff: the unit's class hub -------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest, code: str | None = None) -> HttpResponse:
    user = request.user
    unit = org_selectors.unit_or_home(user, code)
    now = timezone.now()
    today = timezone.localdate()
    month = today.replace(day=1)
    context = {
        "unit": unit,
        "may_keep": selectors.may_keep(user, unit),
        "sessions": selectors.sessions_for(
            user, unit, now - dt.timedelta(hours=3), now + dt.timedelta(days=30)
        ),
        "recent": selectors.sessions_for(user, unit, now - dt.timedelta(days=30), now).order_by(
            "-starts_at"
        )[:10],
        "courses": selectors.courses_for(user, unit).filter(active=True),
        "topics": selectors.topics_for(unit.code, open_only=True)[:5],
        "figures": selectors.figures(unit, month, month),
        "year": today.year,
        "choices": {
            "programmes": Programme.choices,
            "categories": Category.choices,
            "audiences": Audience.choices,
            "modes": Mode.choices,
            "settings": Setting.choices,
        },
        "children": org_selectors.children_for(user, unit),
    }
    return render(request, "classes/home.html", context)


@login_required
@require_POST
def course_new(request: HttpRequest, code: str) -> HttpResponse:
    unit = org_selectors.unit_for(request.user, code)
    post = request.POST
    data = services.CourseData(
        title=post.get("title", ""),
        programme=post.get("programme", ""),
        category=post.get("category", ""),
        audience=post.get("audience", ""),
        mode=post.get("mode", Mode.OFFLINE),
        setting=post.get("setting", Setting.INDOOR),
        series=bool(post.get("series")),
        description=post.get("description", ""),
    )
    try:
        course = services.save_course(actor=request.user, unit=unit, data=data)
    except CivicgridError as error:
        messages.error(request, error.message)
        return redirect("classes:unit", code=code)
    messages.success(request, _("Course added; now schedule its sessions."))
    return redirect("classes:course", pk=course.pk)


@login_required
@require_http_methods(["GET", "POST"])
def venues(request: HttpRequest, code: str) -> HttpResponse:
    unit = org_selectors.unit_for(request.user, code)
    if request.method == "POST":
        post = request.POST
        return posted(
            request,
            lambda: services.save_venue(
                actor=request.user,
                unit=unit,
                name=post.get("name", ""),
                kind=post.get("kind", ""),
                capacity=parse_int(post.get("capacity"), "capacity"),
                address=post.get("address", ""),
            ),
            _("Venue saved."),
            "classes:venues",
            code=code,
        )
    context = {
        "unit": unit,
        "venues": selectors.venues_for(request.user, unit),
        "kinds": VenueKind.choices,
        "may_keep": selectors.may_keep(request.user, unit),
    }
    return render(request, "classes/venues.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def teachers(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = org_selectors.unit_for(user, code)
    members = PartyMember.objects.filter(unit_code__under=unit.code, active=True)
    if request.method == "POST":
        post = request.POST

        def save():
            data = services.TeacherData(
                name=post.get("name", ""),
                kind=post.get("kind", ""),
                full_time=bool(post.get("full_time")),
                title=post.get("title", ""),
                topics=post.get("topics", ""),
                phone=post.get("phone", ""),
                member=_pick(members, post.get("member"), "member"),
            )
            services.save_teacher(actor=user, unit=unit, data=data)

        return posted(request, save, _("Teacher added to the pool."), "classes:teachers", code=code)
    context = {
        "unit": unit,
        "teachers": selectors.teachers_for(user, unit),
        "kinds": TeacherKind.choices,
        "members": members.select_related("branch"),
        "may_keep": selectors.may_keep(user, unit),
    }
    return render(request, "classes/teachers.html", context)


@login_required
@require_GET
def teacher(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.teacher_for(request.user, pk)
    return render(
        request,
        "classes/teacher.html",
        {"teacher": found, "record": selectors.teacher_record(found)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, code: str, year: int) -> HttpResponse:
    user = request.user
    unit = org_selectors.unit_for(user, code)
    if year not in services.PLAN_YEARS:
        raise Http404
    if request.method == "POST":
        post = request.POST

        def save():
            months = {
                month: (
                    post.get(f"themes_{month}", ""),
                    parse_int(post.get(f"sessions_{month}"), f"sessions_{month}", 0),
                    parse_int(post.get(f"attendances_{month}"), f"attendances_{month}", 0),
                )
                for month in range(1, 13)
            }
            services.save_plan(
                actor=user,
                unit=unit,
                year=year,
                title=post.get("title", ""),
                months=months,
                notes=post.get("notes", ""),
            )

        return posted(request, save, _("Plan saved."), "classes:plan", code=code, year=year)
    rows = selectors.plan_vs_actual(unit, year)
    totals = {
        key: sum(row[key] for row in rows)
        for key in ("sessions", "attendances", "scheduled", "held", "attended")
    }
    context = {
        "unit": unit,
        "year": year,
        "plan": selectors.plan_for(unit, year),
        "rows": rows,
        "totals": totals,
        "may_keep": selectors.may_keep(user, unit),
        "this_month": timezone.localdate().month if year == timezone.localdate().year else 13,
    }
    return render(request, "classes/plan.html", context)


@login_required
@require_GET
def figures(request: HttpRequest, code: str) -> HttpResponse:
    unit = org_selectors.unit_for(request.user, code)
    first, last = selectors.figures_period(request.GET, timezone.localdate())
    context = {
        "unit": unit,
        "first": first,
        "last": last,
        "figures": selectors.figures(unit, first, last),
        "children": selectors.figures_below(
            unit,
            [
                child
                for child in org_selectors.children_for(request.user, unit)
                if child.kind != "department"
            ],
            first,
            last,
        ),
    }
    return render(request, "classes/figures.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def topics(request: HttpRequest, code: str) -> HttpResponse:
    unit = org_selectors.unit_for(request.user, code)
    if request.method == "POST":
        topic = selectors.topic_for(parse_id(request.POST.get("topic"), "topic"), unit.code)
        return posted(
            request,
            lambda: services.answer_topic(
                actor=request.user,
                request=topic,
                status=request.POST.get("status", ""),
                answer=request.POST.get("answer", ""),
            ),
            _("Answer saved."),
            "classes:topics",
            code=code,
        )
    context = {
        "unit": unit,
        "topics": selectors.topics_for(unit.code),
        "statuses": TopicStatus.choices,
        "may_keep": selectors.may_keep(request.user, unit),
    }
    return render(request, "classes/topics.html", context)


# ---- staff: courses and sessions -------------------------------------------------------------


def _session_data(post, unit: OrgUnit, user) -> services.SessionData:
    starts = _moment(post.get("day"), post.get("start"), "starts_at")
    ends = _moment(post.get("day"), post.get("end"), "ends_at")
    return services.SessionData(
        starts_at=starts,
        ends_at=ends,
        capacity=parse_int(post.get("capacity"), "capacity"),
        venue=_pick(selectors.venues_for(user, unit), post.get("venue"), "venue"),
        teacher=_pick(selectors.teachers_for(user, unit), post.get("teacher"), "teacher"),
        topic=post.get("topic", ""),
        section=post.get("section", ""),
        waitlist_limit=parse_int(post.get("waitlist_limit"), "waitlist_limit", 20),
        stream_url=post.get("stream_url", ""),
        materials=post.get("materials", ""),
        class_hours=parse_decimal(post.get("class_hours", ""), "class_hours"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def course(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.course_for(user, pk)
    if request.method == "POST":

        def schedule():
            data = _session_data(request.POST, found.unit, user)
            services.schedule_session(actor=user, course=found, data=data)

        return posted(request, schedule, _("Session scheduled."), "classes:course", pk=pk)
    context = {
        "course": found,
        "sessions": found.sessions.select_related("venue", "teacher").order_by("-starts_at"),
        "venues": selectors.venues_for(user, found.unit),
        "teachers": selectors.teachers_for(user, found.unit),
        "sections": Section.choices,
        "may_keep": selectors.may_keep(user, found.unit),
        "tomorrow": timezone.localdate() + dt.timedelta(days=1),
    }
    return render(request, "classes/course.html", context)


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url`, drawn on the server (no script, no CDN)."""
    return segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#111")


@login_required
@require_GET
def session(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.session_for(user, pk)
    checkin_url = request.build_absolute_uri(reverse("classes:checkin", args=[found.checkin_token]))
    context = {
        "session": found,
        "roster": selectors.roster(found),
        "may_keep": selectors.may_keep(user, found.unit),
        "checkin_url": checkin_url,
        "qr": qr_svg(checkin_url),
        "started": found.starts_at <= timezone.now(),
        "venue_code": services.venue_code(found),
    }
    return render(request, "classes/session.html", context)


@login_required
@require_GET
def venue_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The venue's current check-in code, polled by the session page shown at the venue."""
    found = selectors.session_for(request.user, pk)
    return render(
        request,
        "classes/_venue_code.html",
        {"session": found, "venue_code": services.venue_code(found)},
    )


@login_required
@require_POST
def session_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Staff actions on a session and its roster, one service each."""
    user = request.user
    found = selectors.session_for(user, pk)
    post = request.POST

    def enrolment():
        return get_object_or_404(found.enrolments, pk=parse_id(post.get("enrolment"), "enrolment"))

    steps = {
        "enrol": (
            lambda: services.enrol(
                actor=user,
                session=found,
                name=post.get("name", ""),
                phone=post.get("phone", ""),
                channel=Channel.STAFF,
            ),
            _("Enrolled."),
        ),
        "check_in": (
            lambda: services.check_in(actor=user, enrolment=enrolment()),
            _("Checked in."),
        ),
        "verify": (
            lambda: services.verify_enrolment(actor=user, enrolment=enrolment()),
            _("Phone verified."),
        ),
        "cancel_enrolment": (
            lambda: services.cancel_enrolment(
                actor=user, enrolment=enrolment(), note=post.get("note", "")
            ),
            _("Enrolment cancelled."),
        ),
        "cancel": (
            lambda: services.cancel_session(
                actor=user, session=found, reason=post.get("reason", "")
            ),
            _("Session cancelled."),
        ),
        "close": (lambda: services.close_session(actor=user, session=found), _("Marked as held.")),
    }
    if step not in steps:
        raise Http404
    call, success = steps[step]
    return posted(request, call, success, "classes:session", pk=pk)


# ---- public pages ----------------------------------------------------------------------------

_MINE = "classes_enrolments"


def _remember(request: HttpRequest, token: str) -> None:
    """Keep the resident's enrolment links in their browser session (no login needed)."""
    tokens = [t for t in request.session.get(_MINE, []) if t != token]
    request.session[_MINE] = [token, *tokens][:20]


def _public_door(request: HttpRequest) -> str | None:
    """Which limit a POST to the public page counts against, by its form."""
    return {"enrol": "enrol", "propose": "topic", "support": "topic"}.get(
        request.POST.get("action", ""), "enrol"
    )


@limited("read", methods=["GET"])
@limited(_public_door, phone_field="phone")
@require_http_methods(["GET", "POST"])
def public(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's coming classes on a phone: enrol with a name and phone, see one's own
    enrolments, ask for a topic or support one."""
    unit = _public_unit(code)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in {"enrol", "propose", "support"}:
                # The phone grants a place or a vote: its owner proves it with a code.
                require_code(
                    request.user,
                    phone=request.POST.get("phone", ""),
                    purpose=CodePurpose.ENROL if action == "enrol" else CodePurpose.TOPIC,
                    code=request.POST.get("code", ""),
                )
            if action == "enrol":
                found = get_object_or_404(
                    selectors.upcoming(unit.code),
                    pk=parse_id(request.POST.get("session"), "session"),
                )
                made = services.enrol(
                    actor=request.user if request.user.is_authenticated else None,
                    session=found,
                    name=request.POST.get("name", ""),
                    phone=request.POST.get("phone", ""),
                    phone_checked=True,  # require_code above
                )
                _remember(request, made.token)
                return redirect("classes:mine", token=made.token)
            if action == "propose":
                services.propose_topic(
                    unit=unit,
                    title=request.POST.get("title", ""),
                    proposer=request.POST.get("name", ""),
                    phone=request.POST.get("phone", ""),
                    description=request.POST.get("description", ""),
                )
                messages.success(request, _("Thank you: your topic is on the list."))
            elif action == "support":
                topic = selectors.topic_for(parse_id(request.POST.get("topic"), "topic"), unit.code)
                services.support_topic(request=topic, phone=request.POST.get("phone", ""))
                messages.success(request, _("Thank you for your support."))
        except CivicgridError as error:
            # The page again with the form that failed open and filled in, so a resident who
            # mistyped the code does not type everything again.
            messages.error(request, error.message)
            return _public_page(request, unit, kept=kept_form(request.POST), status=400)
        return redirect("classes:public", code=code)
    return _public_page(request, unit, kept=take_kept_form(request))


def _public_page(request: HttpRequest, unit: OrgUnit, *, kept=None, status=200) -> HttpResponse:
    tokens = request.session.get(_MINE, [])
    context = {
        "unit": unit,
        "now": timezone.now(),
        "sessions": selectors.upcoming(unit.code),
        "mine": selectors.enrolments_by_tokens(tokens),
        "topics": selectors.topics_for(unit.code, open_only=True)[:20],
        "kept": kept or {},
    }
    return render(request, "classes/public.html", context, status=status)


@limited("read", methods=["GET"])
@limited("track")
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest, token: str) -> HttpResponse:
    """A resident's own enrolment, reached by its secret link: status, cancel, rate."""
    enrolment = selectors.enrolment_by_token(token)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cancel":
                services.cancel_enrolment(actor=None, enrolment=enrolment, token=token)
                messages.success(request, _("Your enrolment is cancelled."))
            elif action == "rate":
                services.rate(
                    enrolment=enrolment,
                    token=token,
                    rating=parse_int(request.POST.get("rating"), "rating"),
                )
                messages.success(request, _("Thank you for rating."))
        except CivicgridError as error:
            messages.error(request, error.message)
        return redirect("classes:mine", token=token)
    _remember(request, token)
    waiting_before = (
        enrolment.session.enrolments.filter(status="waitlisted", pk__lt=enrolment.pk).count()
        if enrolment.status == "waitlisted"
        else None
    )
    return render(
        request,
        "classes/mine.html",
        {
            "enrolment": enrolment,
            "session": enrolment.session,
            "waiting_before": waiting_before,
            "ratings": range(1, 6),
        },
    )


@limited("read", methods=["GET"])
@limited("checkin", phone_field="phone")
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """Where the venue's QR code leads: one tap for an enrolment this browser holds, else the
    phone number (and a name, for a walk-in while places are left); with the code shown at the
    venue the check-in counts at once, without it staff confirm it on the roster."""
    found = selectors.session_by_checkin(token)
    held = selectors.enrolments_by_tokens(request.session.get(_MINE, [])).filter(session=found)
    if request.method == "POST":
        venue_code = request.POST.get("venue_code", "")
        address = limits.client_ip(request)
        try:
            # Wrong venue codes are counted (below); past the limit no code is even looked at.
            limits.check("checkin_code_ip", address, field="venue_code")
            chosen = request.POST.get("enrolment")
            if chosen:
                enrolment = get_object_or_404(held, pk=parse_id(chosen, "enrolment"))
                done = services.check_in(
                    actor=None, enrolment=enrolment, token=token, venue_code=venue_code
                )
            else:
                done = services.check_in_by_phone(
                    session=found,
                    checkin_token=token,
                    phone=request.POST.get("phone", ""),
                    name=request.POST.get("name", ""),
                    venue_code=venue_code,
                )
        except CivicgridError as error:
            if error.field == "venue_code" and venue_code.strip():
                try:
                    limits.hit("checkin_code_ip", address, field="venue_code")
                except limits.TooMany as refused:
                    error = refused
            messages.error(request, error.message)
            return redirect("classes:checkin", token=token)
        _remember(request, done.token)
        if done.checked_in_at:
            messages.success(request, _("Checked in. Welcome!"))
        else:
            messages.info(request, _("Noted: the staff at the venue will confirm your check-in."))
        return redirect("classes:mine", token=done.token)
    return render(request, "classes/checkin.html", {"session": found, "held": held})


@limited("read", methods=["GET"])
@require_GET
def board(request: HttpRequest, code: str) -> HttpResponse:
    """The display board (公示屏) for a TV at the venue: today's and the coming sessions, the
    next one's check-in code; it refreshes itself every minute."""
    unit = _public_unit(code)
    now = timezone.now()
    sessions = list(selectors.upcoming(unit.code, days=14, now=now)[:8])
    current = next((s for s in sessions if s.starts_at - services.CHECK_IN_OPENS <= now), None)
    context = {"unit": unit, "sessions": sessions, "now": now, "current": current}
    if current is not None:
        url = request.build_absolute_uri(reverse("classes:checkin", args=[current.checkin_token]))
        context["qr"] = qr_svg(url)
    template = "classes/_board.html" if request.headers.get("HX-Request") else "classes/board.html"
    return render(request, template, context)


@limited("read", methods=["GET"])
@require_GET
def calendar(request: HttpRequest, code: str) -> HttpResponse:
    unit = _public_unit(code)
    sessions = selectors.upcoming(unit.code, days=366, now=timezone.now() - dt.timedelta(days=30))
    response = HttpResponse(selectors.calendar(unit, sessions), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="classes-{unit.code}.ics"'
    return response
