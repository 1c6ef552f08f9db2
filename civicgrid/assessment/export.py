"""The results table of a plan as .xlsx: rank, worker, community, score, each part and each
indicator's value, the same rows as the page shows the user (selectors.results). Texts that
look like formulas stay texts (people.ledgers.sheet_cell)."""

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from civicgrid.assessment.models import Indicator, Part, Plan
from civicgrid.assessment.scoring import plain
from civicgrid.assessment.selectors import ResultRow
from civicgrid.people.ledgers import sheet_cell


def _number(value):
    return None if value is None else float(value)


def results_workbook(
    plan: Plan, indicators: Sequence[Indicator], rows: Sequence[ResultRow]
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(pgettext("assessment", "Results")[:31])
    title = sheet_cell(sheet, f"{plan.title} · {plan.get_status_display()}")
    sheet.append([title])
    used = [
        (value, str(label))
        for value, label in Part.choices
        if any(i.part == value for i in indicators)
    ]
    headers = [
        _("Rank in the plan"),
        _("Rank in the community"),
        _("Worker"),
        _("Community"),
        _("Grids"),
        _("Score"),
        *[label for _value, label in used],
        *[f"{i.name} ({plain(i.weight)}%)" for i in indicators],
    ]
    header_cells = []
    for header in headers:
        cell = sheet_cell(sheet, str(header))
        if isinstance(cell, str):
            cell = WriteOnlyCell(sheet, cell)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        line = row.line
        sheet.append(
            [
                line.rank_in_plan,
                line.rank_in_community,
                sheet_cell(sheet, str(line.worker)),
                sheet_cell(sheet, line.community.display_name),
                sheet_cell(sheet, " ".join(line.grid_codes)),
                _number(line.score),
                *[_number(row.parts.get(value)) for value, _label in used],
                *[_number(row.values.get(i.pk)) for i in indicators],
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
