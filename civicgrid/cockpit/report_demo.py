"""The demo's reports: last month's report of the district and of each of its streets, so the
reports page of the demo logins (district, street, leader) opens on a real one (core.demo;
registered in apps.py, after every part that adds figures)."""

from django.db import transaction

from civicgrid.cockpit import report_selectors, report_services
from civicgrid.cockpit.models_reports import Report
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit


def demo_part(district: str, *, progress: bool) -> str:
    if Report.objects.filter(unit_code__under=district).exists():
        return ""
    period = report_selectors.last_finished_period("month")
    units = list(
        OrgUnit.objects.filter(code__under=district, kind__in=[Kind.DISTRICT, Kind.STREET])
        .filter(active=True)
        .order_by("code")
    )
    made = 0
    for unit in units:
        with transaction.atomic():
            report = Report.objects.create(
                unit=unit, kind=period.kind, first=period.first, state=Report.State.QUEUED
            )
        made += report_services.generate(report.pk)
    return f"{made} demo reports of {period.label} written."
