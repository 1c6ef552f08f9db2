"""Per-worker figures pages (工作量): a worker's own page and a ranking per community or street.
Thin: the reads and the scoping are in `figures.py`."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicgrid.assessment import figures
from civicgrid.core.errors import InvalidInput


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """The months asked for; a bad value shown as a message and this year used instead."""
    try:
        return figures.period(request.GET.get("from", ""), request.GET.get("to", ""))
    except InvalidInput as exc:
        messages.error(request, exc.message)
        this_month = timezone.localdate().replace(day=1)
        return this_month.replace(month=1), this_month


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的工作量: a grid worker's own figures (404 for anyone who is not a grid worker)."""
    worker = figures.worker_for(request.user, request.user.pk or 0)
    url = redirect("assessment:figures_worker", pk=worker.pk).url
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


@login_required
@require_GET
def worker(request: HttpRequest, pk: int) -> HttpResponse:
    person = figures.worker_for(request.user, pk)
    first, last = _period(request)
    page = figures.worker_figures(request.user, person, first, last)
    context = {
        "page": page,
        "total": page.total,
        "first": first,
        "last": last,
        "own": person.pk == request.user.pk,
        # Links to the rankings the viewer may read of the worker's community.
        "communities": [
            grid.parent
            for grid in page.grids
            if grid.parent is not None and figures.may_read(request.user, grid.parent.code)
        ],
    }
    return render(request, "assessment/figures_worker.html", context)


@login_required
@require_GET
def ranking(request: HttpRequest, code: str) -> HttpResponse:
    unit = figures.ranking_unit_for(request.user, code)
    first, last = _period(request)
    sort = request.GET.get("sort") or figures.DEFAULT_SORT
    if sort not in figures.COLUMNS:
        messages.error(request, _("Choose a column to rank by."))
        sort = figures.DEFAULT_SORT
    rows = figures.ranking(request.user, unit, first, last, sort)
    context = {
        "unit": unit,
        "rows": rows,
        "first": first,
        "last": last,
        "sort": sort,
        "sort_label": figures.COLUMNS[sort],
        "columns": list(figures.COLUMNS.items()),
    }
    return render(request, "assessment/figures_ranking.html", context)


@login_required
@require_GET
def rankings(request: HttpRequest) -> HttpResponse:
    """The first ranking the viewer may read (their community's or street's), else 404."""
    units = figures.ranking_units(request.user)
    if not units:
        raise Http404
    return redirect("assessment:figures_ranking", code=units[0].code)
