"""The assessment's 查 and 听 pages: the plan's sample and draw log, a drawn grid's spot checks,
the cross-boundary reviews, the inspection form on a phone and the inspections per worker.
Thin views: parse, call a service (assessment/checks.py) or a selector (check_selectors.py),
render. A refused write shows its message on the page, never a 500."""

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.assessment import check_selectors as selectors
from civicgrid.assessment import checks
from civicgrid.assessment.models import Aspect, Draw, DrawKind, PlanStatus, Quality
from civicgrid.core.errors import CivicgridError, InvalidInput
from civicgrid.core.forms import parse_id, parse_int
from civicgrid.core.photos import serve as serve_photo
from civicgrid.core.views import posted

# The default sizes offered: the source's 3 of 21 communities; a few grids; a dozen rows.
DEFAULT_COUNTS = {DrawKind.COMMUNITIES: 3, DrawKind.GRIDS: 6, DrawKind.LEDGER: 10}


def _count(request: HttpRequest) -> int:
    count = parse_int(request.POST.get("count"), "count")
    if count < 1:
        raise InvalidInput(_("Draw at least one."), field="count")
    return count


# ---- 查: the sample and the draw log ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's 查 page: the draw forms (assessors), the draw log and the sample in force
    with each grid's completeness and four rates."""
    user = request.user
    plan = selectors.plan_for(user, pk)
    if request.method == "POST":
        kind = request.POST.get("kind", "")

        def draw() -> None:
            services: dict[str, Callable[..., Draw]] = {
                DrawKind.COMMUNITIES.value: checks.draw_communities,
                DrawKind.GRIDS.value: checks.draw_grids,
            }
            service = services.get(kind)
            if service is None:
                raise InvalidInput(_("Choose what to draw."), field="kind")
            service(
                actor=user,
                plan=plan,
                count=_count(request),
                seed=request.POST.get("seed", ""),
                reason=request.POST.get("reason", ""),
            )

        return posted(request, draw, _("Drawn and logged."), "assessment:check", pk=plan.pk)
    draws = selectors.draws_of(plan)
    sample = selectors.sample_of(plan)
    # The example of the re-draw recipe: the newest draw of units (a ledger draw's population
    # is long; its grid's page lists it).
    example = next((d for d in reversed(draws) if d.kind != DrawKind.LEDGER), None)
    context = {
        "plan": plan,
        "sample": sample,
        "draws": draws,
        "last_draw": example,
        "last_draw_population": json.dumps(example.population) if example else "",
        "may_assess": selectors.may_assess(user, plan),
        "running": plan.status == PlanStatus.RUNNING,
        "population": len(checks.communities_of(plan)),
        "grid_population": (
            len(checks.grids_of(sample.communities.result)) if sample.communities else 0
        ),
        "defaults": DEFAULT_COUNTS,
    }
    return render(request, "assessment/check_plan.html", context)


# ---- 查: a drawn grid's spot checks -------------------------------------------------------------


def _marks(request: HttpRequest, spot_check: Any) -> list[checks.Mark]:
    marks = []
    for item in spot_check.items.all():
        answer = request.POST.get(f"correct-{item.pk}", "")
        if answer not in ("", "right", "wrong"):
            raise InvalidInput(_("Mark each row right or wrong."), field=f"correct-{item.pk}")
        correct = {"right": True, "wrong": False}.get(answer)
        marks.append(checks.Mark(item.pk, correct, request.POST.get(f"remark-{item.pk}", "")))
    return marks


@login_required
@require_http_methods(["GET", "POST"])
def check_grid(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """A drawn grid on a phone: draw its ledger rows, then mark each row right or wrong."""
    user = request.user
    plan = selectors.plan_for(user, pk)
    grid = selectors.sampled_grid_for(plan, code)
    if request.method == "POST":
        if request.POST.get("action") == "mark":
            found = selectors.spot_check_for(
                user, plan, parse_id(request.POST.get("spot_check"), "spot_check")
            )

            def mark() -> None:
                checks.mark_spot_check(
                    actor=user,
                    spot_check=found,
                    marks=_marks(request, found),
                    remarks=request.POST.get("remarks", ""),
                )

            return posted(
                request, mark, _("Spot check saved."), "assessment:check_grid", pk=pk, code=code
            )

        def draw() -> None:
            checks.draw_ledger(
                actor=user,
                plan=plan,
                grid=grid,
                count=_count(request),
                seed=request.POST.get("seed", ""),
                reason=request.POST.get("reason", ""),
            )

        return posted(
            request, draw, _("Rows drawn and logged."), "assessment:check_grid", pk=pk, code=code
        )
    spot_checks = selectors.spot_checks_of(plan, grid)
    context = {
        "plan": plan,
        "grid": grid,
        "current": spot_checks[0] if spot_checks else None,
        "earlier": spot_checks[1:],
        "may_assess": selectors.may_assess(user, plan),
        "running": plan.status == PlanStatus.RUNNING,
        "default_count": DEFAULT_COUNTS[DrawKind.LEDGER],
        "population": len(checks.ledger_population(grid)),
    }
    return render(request, "assessment/check_grid.html", context)


# ---- 查: cross-boundary reviews ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def check_cross(request: HttpRequest, pk: int) -> HttpResponse:
    """The cross-boundary (三跨) reports of the drawn grids' workers, each marked for quality."""
    user = request.user
    plan = selectors.plan_for(user, pk)
    if request.method == "POST":
        event = selectors.cross_event_for(plan, parse_id(request.POST.get("event"), "event"))

        def review() -> None:
            checks.review_cross_boundary(
                actor=user,
                plan=plan,
                event=event,
                quality=request.POST.get("quality", ""),
                remark=request.POST.get("remark", ""),
            )

        return posted(request, review, _("Review saved."), "assessment:check_cross", pk=pk)
    context = {
        "plan": plan,
        "lines": selectors.cross_lines(plan),
        "qualities": Quality.choices,
        "may_assess": selectors.may_assess(user, plan),
        "running": plan.status == PlanStatus.RUNNING,
        "points": checks.QUALITY_POINTS,
    }
    return render(request, "assessment/check_cross.html", context)


# ---- 听: inspections ------------------------------------------------------------------------


@login_required
@require_GET
def inspections(request: HttpRequest, pk: int) -> HttpResponse:
    """Every worker of the plan with their inspections and the mean score."""
    user = request.user
    plan = selectors.plan_for(user, pk)
    context = {
        "plan": plan,
        "rows": selectors.inspections_by_worker(plan),
        "may_assess": selectors.may_assess(user, plan),
        "running": plan.status == PlanStatus.RUNNING,
    }
    return render(request, "assessment/inspection_list.html", context)


def _inspected_at(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(_("Enter a date and time."), field="inspected_at") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The inspection form on a phone: the worker, the place, the four aspects scored 0–25
    with a remark each, overall remarks and photos."""
    user = request.user
    plan = selectors.plan_for(user, pk)
    workers = selectors.plan_workers(plan)
    error = None
    if request.method == "POST":
        post = request.POST
        try:
            planned = selectors.plan_worker_for(
                plan, parse_id(post.get("plan_worker"), "plan_worker")
            )
            checks.record_inspection(
                actor=user,
                plan=plan,
                plan_worker=planned,
                aspects={
                    aspect: (post.get(f"score-{aspect}", ""), post.get(f"remark-{aspect}", ""))
                    for aspect in Aspect.values
                },
                place=post.get("place", ""),
                remarks=post.get("remarks", ""),
                photos=request.FILES.getlist("photos"),
                at=_inspected_at(post.get("inspected_at")),
            )
        except CivicgridError as exc:
            error = exc
        else:
            messages.success(request, _("Inspection recorded."))
            return redirect("assessment:inspections", pk=plan.pk)
    context = {
        "plan": plan,
        "workers": workers,
        "aspects": [
            (
                value,
                label,
                request.POST.get(f"score-{value}", ""),
                request.POST.get(f"remark-{value}", ""),
            )
            for value, label in Aspect.choices
        ],
        "error": error,
        "form": request.POST,
        "chosen": request.POST.get("plan_worker") or request.GET.get("worker", ""),
        "may_assess": selectors.may_assess(user, plan),
        "running": plan.status == PlanStatus.RUNNING,
        "default_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    return render(
        request, "assessment/inspection_form.html", context, status=error.status if error else 200
    )


@login_required
@require_GET
def inspection_photo(request: HttpRequest, pk: int) -> FileResponse:
    """An inspection photo from private storage, for those who see its plan only."""
    return serve_photo(selectors.photo_for(request.user, pk).image)
