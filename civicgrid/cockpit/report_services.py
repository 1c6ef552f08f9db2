"""Writes of the monthly and quarterly reports: asking for one now (staff), the monthly
schedule (the first working day of each month), and generating one (the task's work): its
figures from figures.overview(), its xlsx and PDF into private storage, then the unit's staff
told in their inbox and the report mailed where REPORT_MAIL_TO names an address for the unit."""

import datetime as dt
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cockpit import report_pdf, report_selectors, report_xlsx
from civicgrid.cockpit.figures import Period
from civicgrid.cockpit.models_reports import Report
from civicgrid.core import jobs
from civicgrid.core.errors import InvalidInput, NotAllowed
from civicgrid.core.types import Actor, user_of
from civicgrid.events.workdays import is_workday
from civicgrid.org.models import OrgUnit, Posting

log = logging.getLogger(__name__)

KINDS = ("month", "quarter")


def _check_period(period: Period, today: dt.date) -> None:
    if period.kind not in KINDS:
        raise InvalidInput(_("A report covers a month or a quarter."), field="period")
    if period.first > today:
        raise InvalidInput(_("That period has not begun yet."), field="period")


def _queue(report: Report) -> None:
    """Generate the report in the background once the caller's transaction commits; a queue
    that cannot be reached marks it failed (never left queued for ever)."""
    from civicgrid.cockpit.tasks import generate_report

    def failed(exc: Exception) -> None:
        Report.objects.filter(pk=report.pk).update(
            state=Report.State.FAILED, error=str(_("The task queue could not be reached."))
        )

    jobs.enqueue_on_commit(generate_report, report.pk, failed=failed)


@transaction.atomic
def request_report(*, actor: Actor, unit: OrgUnit, period: Period) -> Report:
    """Generate `unit`'s report for `period` (a month or a quarter that has begun) now, in the
    background; a report of that period that exists is generated again. Only the staff of the
    unit or above (report_selectors.may_generate); NotAllowed otherwise, InvalidInput for a
    bad period."""
    if not report_selectors.may_generate(actor, unit):
        raise NotAllowed(_("Only the unit's staff may generate its reports."))
    _check_period(period, timezone.localdate())
    asker = user_of(actor)
    report, _created = Report.objects.select_for_update().get_or_create(
        unit=unit,
        kind=period.kind,
        first=period.first,
        defaults={"state": Report.State.QUEUED, "requested_by": asker},
    )
    if not _created:
        report.state, report.requested_by, report.error = Report.State.QUEUED, asker, ""
        report.save(update_fields=["state", "requested_by", "error"])
    _queue(report)
    return report


# ---- the schedule -------------------------------------------------------------------------------


def first_working_day(year: int, month: int) -> dt.date:
    """The first working day of the month on the official calendar (events.workdays)."""
    day = dt.date(year, month, 1)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def due_periods(today: dt.date) -> list[Period]:
    """The periods whose reports are due today: none but on the first working day of a month;
    then the last month, and in January, April, July and October the last quarter too."""
    if today != first_working_day(today.year, today.month):
        return []
    due = [Period.containing("month", today).previous()]
    if today.month in (1, 4, 7, 10):
        due.append(Period.containing("quarter", today).previous())
    return due


@transaction.atomic
def schedule_reports(today: dt.date | None = None) -> int:
    """On the first working day of a month, queue the due reports of every active unit of
    REPORT_UNIT_KINDS (each once: a report that exists is left as it is). Returns how many."""
    today = today or timezone.localdate()
    periods = due_periods(today)
    if not periods:
        return 0
    units = list(OrgUnit.objects.filter(active=True, kind__in=settings.REPORT_UNIT_KINDS))
    queued = 0
    for period in periods:
        have = set(
            Report.objects.filter(kind=period.kind, first=period.first).values_list(
                "unit_id", flat=True
            )
        )
        for unit in units:
            if unit.pk in have:
                continue
            report = Report.objects.create(
                unit=unit, kind=period.kind, first=period.first, state=Report.State.QUEUED
            )
            _queue(report)
            queued += 1
    return queued


# ---- generating ---------------------------------------------------------------------------------


def generate(report_id: int) -> bool:
    """The task's work: the report's figures and files, written in one transaction with the
    row locked (two runs of one report write it once after the other, never mixed). A failure
    is kept on the row (state "failed") and logged. Returns whether it was generated."""
    try:
        with transaction.atomic():
            report = (
                Report.objects.select_for_update()
                .select_related("unit")
                .filter(pk=report_id)
                .first()
            )
            if report is None:
                return False
            _write(report)
            _tell(report)
    except Exception as exc:
        log.exception("report %s could not be generated", report_id)
        Report.objects.filter(pk=report_id).update(state=Report.State.FAILED, error=str(exc)[:500])
        return False
    return True


def _write(report: Report) -> None:
    period = Period(report.kind, report.first)
    found = report_selectors.content(report.unit, period)
    stem = f"cockpit/reports/{report.unit_code}/{period.value}"
    old = [f.name for f in (report.xlsx, report.pdf) if f]
    report.xlsx.save(f"{stem}.xlsx", ContentFile(report_xlsx.workbook(found)), save=False)
    report.pdf.save(f"{stem}.pdf", ContentFile(report_pdf.pdf(found)), save=False)
    report.figures = found.values()
    report.phrases = [p.sentence for p in found.highlights()]
    report.state, report.error = Report.State.DONE, ""
    report.generated_at = timezone.now()
    report.save()
    # The files of an earlier run go once this one is committed (a new run's names differ:
    # the storage never overwrites).
    gone = [name for name in old if name not in (report.xlsx.name, report.pdf.name)]
    storage = report.pdf.storage

    def delete() -> None:
        for name in gone:
            storage.delete(name)

    if gone:
        transaction.on_commit(delete)


def _tell(report: Report) -> None:
    """The unit's readers posted at the unit itself (and whoever asked) told in their inbox; the
    report mailed, once, to the addresses REPORT_MAIL_TO names for the unit."""
    from civicgrid.messaging import services as messaging
    from civicgrid.messaging.models import Channel, Purpose

    period = Period(report.kind, report.first)
    title = report_selectors.title_of(report.unit, period)
    link = reverse("cockpit:report_list", args=[report.unit_code])
    readers = Posting.objects.filter(
        unit=report.unit, active=True, role__in=report_selectors.READERS
    ).values_list("user_id", flat=True)
    messaging.notify(
        users=[*readers, report.requested_by_id],
        text=_("The report %(title)s is ready.") % {"title": title},
        link=link,
    )
    addresses = [to for code, to in settings.REPORT_MAIL_TO if code == report.unit_code]
    if not addresses or report.mailed_at is not None:
        return
    text = "\n".join(
        [
            title,
            "",
            *[f"{line}。" for line in report.phrases],
            "",
            settings.SITE_URL.rstrip("/") + link,
        ]
    )
    for address in addresses:
        messaging.send(
            channel=Channel.EMAIL, to=address, text=text, subject=title, purpose=Purpose.SERVICE
        )
    report.mailed_at = timezone.now()
    report.save(update_fields=["mailed_at"])
