"""The shell around every app: the role's start page, the inbox behind the bell, the 500 page."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.accounts import services as account_services
from civicgrid.assessment import quiz_selectors
from civicgrid.assessment import selectors as assessment_selectors
from civicgrid.classes import selectors as class_selectors
from civicgrid.community import selectors as community_selectors
from civicgrid.core.cleaning import redirect_to_local
from civicgrid.core.errors import CivicgridError, InvalidInput
from civicgrid.events import selectors as event_selectors
from civicgrid.events.roles import GRID_ROLES
from civicgrid.mediation import selectors as mediation_selectors
from civicgrid.messaging import selectors as messaging_selectors
from civicgrid.messaging import services as messaging
from civicgrid.org import selectors as org_selectors
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.roles import Role
from civicgrid.org.scoping import postings_of_user, sees_everything
from civicgrid.people import selectors as people_selectors
from civicgrid.site import menus
from civicgrid.volunteers import selectors as volunteer_selectors
from civicgrid.volunteers import services as volunteer_services

# The inbox page shows the unread ones, then this many of the latest read ones.
READ_SHOWN = 30
# Rows of each queue on a home page; the count beside it links to the whole list.
QUEUE_SHOWN = 8


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's start page is its work queue (issue 14): what waits for the user today,
    each figure linking to the list it counts, and the role's main buttons."""
    user = request.user
    who = menus.who_is(user)
    postings = list(org_selectors.postings_of(user)) if who.postings else []
    context: dict[str, Any] = {"who": who, "kind": who.kind, "postings": postings}
    builder = HOMES.get(who.kind)
    if builder is not None:
        context.update(builder(user, postings))
    return render(request, "site/home.html", context)


def _unit_of(postings: list, roles: frozenset[str]) -> OrgUnit | None:
    for posting in postings:
        if posting.role in roles:
            return posting.unit
    return None


def _grid_home(user: Any, postings: list) -> dict[str, Any]:
    now = timezone.now()
    tasks = event_selectors.tasks_of(user)
    unit = _unit_of(postings, GRID_ROLES)
    return {
        "tasks": tasks[:QUEUE_SHOWN],
        "task_count": tasks.count(),
        "overdue_count": tasks.filter(event_selectors.overdue_q(now)).count(),
        "to_verify": event_selectors.to_verify_for(user)[:QUEUE_SHOWN],
        "visits_due": people_selectors.open_follow_ups(user, unit)[:QUEUE_SHOWN] if unit else [],
        # The knowledge test (测) waiting for the worker, or in progress.
        "quiz_papers": list(quiz_selectors.open_papers_of(user, now)[:QUEUE_SHOWN]),
        # My assessment: my line in the newest plan (issue 18).
        "my_line": assessment_selectors.latest_line(user),
        "now": now,
    }


def _community_home(user: Any, postings: list) -> dict[str, Any]:
    now = timezone.now()
    unit = _unit_of(postings, frozenset({Role.COMMUNITY_STAFF}))
    assert unit is not None  # the persona is the role's
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    needs = community_selectors.needs_for(user, unit)
    return {
        "unit": unit,
        "queue": event_selectors.queue_counts(user, unit, now),
        "classes_today": class_selectors.sessions_for(
            user, unit, today, today + dt.timedelta(days=1)
        ).order_by("starts_at")[:QUEUE_SHOWN],
        "needs": needs.order_by("id")[:QUEUE_SHOWN],
        "need_count": needs.count(),
        # The mediation desk's open cases, the most urgent first (issue 17).
        "cases": list(mediation_selectors.board(user, unit)[:QUEUE_SHOWN]),
        "case_count": mediation_selectors.board(user, unit).count(),
        "now": now,
    }


def _figures_home(roles: frozenset[str]) -> Callable[[Any, list], dict[str, Any]]:
    """Street, district and the read-only leader: the four rates of their unit this year, and
    (for staff) the overdue events below it."""

    def build(user: Any, postings: list) -> dict[str, Any]:
        now = timezone.now()
        unit = _unit_of(postings, roles)
        assert unit is not None
        start, end = event_selectors.default_period()
        context: dict[str, Any] = {
            "unit": unit,
            "figures": event_selectors.figures_for(unit, start, end),
            "start": start,
            "end": end,
            # Mediation this year: the cases open now and the success rate (issue 17).
            "mediation": mediation_selectors.figures(unit, start, end),
            # The latest assessment plans, their workers and appeals waiting (issue 18).
            "assessment_plans": assessment_selectors.home_plans(user),
        }
        if Role.LEADER_READONLY not in roles:
            overdue = event_selectors.overdue_under(user, unit, now)
            context["overdue"] = overdue[:QUEUE_SHOWN]
            context["overdue_count"] = overdue.count()
            context["now"] = now
        return context

    return build


def _department_home(user: Any, postings: list) -> dict[str, Any]:
    inbox = event_selectors.inbox_for(user)
    start, end = event_selectors.default_period()
    departments = [p.unit for p in postings if p.unit.kind == Kind.DEPARTMENT]
    return {
        # 吹哨报到 this year, counted from the department's own whistles (issue 16).
        "department_figures": event_selectors.department_figures(departments, start, end),
        "start": start,
        "end": end,
        "inbox": inbox[:QUEUE_SHOWN],
        "inbox_count": inbox.count(),
        "report_ins": event_selectors.report_ins_due(user)[:QUEUE_SHOWN],
        "now": timezone.now(),
    }


def _volunteer_home(user: Any, postings: list) -> dict[str, Any]:
    own = volunteer_selectors.volunteer_of(user)
    if own is None:
        return {}
    return {
        "volunteer": own,
        "open_orders": volunteer_selectors.open_near(own)[:QUEUE_SHOWN],
        "taken_orders": own.orders.filter(status="taken").select_related("item"),
    }


def _party_member_home(user: Any, postings: list) -> dict[str, Any]:
    """A party member's or a member unit's tasks to claim and claimed."""
    member = community_selectors.claimant_of(user)
    if member is None:
        return {}
    near = community_selectors.tasks_near(member)
    return {
        "member": member,
        "open_tasks": near["open"][:QUEUE_SHOWN],
        "my_tasks": near["mine"][:QUEUE_SHOWN],
    }


def _mediator_home(user: Any, postings: list) -> dict[str, Any]:
    """A mediator's open cases (their phone page holds the rest: today's sessions)."""
    cases = mediation_selectors.my_cases(user)
    return {"my_cases": cases[:QUEUE_SHOWN], "my_case_count": cases.count()}


def _superuser_home(user: Any, postings: list) -> dict[str, Any]:
    return {
        "overview": event_selectors.overview_counts(user, timezone.now()),
        "roots": org_selectors.top_units_for(user),
    }


HOMES: dict[str, Callable[[Any, list], dict[str, Any]]] = {
    "grid": _grid_home,
    "community": _community_home,
    "street": _figures_home(frozenset({Role.STREET_STAFF})),
    "district": _figures_home(frozenset({Role.DISTRICT_STAFF})),
    "leader": _figures_home(frozenset({Role.LEADER_READONLY})),
    "department": _department_home,
    "volunteer": _volunteer_home,
    "party_member": _party_member_home,
    "member_unit": _party_member_home,
    "partner": lambda user, postings: {"partner": getattr(user, "community_partner", None)},
    "mediator": _mediator_home,
    "superuser": _superuser_home,
}


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """The inbox behind the bell: every unread notification, then the latest read ones."""
    mine = messaging_selectors.notifications_for(request.user)
    context = {
        "unread": mine.filter(read_at=None),
        "read": mine.exclude(read_at=None)[:READ_SHOWN],
    }
    return render(request, "site/notifications.html", context)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    messaging.mark_notifications_read(user=request.user)
    return redirect_to_local(request, request.POST.get("next"), "site:notifications")


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page (handler500). The database may be what failed, so nothing here may query
    it: no context processors, and the navigation only for a user the request had already
    loaded (AuthenticationMiddleware keeps them in `_cached_user`), without its counts."""
    user = getattr(request, "_cached_user", None) or AnonymousUser()
    context = {"request": request, "user": user, "csrf_token": get_token(request)}
    return HttpResponseServerError(render_to_string("500.html", context))


# ---- accounts (入网入格) ------------------------------------------------------------------------

ACCOUNTS_SHOWN = 200


def _account_units(user: Any) -> list[OrgUnit]:
    if sees_everything(user):
        prefixes = [unit.code for unit in org_selectors.top_units_for(user)]
    else:
        prefixes = [code for code, role in postings_of_user(user) if role in account_services.GIVES]
    return list(
        org_selectors.units_of_kinds(user, prefixes, account_services.ACCOUNT_UNIT_KINDS)[:1000]
    )


@login_required
@require_http_methods(["GET", "POST"])
def accounts(request: HttpRequest) -> HttpResponse:
    """Street and community staff make logins for their units: posted staff (grid workers,
    micro-grid leaders, grid leaders; a street also community staff) and registered
    volunteers. The new login's initial password is shown here once."""
    user = request.user
    if not account_services.makes_accounts(user):
        raise PermissionDenied
    units = _account_units(user)
    volunteers = list(volunteer_selectors.without_login(user)[:ACCOUNTS_SHOWN])
    made = None
    error = None
    status = 200
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("kind") == "volunteer":
                volunteer = next(
                    (v for v in volunteers if str(v.pk) == post.get("volunteer", "")), None
                )
                if volunteer is None:
                    raise InvalidInput(_("Choose a volunteer."), field="volunteer")
                made = volunteer_services.create_volunteer_login(
                    actor=user,
                    volunteer=volunteer,
                    username=post.get("username", ""),
                    password=post.get("password", ""),
                )
                volunteers = [v for v in volunteers if v.pk != volunteer.pk]
            else:
                unit = next((u for u in units if u.code == post.get("unit", "")), None)
                if unit is None:
                    raise InvalidInput(_("Choose a unit of yours."), field="unit")
                made = account_services.create_account(
                    actor=user,
                    username=post.get("username", ""),
                    full_name=post.get("full_name", ""),
                    unit=unit,
                    role=post.get("role", ""),
                    password=post.get("password", ""),
                )
        except CivicgridError as exc:
            error = exc
            status = exc.status
    roles = sorted(
        {role for unit in units for role in account_services.roles_given(user, unit)},
        key=Role.values.index,
    )
    context = {
        "units": units,
        "roles": [(role, Role(role).label) for role in roles],
        "volunteers": volunteers,
        "postings": org_selectors.postings_under(user, ACCOUNT_LISTED_ROLES)[:ACCOUNTS_SHOWN],
        "made": made,
        "error": error,
        "form": request.POST if error else {},
    }
    return render(request, "site/accounts.html", context, status=status)


ACCOUNT_LISTED_ROLES = frozenset(
    role for given in account_services.GIVES.values() for role in given
)
