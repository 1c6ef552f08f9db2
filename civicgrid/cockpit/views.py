"""The overview of a unit (一屏观全域, issue 19): every module's figures for a period, the units
below it to drill into, and the trend. Thin: the selectors decide what the user may open."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicgrid.cockpit import figures, selectors
from civicgrid.cockpit.figures import PERIOD_KINDS, Period
from civicgrid.core.errors import InvalidInput


def _period(request: HttpRequest) -> Period:
    """The period asked for; a bad value shown as a message and this month used instead."""
    try:
        return selectors.parse_period(request.GET.get("period"))
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return selectors.default_period()


@login_required
@require_GET
def overview_home(request: HttpRequest) -> HttpResponse:
    """/overview/: the overview of the user's own top unit (404 for a user who may see none)."""
    unit = selectors.overview_home(request.user)
    if not request.GET.get("period"):
        return redirect("cockpit:overview", unit.code)
    return redirect(selectors.overview_url(unit, _period(request)))


@login_required
@require_GET
def overview(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = selectors.overview_unit(user, code)
    period = _period(request)
    found = selectors.for_viewer(user, figures.overview(unit, period))
    # This year so far beside a month or a quarter (the default is this month and this year).
    year = Period.containing("year", period.first)
    year_values = (
        figures.section_values(unit, year, periodic_only=True) if period.kind != "year" else {}
    )
    sort, descending = selectors.parse_sort(request.GET.get("sort"))
    rows = selectors.sort_rows(
        selectors.overview_below(selectors.units_below(user, unit), period),
        sort,
        descending=descending,
    )
    trend = selectors.trend(unit, period)
    context = {
        "unit": unit,
        "period": period,
        "year": year if year_values else None,
        "year_values": year_values,
        "overview": found,
        "ancestors": selectors.ancestors(user, unit),
        "rows": rows,
        "columns": selectors.COLUMNS,
        "sort": sort,
        "descending": descending,
        "choices": selectors.period_choices(period),
        "kinds": PERIOD_KINDS,
        "previous_url": selectors.overview_url(unit, period.previous()),
        "next_url": selectors.overview_url(unit, period.next()),
        "trend": trend,
        "trend_labels": {key: str(label) for key, label in selectors.TREND_SERIES},
        "page_title": _("Overview"),
    }
    return render(request, "cockpit/overview.html", context)
