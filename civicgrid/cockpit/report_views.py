"""The unit's reports page (/overview/<code>/reports/): the reports of the unit, a button for
staff to generate one now, and the files. Thin: parse, call a selector or a service, render."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.cockpit import report_selectors, report_services
from civicgrid.cockpit import selectors as overview_selectors
from civicgrid.cockpit.figures import Period
from civicgrid.core.errors import InvalidInput
from civicgrid.core.views import posted
from civicgrid.org.models import OrgUnit

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _unit(request: HttpRequest, code: str) -> OrgUnit:
    """The unit if the user may see its overview, hence its reports; 404 otherwise, exactly
    like a missing unit (cockpit.selectors.overview_unit)."""
    return overview_selectors.overview_unit(request.user, code)


@login_required
@require_GET
def report_list(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = _unit(request, code)
    may_generate = report_selectors.may_generate(user, unit)
    context = {
        "unit": unit,
        "ancestors": overview_selectors.ancestors(user, unit),
        "reports": list(report_selectors.reports_for(user, unit).select_related("requested_by")),
        "may_generate": may_generate,
        "periods": report_selectors.periods_offered() if may_generate else [],
        "default_period": report_selectors.last_finished_period("month").value,
        "scheduled": report_selectors.reported_on(unit),
    }
    return render(request, "cockpit/reports.html", context)


@login_required
@require_POST
def report_generate(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code)

    def call() -> None:
        try:
            period = Period.parse(request.POST.get("period", ""))
        except ValueError:
            raise InvalidInput(
                _("Choose a month (2026-11) or a quarter (2026-Q4)."), field="period"
            ) from None
        report_services.request_report(actor=request.user, unit=unit, period=period)

    success = _("The report is being generated; it is listed here when it is ready.")
    return posted(request, call, success, "cockpit:report_list", code=unit.code)


@login_required
@require_GET
def report_file(request: HttpRequest, code: str, pk: int, fmt: str) -> FileResponse:
    unit = _unit(request, code)
    report = report_selectors.report_for(request.user, unit, pk)
    file = report.pdf if fmt == "pdf" else report.xlsx
    if not file:
        raise Http404
    period = Period(report.kind, report.first)
    name = f"{report_selectors.title_of(unit, period)}.{fmt}"
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, content_type=CONTENT_TYPES[fmt], as_attachment=fmt == "xlsx", filename=name
    )
