"""Mediation pages: a mediator's phone page, the desk's board per unit, intake, the case page
with its steps, sessions, the pool, the legal-consultation log and the figures. Thin views:
parse, call a service or a selector, render. A refused step shows its message on the page,
next to its form, never a 500."""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.classes.models import Venue, VenueKind
from civicgrid.core import limits
from civicgrid.core.errors import CivicgridError, InvalidInput
from civicgrid.core.forms import parse_date, parse_ids, parse_int, parse_optional_id
from civicgrid.core.views import posted
from civicgrid.events import selectors as event_selectors
from civicgrid.mediation import selectors, services
from civicgrid.mediation.models import (
    ENDED,
    AgreementForm,
    Body,
    Case,
    CaseAction,
    CaseKind,
    CaseParty,
    CaseStatus,
    Channel,
    DocumentKind,
    Mediator,
    MediatorKind,
    PartyGender,
    PartyRole,
    Risk,
    RiskSign,
)
from civicgrid.mediation.roles import DESK_ROLES
from civicgrid.mediation.workflow import CASES, is_case_mediator
from civicgrid.org import selectors as org_selectors
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds, postings_of_user, sees_everything
from civicgrid.org.selectors import code_prefixes, unit_by_code
from civicgrid.org.tree import is_under
from civicgrid.people import selectors as people_selectors

A = CaseAction
S = CaseStatus

PAGE_SIZE = 50
# The doors a case comes in through at the desk's intake form (events and situations have
# their own one-click buttons).
INTAKE_CHANNELS = (Channel.WALK_IN, Channel.HOTLINE, Channel.REFERRAL, Channel.MEDIATOR)
# Party rows of the intake form: the applicant, the respondent and one more.
PARTY_ROWS = (PartyRole.APPLICANT, PartyRole.RESPONDENT, PartyRole.THIRD)


# ---- who sees what -----------------------------------------------------------------------------


def _desk_unit(user: Any, code: str) -> OrgUnit:
    """The unit `code` if the user keeps its mediation desk; 404 otherwise (like a missing
    one: the cases of a unit are not for everyone who sees the unit)."""
    unit = org_selectors.unit_for(user, code)
    if not selectors.may_see_desk(user, unit):
        raise Http404
    return unit


def _figures_unit(user: Any, code: str) -> OrgUnit:
    unit = org_selectors.unit_for(user, code)
    if not selectors.may_see_figures(user, unit):
        raise Http404
    return unit


def _first_desk_code(user: Any) -> str | None:
    for code, role in postings_of_user(user):
        if role in DESK_ROLES:
            return code
    return None


def _ip(request: HttpRequest) -> str | None:
    return limits.client_ip(request) or None


def _months(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """selectors.months_of the page's query (InvalidInput naming the field)."""
    return selectors.months_of(request.GET, timezone.localdate())


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """`_months`, a bad value shown as a message and this year used instead."""
    try:
        return _months(request)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        today = timezone.localdate()
        return today.replace(month=1, day=1), today


# ---- a mediator's phone page -------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My open cases and today's sessions. Desk staff who mediate nothing go to their board."""
    user = request.user
    mediator = selectors.own_mediator(user)
    if mediator is None:
        code = _first_desk_code(user)
        if code is None and sees_everything(user):
            top = org_selectors.top_units_for(user)
            code = top[0].code if top else None
        if code is None:
            raise Http404
        return redirect("mediation:board", code=code)
    now = timezone.now()
    context = {
        "mediator": mediator,
        "cases": list(selectors.my_cases(user)[:100]),
        "sessions": list(selectors.sessions_on(user, timezone.localdate())),
        "now": now,
        "desk_code": _first_desk_code(user),
    }
    return render(request, "mediation/home.html", context)


# ---- the desk's board --------------------------------------------------------------------------


@login_required
@require_GET
def board(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = _desk_unit(user, code)
    get = request.GET
    filters = selectors.board_filters(get)
    status, kind, risk, overdue = (filters[k] for k in ("status", "kind", "risk", "overdue"))
    now = timezone.now()
    cases = selectors.board_cases(user, unit, filters, now)
    query = {
        name: value
        for name, value in (("kind", kind), ("risk", risk), ("overdue", "1" if overdue else ""))
        if value
    }
    page = Paginator(cases, PAGE_SIZE).get_page(get.get("page"))
    counts = selectors.status_counts(user, unit)
    context = {
        "unit": unit,
        "page": page,
        "cases": page.object_list,
        "status": status,
        "kind": kind,
        "risk": risk,
        "overdue": overdue,
        "filter_query": "&".join(f"{name}={value}" for name, value in query.items()),
        "status_query": f"status={status}&" if status else "",
        "tabs": [(value, label, counts.get(value, 0)) for value, label in S.choices],
        "open_total": sum(n for s, n in counts.items() if s not in (S.DECLINED, S.CLOSED)),
        "kinds": CaseKind.choices,
        "risks": Risk.choices,
        "now": now,
        # The desks below: a district's streets, a street's communities.
        "children": [
            child
            for child in org_selectors.children_for(user, unit)
            if child.kind in ("street", "community")
        ],
    }
    return render(request, "mediation/board.html", context)


# ---- intake ------------------------------------------------------------------------------------


def _intake_unit(user: Any, code: str) -> OrgUnit:
    """The desk's unit, or for a mediator with a login a unit of their own pool (they take in a
    dispute they came across, on the mediator channel)."""
    mediator = selectors.own_mediator(user)
    if mediator is not None and not holds(user, code, DESK_ROLES):
        unit = unit_by_code(code)
        if unit is None or not is_under(code, mediator.unit_code):
            raise Http404
        return unit
    return _desk_unit(user, code)


def _person(user: Any, value: str | None, field: str):
    pk = parse_optional_id(value, field)
    if pk is None:
        return None
    person = people_selectors.persons_for(user).filter(pk=pk).first()
    if person is None:
        raise InvalidInput(_("No resident with that record number in your units."), field=field)
    return person


def _parties(user: Any, post, rows: Sequence[str] = PARTY_ROWS) -> list[services.PartyData]:
    parties = []
    for index, role in enumerate(rows):
        prefix = f"party-{index}-"
        name = post.get(prefix + "name", "").strip()
        person = _person(user, post.get(prefix + "person"), prefix + "person")
        if not name and person is None:
            continue
        age = post.get(prefix + "age", "").strip()
        parties.append(
            services.PartyData(
                role=role,
                name=name,
                phone=post.get(prefix + "phone", "").strip(),
                gender=post.get(prefix + "gender", ""),
                age=parse_int(age, prefix + "age") if age else None,
                address=post.get(prefix + "address", ""),
                person=person,
            )
        )
    return parties


def _mediator(pool, value: str | None, field: str) -> Mediator | None:
    pk = parse_optional_id(value, field)
    if pk is None:
        return None
    found = next((m for m in pool if m.pk == pk), None)
    if found is None:
        raise InvalidInput(_("Choose a mediator of this unit's pool."), field=field)
    return found


def _mediators(pool, values: list[str], field: str) -> list[Mediator]:
    wanted = set(parse_ids(values, field))
    found = [m for m in pool if m.pk in wanted]
    if len(found) != len(wanted):
        raise InvalidInput(_("Choose a mediator of this unit's pool."), field=field)
    return found


@login_required
@require_http_methods(["GET", "POST"])
def new_case(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = _intake_unit(user, code)
    desk = selectors.may_see_desk(user, unit)
    pool = list(selectors.pool(user, unit)) if desk else []
    channels = [(v, label) for v, label in Channel.choices if v in INTAKE_CHANNELS]
    if not desk:
        channels = [(v, label) for v, label in channels if v == Channel.MEDIATOR]
    error = None
    if request.method == "POST":
        post = request.POST
        try:
            channel = post.get("channel", "")
            if channel not in dict(channels):
                raise InvalidInput(_("Choose how the case came in."), field="channel")
            case = services.receive_case(
                actor=user,
                unit=unit,
                data=services.CaseData(
                    title=post.get("title", ""),
                    kind=post.get("kind", ""),
                    facts=post.get("facts", ""),
                    request=post.get("request", ""),
                    risk=post.get("risk", Risk.LOW),
                    risk_signs=post.getlist("risk_signs"),
                    amount=post.get("amount", ""),
                    people_affected=parse_int(post.get("people_affected"), "people_affected", 2),
                    referred_by=post.get("referred_by", ""),
                ),
                intake=services.Intake(
                    channel,
                    lead=_mediator(pool, post.get("lead"), "lead"),
                    helpers=_mediators(pool, post.getlist("helpers"), "helpers"),
                ),
                parties=_parties(user, post),
            )
        except CivicgridError as exc:
            error = exc
        else:
            messages.success(request, _("Case %(number)s received.") % {"number": case.number})
            return redirect(case)
    context = {
        "unit": unit,
        "error": error,
        "form": request.POST,
        "channels": channels,
        "kinds": CaseKind.choices,
        "risks": Risk.choices,
        "signs": RiskSign.choices,
        "genders": PartyGender.choices,
        "party_rows": [
            {
                "index": index,
                "role": role,
                "label": PartyRole(role).label,
                "posted": {
                    name: request.POST.get(f"party-{index}-{name}", "")
                    for name in ("name", "phone", "gender", "age", "address", "person")
                },
                "field": (error.field or "").removeprefix(f"party-{index}-")
                if error is not None and (error.field or "").startswith(f"party-{index}-")
                else "",
            }
            for index, role in enumerate(PARTY_ROWS)
        ],
        "pool": pool,
        "posted_signs": request.POST.getlist("risk_signs"),
        "posted_helpers": request.POST.getlist("helpers"),
    }
    return render(
        request, "mediation/new_case.html", context, status=error.status if error else 200
    )


# ---- one case ----------------------------------------------------------------------------------


# The step the case page offers as its main button at each status (when the user may take it).
PRIMARY: dict[str, str] = {
    S.RECEIVED: A.ACCEPT,
    S.ACCEPTED: A.SESSION,
    S.MEDIATING: A.AGREE,
    S.AGREED: A.FOLLOW_UP,
    S.NOT_AGREED: A.CLOSE,
    S.REFERRED: A.REFERRAL_ACCEPTED,
    S.FOLLOWED_UP: A.CLOSE,
}
# Steps taken on a page of their own (a session has its own form).
ON_THEIR_OWN_PAGE = frozenset({A.SESSION})
# Not a step of the case: a party added to it (a case from an event starts without any).
ADD_PARTY = "add_party"


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _deadline(value: str | None) -> dt.datetime | None:
    """A referral's deadline from a date: the end of that day, local time."""
    day = parse_date(value, "due")
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))


def _step_call(request: HttpRequest, case: Case, action: str) -> Callable[[], object]:
    """The service call of one step, from the posted form."""
    user = request.user
    post = request.POST
    value = post.get("version")
    version = parse_int(value, "version") if value else None
    note = post.get("note", "")
    common: dict[str, Any] = {"actor": user, "case": case, "version": version}

    def pool() -> list[Mediator]:
        return list(selectors.pool(user, case.unit))

    if action == A.ACCEPT:
        return lambda: services.accept_case(
            lead=_mediator(pool(), post.get("lead"), "lead"),
            helpers=_mediators(pool(), post.getlist("helpers"), "helpers"),
            note=note,
            **common,
        )
    if action == A.DECLINE:
        return lambda: services.decline_case(
            reason=note,
            handed_to=post.get("handed_to", ""),
            body_name=post.get("body_name", ""),
            **common,
        )
    if action == A.ASSIGN:

        def assign() -> object:
            mediators = pool()
            lead = _mediator(mediators, post.get("lead"), "lead")
            if lead is None:
                raise InvalidInput(_("Choose the lead mediator."), field="lead")
            helpers = _mediators(mediators, post.getlist("helpers"), "helpers")
            return services.assign_mediators(lead=lead, helpers=helpers, note=note, **common)

        return assign
    if action == A.AGREE:
        return lambda: services.reach_agreement(
            terms=post.get("agreement", ""),
            form=post.get("agreement_form", AgreementForm.WRITTEN),
            performance=post.get("performance", ""),
            **common,
        )
    if action == A.FAIL:
        return lambda: services.record_no_agreement(reason=note, **common)
    if action == A.REFER:
        return lambda: services.refer_case(
            body=post.get("body", ""),
            body_name=post.get("body_name", ""),
            due=_deadline(post.get("due")),
            note=note,
            **common,
        )
    if action == A.REFERRAL_ACCEPTED:
        return lambda: services.record_referral_accepted(note=note, **common)
    if action == A.FOLLOW_UP:

        def follow() -> object:
            kept = _yes_no(post.get("kept"))
            if kept is None:
                raise InvalidInput(_("Say whether the agreement was kept."), field="kept")
            return services.follow_up(kept=kept, note=note, **common)

        return follow
    if action == A.RESUME:
        return lambda: services.resume_mediation(note=note, **common)
    if action == A.CLOSE:
        return lambda: services.close_case(
            outcome=post.get("outcome", ""), resolved=_yes_no(post.get("resolved")), **common
        )
    if action == A.RAISE_RISK:
        return lambda: services.change_risk(
            risk=post.get("risk", ""), signs=post.getlist("risk_signs"), note=note, **common
        )
    raise Http404


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    failed: str | None = None,
    error: CivicgridError | None = None,
    revealed: dict[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    actions = CASES.allowed(user, case)
    form_actions = [action for action in actions if action not in ON_THEIR_OWN_PAGE]
    primary = PRIMARY.get(case.status)
    forms = [
        {
            "action": action,
            "label": A(action).label,
            "primary": action == primary,
            "error": error if action == failed else None,
            "field": (error.field or "") if action == failed and error else "",
            "posted": request.POST if action == failed else {},
        }
        for action in form_actions
    ]
    forms.sort(key=lambda form: not form["primary"])
    desk = selectors.may_see_desk(user, case.unit)
    needs_pool = {A.ACCEPT, A.ASSIGN} & set(actions)
    parties = selectors.parties_of(case)
    sessions = list(selectors.sessions_of(case))
    for party in parties:
        party.revealed = (revealed or {}).get(party.pk, "")  # type: ignore[attr-defined]
    context = {
        "case": case,
        "parties": parties,
        "helpers": list(case.helpers.all()),
        "sessions": sessions,
        "steps": case.steps.select_related("actor").order_by("at", "id"),
        "scans": list(case.scans.all()),
        "forms": forms,
        "may_record_session": A.SESSION in actions,
        # A refusal of a step the page no longer offers (someone else moved the case on).
        "step_error": error if error is not None and failed not in form_actions else None,
        "pool": list(selectors.pool(user, case.unit)) if needs_pool else [],
        "bodies": Body.choices,
        "agreement_forms": AgreementForm.choices,
        "risks": Risk.choices,
        "signs": RiskSign.choices,
        "sign_labels": [RiskSign(sign).label for sign in case.risk_signs if sign in RiskSign],
        # Only the documents there is something to print for: a record once a session was
        # held, the agreement once one was reached.
        "documents": [
            (kind, DocumentKind(kind).label)
            for kind, ready in (
                (DocumentKind.APPLICATION, True),
                (DocumentKind.RECORD, bool(sessions)),
                (DocumentKind.AGREEMENT, case.agreed is True),
            )
            if ready
        ],
        "scan_kinds": DocumentKind.choices,
        "may_work": desk or A.SESSION in actions or bool(actions),
        "may_add_party": case.status not in ENDED and (desk or is_case_mediator(user, case, {})),
        "party_error": error if failed == ADD_PARTY else None,
        "party_roles": PartyRole.choices,
        "genders": PartyGender.choices,
        "posted_party": {
            "role": request.POST.get("role", ""),
            "name": request.POST.get("party-0-name", ""),
        }
        if failed == ADD_PARTY
        else {},
        # The event's page opens only for those who see the event (a mediator may not).
        "event_visible": case.event_id is not None
        and event_selectors.events_for(user).filter(pk=case.event_id).exists(),
        "desk": desk,
        "number": services.document_number(case),
        "now": timezone.now(),
        "posted_signs": request.POST.getlist("risk_signs") if failed == A.RAISE_RISK else None,
    }
    return render(request, "mediation/case.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page; a POST takes the step named in `action`. Done: back to the page (POST-
    redirect-GET). Refused: the page again with the message at the form, what was typed kept."""
    user = request.user
    found = selectors.case_for(user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == ADD_PARTY:
            try:
                data = _parties(user, request.POST, rows=[request.POST.get("role", "")])
                if not data:
                    raise InvalidInput(_("Give the party's name."), field="party-0-name")
                services.add_party(actor=user, case=found, data=data[0])
            except CivicgridError as exc:
                return _render_case(request, found, failed=action, error=exc, status=exc.status)
            messages.success(request, _("Party added."))
            return redirect(found)
        if action not in A.values or action in ON_THEIR_OWN_PAGE:
            raise Http404
        try:
            _step_call(request, found, action)()
        except CivicgridError as exc:
            found = selectors.case_for(user, pk)  # a refused step changed nothing; others may have
            return _render_case(request, found, failed=action, error=exc, status=exc.status)
        messages.success(request, _("Done: %(action)s.") % {"action": A(action).label})
        return redirect(found)
    return _render_case(request, found)


@login_required
@require_POST
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """One party's phone in full, the reveal logged. htmx swaps the masked number for it."""
    user = request.user
    party = get_object_or_404(
        CaseParty.objects.select_related("case"),
        pk=pk,
        case__in=selectors.cases_for(user).values("pk"),
    )
    htmx = bool(request.headers.get("HX-Request"))
    try:
        value = services.reveal_phone(
            actor=user, party=party, reason=request.POST.get("reason", ""), ip=_ip(request)
        )
    except CivicgridError as exc:
        if htmx:
            return render(
                request, "mediation/_reveal_error.html", {"error": exc}, status=exc.status
            )
        messages.error(request, exc.message)
        return redirect("mediation:case", pk=party.case_id)
    if htmx:
        return render(request, "mediation/_revealed.html", {"party": party, "value": value})
    found = selectors.case_for(user, party.case_id)
    return _render_case(request, found, revealed={party.pk: value})


# ---- sessions ----------------------------------------------------------------------------------


def _held_at(value: str | None) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise InvalidInput(
            _("Give the date and time the session was held."), field="held_at"
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _rooms(case: Case) -> list[Venue]:
    """The mediation rooms of the case's unit and of the units above it."""
    return list(
        Venue.objects.filter(
            kind=VenueKind.MEDIATION_ROOM, unit_code__in=code_prefixes(case.unit_code)
        )
        .select_related("unit")
        .order_by("unit_code", "name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_session(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.case_for(user, pk)
    if not CASES.may(user, found, A.SESSION):
        messages.error(
            request,
            _("A session can be recorded once the case is accepted, and until it ends."),
        )
        return redirect(found)
    rooms = _rooms(found)
    parties = selectors.parties_of(found)
    mediators = [m for m in [found.lead, *found.helpers.all()] if m is not None]
    error = None
    if request.method == "POST":
        post = request.POST
        try:
            venue_id = parse_optional_id(post.get("venue"), "venue")
            venue = next((room for room in rooms if room.pk == venue_id), None)
            if venue_id is not None and venue is None:
                raise InvalidInput(_("That room belongs to another unit."), field="venue")
            present = set(parse_ids(post.getlist("parties"), "parties"))
            chosen = set(parse_ids(post.getlist("mediators"), "mediators"))
            value = post.get("version")
            services.record_session(
                actor=user,
                case=found,
                data=services.SessionData(
                    held_at=_held_at(post.get("held_at")),
                    notes=post.get("notes", ""),
                    venue=venue,
                    place=post.get("place", ""),
                    mediators=[m for m in mediators if m.pk in chosen],
                    parties=[p for p in parties if p.pk in present],
                    others=post.get("others", ""),
                ),
                photos=request.FILES.getlist("photos"),
                version=parse_int(value, "version") if value else None,
            )
        except CivicgridError as exc:
            error = exc
        else:
            messages.success(request, _("Session recorded."))
            return redirect(found)
    now = timezone.localtime()
    context = {
        "case": found,
        "rooms": rooms,
        "parties": parties,
        "mediators": mediators,
        "error": error,
        "form": request.POST,
        "posted_parties": request.POST.getlist("parties"),
        "posted_mediators": request.POST.getlist("mediators"),
        "default_held_at": now.strftime("%Y-%m-%dT%H:%M"),
    }
    return render(
        request, "mediation/new_session.html", context, status=error.status if error else 200
    )


# ---- the pool ----------------------------------------------------------------------------------


def _login(value: str, current: Any) -> Any:
    """The account named by its username in the pool's form (blank: none)."""
    username = (value or "").strip()
    if not username:
        return None
    if current is not None and current.get_username() == username:
        return current
    account = get_user_model().objects.filter(username=username, is_active=True).first()
    if account is None:
        raise InvalidInput(_("No active login with that user name."), field="user")
    return account


@login_required
@require_http_methods(["GET", "POST"])
def pool(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = _desk_unit(user, code)
    everyone = selectors.pool(user, unit, active=False)
    if request.method == "POST":
        post = request.POST
        edited_id = parse_optional_id(post.get("mediator"), "mediator")

        def save() -> None:
            edited = get_object_or_404(everyone, pk=edited_id) if edited_id else None
            services.save_mediator(
                actor=user,
                unit=edited.unit if edited is not None else unit,
                mediator=edited,
                name=post.get("name", ""),
                kind=post.get("kind", ""),
                user=_login(post.get("user", ""), edited.user if edited else None),
                organisation=edited.organisation if edited else None,
                party_member=edited.party_member if edited else None,
                affiliation=post.get("affiliation", ""),
                specialties=post.get("specialties", ""),
                active=post.get("active", "on") == "on" if edited else True,
            )

        return posted(request, save, _("Saved."), "mediation:pool", code=code)
    kind = request.GET.get("kind", "")
    kind = kind if kind in MediatorKind.values else ""
    show_inactive = request.GET.get("inactive") == "1"
    mediators = everyone if show_inactive else everyone.filter(active=True)
    if kind:
        mediators = mediators.filter(kind=kind)
    first, last = _period(request)
    rows = list(mediators[:300])
    figures = selectors.mediator_figures(rows, first, last)
    context = {
        "unit": unit,
        "rows": [(m, figures[m.pk], holds(user, m.unit_code, DESK_ROLES)) for m in rows],
        "kinds": MediatorKind.choices,
        "kind": kind,
        "show_inactive": show_inactive,
        "first": first,
        "last": last,
    }
    return render(request, "mediation/pool.html", context)


# ---- legal consultations -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def consultations(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = _figures_unit(user, code)
    desk = selectors.may_see_desk(user, unit)
    lawyers = (
        [m for m in selectors.pool(user, unit) if m.kind == MediatorKind.LAWYER] if desk else []
    )
    if request.method == "POST":
        if not desk:
            raise Http404
        post = request.POST

        def record() -> None:
            services.record_consultation(
                actor=user,
                unit=unit,
                held_on=parse_date(post.get("held_on"), "held_on") or timezone.localdate(),
                residents_served=parse_int(post.get("residents_served"), "residents_served"),
                topics=post.get("topics", ""),
                lawyer=_mediator(lawyers, post.get("lawyer"), "lawyer"),
                lawyer_name=post.get("lawyer_name", ""),
                place=post.get("place", ""),
                disputes_found=parse_int(post.get("disputes_found"), "disputes_found", 0),
            )

        return posted(
            request, record, _("Consultation recorded."), "mediation:consultations", code=code
        )
    first, last = _period(request)
    rows = selectors.consultations_for(user, unit).filter(held_on__gte=first, held_on__lte=last)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = rows.aggregate(served=Sum("residents_served"), found=Sum("disputes_found"))
    context = {
        "unit": unit,
        "page": page,
        "rows": page.object_list,
        "served": totals["served"] or 0,
        "found": totals["found"] or 0,
        "desk": desk,
        "lawyers": lawyers,
        "first": first,
        "last": last,
        "today": timezone.localdate(),
        "period_query": f"from={first:%Y-%m}&to={last:%Y-%m}",
    }
    return render(request, "mediation/consultations.html", context)


# ---- figures -----------------------------------------------------------------------------------


@login_required
@require_GET
def figures(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = _figures_unit(user, code)
    first, last = _period(request)
    counts = selectors.figures(unit, first, last)
    trend = selectors.trend(unit, first, last)
    children = [
        child
        for child in org_selectors.children_for(user, unit)
        if child.kind in ("street", "community")
    ]
    context = {
        "unit": unit,
        "first": first,
        "last": last,
        "figures": counts,
        "referrals": selectors.referrals(counts),
        "trend": trend,
        # The chart of the trend (mediation/figures.js): the table holds the same figures.
        "chart": [
            {
                "period": row["month"].strftime("%Y-%m"),
                "received": row["received"],
                "agreed": row["agreed"],
                "closed": row["closed"],
                "success": None
                if row["success_rate"] is None
                else round(100 * row["success_rate"], 1),
            }
            for row in trend
        ],
        "chart_labels": {
            "received": _("Cases received"),
            "agreed": _("Agreements"),
            "closed": _("Cases closed"),
            "success": _("Success rate"),
        },
        "children": selectors.figures_below(children, first, last),
        "top": selectors.top_mediators(unit, first, last),
        "desk": selectors.may_see_desk(user, unit),
    }
    return render(request, "mediation/figures.html", context)


# ---- one click from an event or a situation ----------------------------------------------------


@login_required
@require_POST
def from_event(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    event = event_selectors.events_for(user).filter(pk=pk).first()
    if event is None:
        raise Http404
    try:
        made = services.open_from_event(actor=user, event=event)
    except CivicgridError as exc:
        messages.error(request, exc.message)
        return redirect("events:detail", number=event.number)
    messages.success(request, _("Case %(number)s received.") % {"number": made.number})
    return redirect(made)


@login_required
@require_POST
def from_situation(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    situation = people_selectors.situation_for(user, pk)
    try:
        made = services.open_from_situation(actor=user, situation=situation)
    except CivicgridError as exc:
        messages.error(request, exc.message)
        return redirect("people:situations", code=situation.unit_code)
    messages.success(request, _("Case %(number)s received.") % {"number": made.number})
    return redirect(made)
