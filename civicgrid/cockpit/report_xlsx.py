"""A report as .xlsx: a summary sheet (the report's sentences), then one sheet per module with
each figure's value in the period, the previous period, the change, the same period last year,
its target and its sentence. Numbers are numbers (a reader sums them); texts that look like
formulas stay texts (people.ledgers.sheet_cell)."""

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from civicgrid.cockpit.report_selectors import Content
from civicgrid.people.ledgers import sheet_cell

# Characters a sheet's title may not hold.
_BAD_TITLE = str.maketrans({c: " " for c in "[]:*?/\\"})


def _title(text: str, used: set[str]) -> str:
    base = text.translate(_BAD_TITLE).strip()[:28] or "sheet"
    title, number = base, 2
    while title in used:
        title, number = f"{base} {number}", number + 1
    used.add(title)
    return title


def _bold(sheet, values: list) -> list:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, str(value))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def workbook(report: Content) -> bytes:
    book = Workbook(write_only=True)
    used: set[str] = set()
    summary = book.create_sheet(_title(pgettext("report", "Summary"), used))
    summary.append(_bold(summary, [report.title]))
    summary.append([sheet_cell(summary, f"{report.period.first} — {report.period.last}")])
    summary.append([])
    for line in report.highlights():
        summary.append([sheet_cell(summary, line.sentence)])
    headers = [
        pgettext("report", "Figure"),
        pgettext("report", "This period"),
        pgettext("report", "Previous period"),
        pgettext("report", "Change"),
        pgettext("report", "Same period last year"),
        pgettext("report", "Measure"),
        pgettext("report", "Target"),
        pgettext("report", "Statement"),
    ]
    for part in report.parts:
        sheet = book.create_sheet(_title(part.title, used))
        sheet.append(_bold(sheet, [f"{report.unit.name} · {report.period.label} · {part.title}"]))
        sheet.append(_bold(sheet, headers))
        for row in part.rows:
            figure = row.figure
            sheet.append(
                [
                    sheet_cell(sheet, figure.label),
                    figure.value,
                    figure.previous,
                    figure.change,
                    figure.last_year,
                    sheet_cell(sheet, figure.measure),
                    figure.target,
                    sheet_cell(sheet, row.phrase.sentence),
                ]
            )
    if report.trend:
        sheet = book.create_sheet(_title(pgettext("report", "Events by month"), used))
        sheet.append(_bold(sheet, [_("Month"), _("Reported"), _("Closed"), _("Closure rate")]))
        for month in report.trend:
            sheet.append([month["period"], month["reported"], month["closed"], month["closure"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
