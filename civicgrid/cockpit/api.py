"""The overview in the JSON API (/api/v1/cockpit/…): the same figures as the page, for the same
users (an overview role at the unit or above; 404 otherwise, like a missing unit)."""

from django.http import HttpRequest
from ninja import Router, Schema

from civicgrid.cockpit import figures, selectors
from civicgrid.core.api import ERRORS

router = Router(tags=["cockpit"])

Value = int | float | None


class FigureOut(Schema):
    key: str
    label: str
    value: Value
    measure: str
    url: str
    target: float | None
    met: bool | None
    better: str
    previous: Value
    last_year: Value
    change: Value
    change_last_year: Value


class SectionOut(Schema):
    key: str
    title: str
    url: str
    figures: list[FigureOut]


class RowOut(Schema):
    unit: str
    name: str
    kind: str
    values: dict[str, Value]
    met: dict[str, bool | None]


class PeriodOut(Schema):
    value: str
    kind: str
    label: str
    first: str
    last: str


class OverviewOut(Schema):
    unit: str
    name: str
    kind: str
    period: PeriodOut
    sections: list[SectionOut]
    below: list[RowOut]


def _figure(f: figures.Figure) -> dict:
    return {
        "key": f.key,
        "label": f.label,
        "value": f.value,
        "measure": f.measure,
        "url": f.url,
        "target": f.target,
        "met": f.met,
        "better": f.better,
        "previous": f.previous,
        "last_year": f.last_year,
        "change": f.change,
        "change_last_year": f.change_last_year,
    }


@router.get("/overview/{code}", response={200: OverviewOut, **ERRORS})
def overview(request: HttpRequest, code: str, period: str = ""):
    """Every module's figures for the unit `code` (and the units below it) over `period`
    (2026-11, 2026-Q4 or 2026; this month by default), each with its value in the previous
    period and the same period last year; and the units one level below with COLUMNS."""
    user = request.user
    unit = selectors.overview_unit(user, code)
    chosen = selectors.parse_period(period)
    found = selectors.for_viewer(user, figures.overview(unit, chosen))
    rows = selectors.overview_below(selectors.units_below(user, unit), chosen)
    return {
        "unit": unit.code,
        "name": unit.display_name,
        "kind": unit.kind,
        "period": {
            "value": chosen.value,
            "kind": chosen.kind,
            "label": chosen.label,
            "first": chosen.first.isoformat(),
            "last": chosen.last.isoformat(),
        },
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "url": s.url,
                "figures": [_figure(f) for f in s.figures],
            }
            for s in found.sections
        ],
        "below": [
            {
                "unit": row.unit.code,
                "name": row.unit.display_name,
                "kind": row.unit.kind,
                "values": {key: cell.value for key, cell in row.cells.items()},
                "met": {key: cell.met for key, cell in row.cells.items()},
            }
            for row in rows
        ],
    }
