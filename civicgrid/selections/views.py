"""Selection pages. Staff (logged in): the list of my units' selections, a selection's page
with its steps, nominations to review, flags, results and the xlsx export. Residents (no
login, /vote/): the open selections, a selection's candidates with live counts, proving a
phone with a code, voting and nominating. Thin views: parse, call a service or a selector,
render; a refused step or vote is a message on the page, never a 500."""

import datetime as dt
import io
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.core import limits
from civicgrid.core.errors import CivicgridError, InvalidInput
from civicgrid.core.forms import parse_id
from civicgrid.core.photos import serve as serve_photo
from civicgrid.core.views import keep_form, kept_form, limited, posted, take_kept_form
from civicgrid.messaging import services as messaging
from civicgrid.messaging.models import CodePurpose
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import postings_of_user, sees_everything
from civicgrid.selections import selectors, services
from civicgrid.selections.models import (
    NominationStatus,
    Selection,
    SelectionAction,
    SelectionStatus,
    VoteRule,
)
from civicgrid.selections.roles import STAFF_ROLES
from civicgrid.selections.workflow import NOMINATIONS, SELECTIONS

S = SelectionStatus
A = SelectionAction
PAGE_SIZE = 50

# ---- staff pages -------------------------------------------------------------------------------


def _staff_units(user: Any) -> list[OrgUnit]:
    """The units where the user is staff (where a new selection may be made)."""
    codes = [code for code, role in postings_of_user(user) if role in STAFF_ROLES]
    return list(OrgUnit.objects.filter(code__in=codes, active=True).order_by("code"))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """评选: the selections of my units and those below, the newest first."""
    user = request.user
    if not selectors.runs_selections(user):
        raise Http404
    page = Paginator(selectors.selections_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "selections": page.object_list, "may_create": True}
    return render(request, "selections/home.html", context)


def _moment(value: str | None, field: str) -> dt.datetime:
    """A form's datetime-local value ("2026-05-01T09:00"), in the site's zone."""
    try:
        moment = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise InvalidInput(_("Give every date of the selection."), field=field) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _data(post: Any) -> tuple[services.SelectionData, list[str]]:
    data = services.SelectionData(
        title=post.get("title", ""),
        description=post.get("description", ""),
        vote_rule=post.get("vote_rule", ""),
        nominations_open_at=_moment(post.get("nominations_open_at"), "nominations_open_at"),
        nominations_close_at=_moment(post.get("nominations_close_at"), "nominations_close_at"),
        voting_open_at=_moment(post.get("voting_open_at"), "voting_open_at"),
        voting_close_at=_moment(post.get("voting_close_at"), "voting_close_at"),
    )
    return data, post.get("categories", "").splitlines()


def _form_context(request: HttpRequest, selection: Selection | None, form: Any) -> dict[str, Any]:
    return {
        "selection": selection,
        "form": form,
        "units": _staff_units(request.user),
        "superuser": sees_everything(request.user),
        "rules": VoteRule.choices,
    }


def _initial(selection: Selection) -> dict[str, str]:
    def local(moment: dt.datetime) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")

    return {
        "title": selection.title,
        "description": selection.description,
        "vote_rule": selection.vote_rule,
        "nominations_open_at": local(selection.nominations_open_at),
        "nominations_close_at": local(selection.nominations_close_at),
        "voting_open_at": local(selection.voting_open_at),
        "voting_close_at": local(selection.voting_close_at),
        "categories": "\n".join(c.name for c in selection.categories.all()),
        "unit": selection.unit.code,
    }


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.runs_selections(user):
        raise Http404
    if request.method == "POST":
        try:
            unit = OrgUnit.objects.filter(code=request.POST.get("unit", ""), active=True).first()
            if unit is None:
                raise InvalidInput(_("Choose the unit that runs the selection."), field="unit")
            data, categories = _data(request.POST)
            made = services.create_selection(
                actor=user, unit=unit, data=data, categories=categories
            )
        except CivicgridError as error:
            messages.error(request, error.message)
            context = _form_context(request, None, request.POST)
            return render(request, "selections/form.html", context, status=400)
        messages.success(request, _("Selection created as a draft."))
        return redirect("selections:selection", pk=made.pk)
    return render(request, "selections/form.html", _form_context(request, None, {}))


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    selection = selectors.selection_for(request.user, pk)
    if request.method == "POST":
        try:
            data, categories = _data(request.POST)
            services.update_selection(
                actor=request.user, selection=selection, data=data, categories=categories
            )
        except CivicgridError as error:
            messages.error(request, error.message)
            context = _form_context(request, selection, request.POST)
            return render(request, "selections/form.html", context, status=400)
        messages.success(request, _("Selection saved."))
        return redirect("selections:selection", pk=selection.pk)
    context = _form_context(request, selection, _initial(selection))
    return render(request, "selections/form.html", context)


@login_required
@require_GET
def selection(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.selection_for(user, pk)
    nominations = list(selectors.nominations_of(found))
    for nomination in nominations:
        nomination.may = NOMINATIONS.allowed(user, nomination)  # type: ignore[attr-defined]
    context = {
        "selection": found,
        "actions": [
            (a, SELECTIONS.label(a)) for a in SELECTIONS.allowed(user, found) if a != A.VOID_VOTES
        ],
        "nominations": nominations,
        "to_review": sum(n.status == NominationStatus.SUBMITTED for n in nominations),
        "anomalies": list(selectors.anomalies_of(found)[:100]),
        "results": selectors.results(found),
        "steps": [(row, SELECTIONS.label(row.action)) for row in selectors.steps_of(found)],
        "taking_nominations": found.status == S.NOMINATING,
        "now": timezone.now(),
    }
    return render(request, "selections/selection.html", context)


STEPS = {
    A.OPEN_NOMINATIONS: services.open_nominations,
    A.CLOSE_NOMINATIONS: services.close_nominations,
    A.OPEN_VOTING: services.open_voting,
    A.CLOSE_VOTING: services.close_voting,
    A.PUBLISH: services.publish_results,
}


@login_required
@require_POST
def take_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    found = selectors.selection_for(request.user, pk)
    if action == A.CANCEL:

        def call() -> object:
            return services.cancel_selection(
                actor=request.user, selection=found, reason=request.POST.get("reason", "")
            )

    elif action in STEPS:

        def call() -> object:
            return STEPS[SelectionAction(action)](actor=request.user, selection=found)

    else:
        raise Http404
    return posted(
        request,
        call,
        _("Done: %(step)s.") % {"step": SELECTIONS.label(action)},
        "selections:selection",
        pk=found.pk,
    )


@login_required
@require_POST
def review(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    nomination = selectors.nomination_for(request.user, pk)
    if action == "approve":

        def call() -> object:
            return services.approve_nomination(actor=request.user, nomination=nomination)

        done = _("%(name)s is a candidate now.") % {"name": nomination.name}
    elif action == "reject":

        def call() -> object:
            return services.reject_nomination(
                actor=request.user, nomination=nomination, reason=request.POST.get("reason", "")
            )

        done = _("The nomination of %(name)s was rejected.") % {"name": nomination.name}
    else:
        raise Http404
    return posted(request, call, done, "selections:selection", pk=nomination.selection_id)


@login_required
@require_POST
def anomaly(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    flag = selectors.anomaly_for(request.user, pk)
    if action == "void":

        def call() -> object:
            return services.void_votes(
                actor=request.user, anomaly=flag, reason=request.POST.get("reason", "")
            )

        done = _("The flagged votes were voided; the counts are adjusted.")
    elif action == "dismiss":

        def call() -> object:
            return services.dismiss_anomaly(actor=request.user, anomaly=flag)

        done = _("The flag was dismissed; its votes stay counted.")
    else:
        raise Http404
    return posted(request, call, done, "selections:selection", pk=flag.selection_id)


@login_required
@require_http_methods(["GET", "POST"])
def staff_nominate(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff enter a nomination (one handed in on paper, or their own), with photos."""
    found = selectors.selection_for(request.user, pk)
    if not services.takes_nominations(found):
        messages.error(request, _("This selection is not taking nominations now."))
        return redirect("selections:selection", pk=found.pk)
    if request.method == "POST":
        try:
            category = found.categories.filter(
                pk=parse_id(request.POST.get("category"), "category")
            ).first()
            if category is None:
                raise InvalidInput(_("Choose one of the selection's categories."), field="category")
            services.nominate(
                actor=request.user,
                selection=found,
                category=category,
                name=request.POST.get("name", ""),
                story=request.POST.get("story", ""),
                nominator=request.POST.get("nominator", ""),
                photos=request.FILES.getlist("photos"),
            )
        except CivicgridError as error:
            messages.error(request, error.message)
            context = {"selection": found, "form": request.POST, "staff": True}
            return render(request, "selections/nominate.html", context, status=400)
        messages.success(request, _("Nomination recorded; review it below."))
        return redirect("selections:selection", pk=found.pk)
    return render(
        request, "selections/nominate.html", {"selection": found, "form": {}, "staff": True}
    )


@login_required
@require_GET
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The results as a spreadsheet: one sheet, a row per candidate, ranked per category."""
    from openpyxl import Workbook

    found = selectors.selection_for(request.user, pk)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Results")[:31]
    sheet.append([found.title])
    sheet.append([_("Category"), _("Rank"), _("Candidate"), _("Votes")])
    for ranked in selectors.results(found):
        for candidate in ranked.candidates:
            sheet.append([ranked.category.name, candidate.rank, candidate.name, candidate.votes])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="selection-{found.pk}-results.xlsx"'
    return response


@login_required
@require_GET
def staff_photo(request: HttpRequest, pk: int) -> FileResponse:
    return serve_photo(selectors.photo_for(request.user, pk).image)


# ---- the public pages (/vote/) ----------------------------------------------------------------

DEVICE_COOKIE = "cg_device"
_DEVICE = re.compile(r"[A-Za-z0-9_-]{20,64}")
VOTER = "selections_voter"
# How often the page asks for fresh counts (htmx polling of a small fragment).
POLL_SECONDS = 5


def _device(request: HttpRequest) -> str:
    """The browser's long-lived random device cookie ("" when it has none, or a forged one)."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    return value if _DEVICE.fullmatch(value) else ""


def _give_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not _device(request):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(24),
            max_age=2 * 365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def _voter(request: HttpRequest) -> services.Voter | None:
    """The phone this browser proved with a code, while it is fresh (SELECTION_VOTER_MINUTES)."""
    data = request.session.get(VOTER)
    if not isinstance(data, dict) or data.get("until", 0) <= timezone.now().timestamp():
        return None
    return services.Voter(str(data.get("hash", "")), str(data.get("masked", "")))


def _back(pk: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("vote:selection", args=[pk]) + anchor)


@limited("read", methods=["GET"])
@require_GET
def vote_home(request: HttpRequest) -> HttpResponse:
    """评选投票: the announced selections, voting ones first."""
    rows = selectors.voting_first(selectors.public_selections()[:50])
    response = render(request, "selections/vote_home.html", {"selections": rows})
    return _give_device(request, response)


@limited("read", methods=["GET"])
@require_GET
def vote_selection(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.public_selection(pk)
    now = timezone.now()
    voting = found.status == S.VOTING and found.voting_open_at <= now < found.voting_close_at
    context = {
        "selection": found,
        "categories": selectors.public_categories(found),
        "voter": _voter(request),
        "voting": voting,
        "nominating": found.status == S.NOMINATING
        and found.nominations_open_at <= now < found.nominations_close_at,
        "published": found.status == S.CLOSED,
        "results": selectors.results(found) if found.status == S.CLOSED else [],
        "kept": take_kept_form(request),
        "poll": POLL_SECONDS,
        "code_purpose": CodePurpose.VOTE,
    }
    return _give_device(request, render(request, "selections/vote_selection.html", context))


@limited("read", methods=["GET"])
@require_GET
def vote_counts(request: HttpRequest, pk: int) -> HttpResponse:
    """The counts alone (htmx swaps each candidate's number out of band), one small query."""
    found = selectors.public_selection(pk)
    context = {"counts": sorted(selectors.counts(found).items()), "poll": POLL_SECONDS}
    response = render(request, "selections/_counts.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def vote_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Prove a phone with the code sent to it; the browser may then vote for a while."""
    found = selectors.public_selection(pk)
    try:
        voter = services.verify_voter(
            phone=request.POST.get("phone", ""),
            code=request.POST.get("code", ""),
            ip=limits.client_ip(request),
            device=_device(request),
        )
    except CivicgridError as error:
        messages.error(request, error.message)
        keep_form(request)  # the phone comes back filled in, never the code
        return _back(found.pk, "#voter")
    minutes = settings.SELECTION_VOTER_MINUTES
    request.session[VOTER] = {
        "hash": voter.phone_hash,
        "masked": voter.masked,
        "until": timezone.now().timestamp() + minutes * 60,
    }
    messages.success(
        request,
        _("Phone %(phone)s confirmed: you may vote now.") % {"phone": voter.masked},
    )
    return _back(found.pk, "#categories")


@require_POST
def vote_forget(request: HttpRequest, pk: int) -> HttpResponse:
    request.session.pop(VOTER, None)
    return _back(pk, "#voter")


@require_POST
def vote_cast(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.public_selection(pk)
    voter = _voter(request)
    try:
        if voter is None:
            raise InvalidInput(_("Prove your phone with a code first."), field="phone")
        candidate = selectors.public_candidate(
            found, parse_id(request.POST.get("nomination"), "nomination")
        )
        services.cast_vote(
            selection=found,
            nomination=candidate,
            voter=voter,
            ip=limits.client_ip(request),
            device=_device(request),
        )
    except Http404:
        messages.error(request, _("Choose one of the candidates."))
        return _back(found.pk, "#categories")
    except CivicgridError as error:
        messages.error(request, error.message)
        anchor = "#voter" if voter is None else "#categories"
        return _back(found.pk, anchor)
    messages.success(
        request, _("Thank you: your vote for %(name)s is counted.") % {"name": candidate.name}
    )
    return _back(found.pk, f"#category-{candidate.category_id}")


@limited("read", methods=["GET"])
@limited("nominate", phone_field="phone")
@require_http_methods(["GET", "POST"])
def vote_nominate(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident nominates someone, proving their phone with a code."""
    found = selectors.public_selection(pk)
    if not services.takes_nominations(found):
        # Before the form, and before a POST spends the resident's code and their day's tries.
        messages.error(request, _("This selection is not taking nominations now."))
        return _back(found.pk)
    if request.method == "POST":
        try:
            category = found.categories.filter(
                pk=parse_id(request.POST.get("category"), "category")
            ).first()
            if category is None:
                raise InvalidInput(_("Choose one of the selection's categories."), field="category")
            messaging.check_code(
                phone=request.POST.get("phone", ""),
                purpose=CodePurpose.NOMINATE,
                code=request.POST.get("code", ""),
            )
            services.nominate(
                actor=None,
                selection=found,
                category=category,
                name=request.POST.get("name", ""),
                story=request.POST.get("story", ""),
                nominator=request.POST.get("nominator", ""),
                phone=request.POST.get("phone", ""),
                photos=request.FILES.getlist("photos"),
            )
        except CivicgridError as error:
            messages.error(request, error.message)
            context = {"selection": found, "form": kept_form(request.POST), "staff": False}
            return render(request, "selections/nominate.html", context, status=400)
        messages.success(request, _("Thank you: your nomination will be reviewed before the vote."))
        return _back(found.pk)
    context = {
        "selection": found,
        "form": take_kept_form(request),
        "staff": False,
        "code_purpose": CodePurpose.NOMINATE,
    }
    return render(request, "selections/nominate.html", context)


@limited("read", methods=["GET"])
@require_GET
def vote_photo(request: HttpRequest, pk: int) -> FileResponse:
    return serve_photo(selectors.public_photo(pk).image)
