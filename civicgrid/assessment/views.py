"""Assessment pages (/assessment/): the plans a user sees, a plan's setup (indicators and
weights), its page (status, the steps the engine allows, the workers in scope, the results
table per community), the assessors' entries and appeals, the xlsx export, a worker's own
"my assessment" page with the appeal form, and the public honour list with its story pages.
Thin views: parse, call a service or a selector, render; a refused step is a message."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.assessment import export as xlsx
from civicgrid.assessment import scoring, selectors, services
from civicgrid.assessment.models import (
    AppealStatus,
    Honour,
    Part,
    PlanAction,
    PlanStatus,
    PlanWorker,
    Source,
)
from civicgrid.assessment.roles import ASSESSOR_ROLES
from civicgrid.assessment.workflow import PLANS
from civicgrid.core import photos as core_photos
from civicgrid.core.errors import CivicgridError, InvalidInput
from civicgrid.core.forms import parse_id, parse_int, parse_optional_id, parse_year
from civicgrid.core.views import limited, posted
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import postings_of_user, sees_everything

PAGE_SIZE = 50
BLANK_ROWS = 3
STEP_CALLS = {
    PlanAction.OPEN: services.open_plan,
    PlanAction.SCORE: services.score_plan,
    PlanAction.RESCORE: services.rescore_plan,
    PlanAction.PUBLISH: services.publish_plan,
}


def _assessor_units(user: Any) -> list[OrgUnit]:
    """The streets and districts the user may plan an assessment for."""
    units = OrgUnit.objects.filter(kind__in=[Kind.STREET, Kind.DISTRICT], active=True)
    if not sees_everything(user):
        codes = [code for code, role in postings_of_user(user) if role in ASSESSOR_ROLES]
        if not codes:
            return []
        condition = Q(pk__in=[])
        for code in codes:
            condition |= Q(code__under=code)
        units = units.filter(condition)
    return list(units.order_by("code")[:500])


# ---- the plans -------------------------------------------------------------------------------


@login_required
@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    user = request.user
    rows = selectors.plan_counts(selectors.plans_for(user)).order_by("-year", "unit_code", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "plans": page.object_list,
        "may_create": bool(_assessor_units(user)),
        "has_lines": selectors.my_lines(user).exists(),
    }
    return render(request, "assessment/plan_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new_plan(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = _assessor_units(user)
    if not units:
        raise Http404
    error = None
    if request.method == "POST":
        post = request.POST
        try:
            unit_id = parse_id(post.get("unit"), "unit")
            unit = next((u for u in units if u.pk == unit_id), None)
            if unit is None:
                raise InvalidInput(_("Choose one of your streets or districts."), field="unit")
            created = services.create_plan(
                actor=user,
                unit=unit,
                year=parse_year(post.get("year"), "year", timezone.localdate().year),
                title=post.get("title", ""),
                appeal_days=parse_int(post.get("appeal_days"), "appeal_days", 5),
            )
        except CivicgridError as exc:
            error = exc
        else:
            messages.success(request, _("Plan created: now set its indicators and weights."))
            return redirect("assessment:edit_plan", pk=created.pk)
    context = {
        "units": units,
        "error": error,
        "posted": request.POST,
        "year": timezone.localdate().year,
    }
    return render(
        request, "assessment/plan_new.html", context, status=error.status if error else 200
    )


def _indicator_rows(post: Any) -> list[services.IndicatorData]:
    """The indicators table of the edit form: rows `ind-N-…`, blank rows skipped, rows with
    `ind-N-delete` dropped."""
    count = min(parse_int(post.get("rows"), "rows", 0), services.MOST_INDICATORS + BLANK_ROWS)
    rows = []
    for index in range(count):
        prefix = f"ind-{index}-"
        name = post.get(prefix + "name", "").strip()
        weight = post.get(prefix + "weight", "").strip()
        if post.get(prefix + "delete") or (not name and not weight):
            continue
        rows.append(
            services.IndicatorData(
                part=post.get(prefix + "part", ""),
                name=name,
                weight=weight or "0",
                source=post.get(prefix + "source", ""),
                id=parse_optional_id(post.get(prefix + "id"), prefix + "id"),
            )
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def edit_plan(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.plan_for(user, pk)
    if not selectors.is_assessor(user, found):
        raise Http404
    if found.status != PlanStatus.DRAFT:
        messages.info(request, _("The plan has started: its indicators can no longer be changed."))
        return redirect("assessment:plan", pk=found.pk)
    error = None
    if request.method == "POST":
        post = request.POST
        try:
            with transaction.atomic():
                services.update_plan(
                    actor=user,
                    plan=found,
                    title=post.get("title", ""),
                    appeal_days=parse_int(post.get("appeal_days"), "appeal_days", 5),
                )
                services.save_indicators(actor=user, plan=found, rows=_indicator_rows(post))
        except CivicgridError as exc:
            error = exc
        else:
            total = services.weight_total(found)
            if total == 100:
                messages.success(request, _("Saved. The weights add up to 100."))
            else:
                messages.warning(
                    request,
                    _(
                        "Saved. The weights add up to %(total)s: they must add up to 100 "
                        "before the assessment starts."
                    )
                    % {"total": scoring.plain(total)},
                )
            return redirect("assessment:edit_plan", pk=found.pk)
        found.refresh_from_db()
    indicators = selectors.indicators_of(found)
    rows: list[dict[str, Any]] = [
        {"id": i.pk, "part": i.part, "name": i.name, "weight": i.weight, "source": i.source}
        for i in indicators
    ]
    rows += [
        {"id": "", "part": "", "name": "", "weight": "", "source": ""} for _ in range(BLANK_ROWS)
    ]
    context = {
        "plan": found,
        "rows": rows,
        "row_count": len(rows),
        "parts": Part.choices,
        "sources": Source.choices,
        "total": sum((i.weight for i in indicators), Decimal(0)),
        "error": error,
    }
    return render(
        request, "assessment/plan_edit.html", context, status=error.status if error else 200
    )


# ---- a plan's page ---------------------------------------------------------------------------


def _community(request: HttpRequest, communities: list[tuple[str, str]]) -> str:
    code = request.GET.get("community", "")
    return code if code in {c for c, _name in communities} else ""


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan page; a POST takes the step named in `action` (open, score, rescore, publish)."""
    user = request.user
    found = selectors.plan_for(user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        call = STEP_CALLS.get(action)  # type: ignore[call-overload]
        if call is None:
            raise Http404
        value = request.POST.get("version")
        version = parse_int(value, "version") if value else None
        return posted(
            request,
            lambda: call(actor=user, plan=found, version=version),
            _("Done: %(action)s.") % {"action": PlanAction(action).label},
            "assessment:plan",
            pk=found.pk,
        )
    indicators = selectors.indicators_of(found)
    communities = selectors.communities_of(found)
    community = _community(request, communities)
    rows = selectors.results(user, found, indicators, community=community)
    assessor = selectors.is_assessor(user, found)
    context = {
        "plan": found,
        "indicators": indicators,
        "entered": [i for i in indicators if i.source == Source.ENTERED],
        "total": sum((i.weight for i in indicators), Decimal(0)),
        "parts": selectors.parts_present(indicators),
        "rows": rows,
        "communities": communities,
        "community": community,
        "actions": [(a, PlanAction(a).label) for a in PLANS.allowed(user, found)],
        "assessor": assessor,
        "all_lines": selectors.sees_all_lines(user, found),
        "worker_count": found.workers.count(),
        "filed": selectors.filed_count(found) if assessor else 0,
        "steps": found.steps.select_related("actor").order_by("at", "id"),
        "scored": found.status in (PlanStatus.SCORING, PlanStatus.PUBLISHED),
        "stale": assessor
        and found.status == PlanStatus.SCORING
        and services.stale_since_scored(found),
        "now": timezone.now(),
    }
    return render(request, "assessment/plan_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def entries(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    """An assessor's values of one entered indicator, for every worker of the plan."""
    user = request.user
    found = selectors.plan_for(user, pk)
    if not selectors.is_assessor(user, found):
        raise Http404
    chosen = found.indicators.filter(pk=indicator, source=Source.ENTERED).first()
    if chosen is None:
        raise Http404
    lines = list(
        PlanWorker.objects.filter(plan=found)
        .select_related("worker", "community")
        .order_by("community_code", "worker__full_name", "pk")
    )
    if request.method == "POST":
        post = request.POST
        rows = []
        for line in lines:
            raw = post.get(f"value-{line.pk}", "").strip()
            if raw:
                rows.append(services.EntryData(line, raw, post.get(f"note-{line.pk}", "")))
        return posted(
            request,
            lambda: services.save_entries(actor=user, indicator=chosen, rows=rows),
            _("Values saved."),
            "assessment:entries",
            pk=found.pk,
            indicator=chosen.pk,
        )
    saved = selectors.entries_of(chosen)
    context = {
        "plan": found,
        "indicator": chosen,
        "rows": [(line, saved.get(line.pk)) for line in lines],
        "editable": found.status in services.OPEN,
    }
    return render(request, "assessment/plan_entries.html", context)


@login_required
@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.plan_for(user, pk)
    if not selectors.sees_all_lines(user, found) and not selectors.is_assessor(user, found):
        raise Http404
    indicators = selectors.indicators_of(found)
    rows = selectors.results(user, found, indicators)
    response = HttpResponse(
        xlsx.results_workbook(found, indicators, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="assessment-{found.unit_code}-{found.year}.xlsx"'
    )
    return response


# ---- appeals ---------------------------------------------------------------------------------


@login_required
@require_GET
def appeals(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's appeals, those waiting first, each with the answer form for an assessor."""
    user = request.user
    found = selectors.plan_for(user, pk)
    if not selectors.is_assessor(user, found):
        raise Http404
    status = request.GET.get("status", "")
    status = status if status in AppealStatus.values else ""
    rows = list(selectors.appeals_for(user, found, status=status))
    context = {
        "plan": found,
        "appeals": rows,
        "status": status,
        "statuses": AppealStatus.choices,
        "may_answer": found.status == PlanStatus.SCORING,
    }
    return render(request, "assessment/plan_appeals.html", context)


@login_required
@require_POST
def answer_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    appeal = selectors.appeal_for(user, pk)
    if not selectors.is_assessor(user, appeal.plan_worker.plan):
        raise Http404
    post = request.POST
    decision = post.get("decision", "")
    if decision not in {"uphold", "dismiss"}:
        raise InvalidInput(_("Uphold or dismiss the appeal."), field="decision")
    value = post.get("version")
    version = parse_int(value, "version") if value else None
    return posted(
        request,
        lambda: services.answer_appeal(
            actor=user,
            appeal=appeal,
            uphold=decision == "uphold",
            answer=post.get("answer", ""),
            version=version,
        ),
        _("Appeal answered."),
        "assessment:appeals",
        pk=appeal.plan_worker.plan_id,
    )


# ---- a worker's own page ---------------------------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """My assessment: each plan I am assessed in, my score, parts and ranks once announced,
    my appeals and the form to appeal while the time runs."""
    user = request.user
    now = timezone.now()
    lines = []
    for line in selectors.my_lines(user):
        indicators = list(line.plan.indicators.all())
        weights = scoring.weights_of(indicators)
        values = scoring.details_values(line.details)
        lines.append(
            {
                "line": line,
                "plan": line.plan,
                "indicators": [(i, values.get(i.pk)) for i in indicators],
                "parts": [
                    (label, part_value)
                    for value, label in Part.choices
                    if (part_value := scoring.parts_of(weights, values).get(value)) is not None
                ],
                "scored": line.plan.status in (PlanStatus.SCORING, PlanStatus.PUBLISHED),
                "may_appeal": services.appeals_open(line.plan, now),
                "appeals": list(line.appeals.all()),
                "appealed": {a.indicator_id for a in line.appeals.all()},
            }
        )
    return render(request, "assessment/plan_mine.html", {"lines": lines, "now": now})


@login_required
@require_POST
def file_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    line = PlanWorker.objects.filter(pk=pk, worker_id=user.pk).select_related("plan").first()
    if line is None:
        raise Http404
    indicator_id = parse_optional_id(request.POST.get("indicator"), "indicator")
    indicator = None
    if indicator_id is not None:
        indicator = line.plan.indicators.filter(pk=indicator_id).first()
        if indicator is None:
            raise InvalidInput(_("That indicator is not part of this plan."), field="indicator")
    return posted(
        request,
        lambda: services.file_appeal(
            actor=user, plan_worker=line, indicator=indicator, reason=request.POST.get("reason", "")
        ),
        _("Your appeal is filed; an assessor will answer it."),
        "assessment:mine",
    )


# ---- honours ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_honours(request: HttpRequest, pk: int) -> HttpResponse:
    """An assessor's honour list of a published plan: add a worker with their story, photos
    and a video link; remove one."""
    user = request.user
    found = selectors.plan_for(user, pk)
    if not selectors.is_assessor(user, found):
        raise Http404
    if request.method == "POST":
        post = request.POST
        if post.get("remove"):
            honour = Honour.objects.filter(
                plan=found, pk=parse_id(post.get("remove"), "remove")
            ).first()
            if honour is None:
                raise Http404
            return posted(
                request,
                lambda: services.remove_honour(actor=user, honour=honour),
                _("Removed from the honour list."),
                "assessment:plan_honours",
                pk=found.pk,
            )
        line = PlanWorker.objects.filter(
            plan=found, pk=parse_id(post.get("worker"), "worker")
        ).first()
        if line is None:
            raise InvalidInput(_("Choose a worker of this plan."), field="worker")
        return posted(
            request,
            lambda: services.add_honour(
                actor=user,
                plan_worker=line,
                data=services.HonourData(
                    title=post.get("title", ""),
                    story=post.get("story", ""),
                    video_url=post.get("video_url", ""),
                ),
                photos=request.FILES.getlist("photos"),
            ),
            _("Added to the honour list."),
            "assessment:plan_honours",
            pk=found.pk,
        )
    honoured = list(selectors.honours_of(found))
    taken = {h.plan_worker_id for h in honoured}
    candidates = [
        line
        for line in PlanWorker.objects.filter(plan=found)
        .select_related("worker", "community")
        .order_by("rank_in_plan", "pk")[:200]
        if line.pk not in taken
    ]
    context = {
        "plan": found,
        "honours": honoured,
        "candidates": candidates,
        "may_add": found.status == PlanStatus.PUBLISHED,
    }
    return render(request, "assessment/honour_manage.html", context)


@limited("read", methods=["GET"])
@require_GET
def honours(request: HttpRequest, code: str) -> HttpResponse:
    """荣誉榜: the published best workers of a unit (no login), on a phone."""
    unit = OrgUnit.objects.filter(code=code, active=True).select_related("parent").first()
    if unit is None:
        raise Http404
    rows = list(selectors.published_honours(unit.code)[:200])
    return render(request, "assessment/honour_list.html", {"unit": unit, "honours": rows})


@limited("read", methods=["GET"])
@require_GET
def story(request: HttpRequest, pk: int) -> HttpResponse:
    honour = selectors.published_honour(pk)
    return render(request, "assessment/honour_story.html", {"honour": honour})


@limited("read", methods=["GET"])
@require_GET
def honour_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    response = core_photos.serve(selectors.published_photo(pk).image)
    response["Cache-Control"] = "public, max-age=3600"
    return response
