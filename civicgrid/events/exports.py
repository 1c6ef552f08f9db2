"""The events' list exports (core.exports): the dispatch board with its filters. No reporter's
name, phone or description: only what the board shows."""

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core import exports
from civicgrid.core.exports import Column, Export, Listing
from civicgrid.events import selectors
from civicgrid.org import selectors as org_selectors

EVENT_COLUMNS = [
    Column(_("number"), lambda e: e.number),
    Column(_("title"), lambda e: e.title),
    Column(_("category"), lambda e: e.category.name),
    Column(_("source"), lambda e: e.get_source_display()),
    Column(_("status"), lambda e: e.get_status_display()),
    Column(_("priority"), lambda e: e.get_priority_display()),
    Column(_("unit"), lambda e: e.unit.display_name),
    # Grids are named 第1网格 in every community: the code tells them apart.
    Column(_("code"), lambda e: e.unit_code),
    Column(_("address"), lambda e: e.address),
    Column(_("handled by"), lambda e: e.handler_unit.display_name if e.handler_unit else ""),
    Column(_("reported at"), lambda e: e.reported_at),
    Column(_("closure deadline"), lambda e: e.closure_due),
    Column(_("overdue"), lambda e: e.overdue),
    Column(_("closed at"), lambda e: e.closed_at),
]


def board(user, params: exports.Params) -> Listing:
    unit = org_selectors.unit_or_home(user, exports.unit_code(params))
    filters = selectors.board_filters(exports.Query(params))
    events = selectors.board_events(user, unit, filters, timezone.now())
    return Listing(unit.code, events, EVENT_COLUMNS)


def _percent(figures, key: str):
    rate = next((r for r in figures.rates if r.key == key), None)
    return "" if rate is None or rate.percent is None else rate.percent


def _rate(key: str) -> Callable[[Any], Any]:
    """The column value of one rate, in per cent."""
    return lambda figures: _percent(figures, key)


def units_below(user, params: exports.Params) -> Listing:
    """The four-rates page's table of the units below, for its period."""
    unit = org_selectors.unit_or_home(user, exports.unit_code(params) or None)
    start, end = selectors.dashboard_period(exports.Query(params))
    rows = selectors.by_child_for(user, unit, start, end)
    columns = [
        Column(_("unit"), lambda f: f.unit.display_name),
        Column(_("code"), lambda f: f.unit.code),
        Column(_("Reported"), lambda f: f.counts["reported"]),
    ]
    for key, label, *_rest in selectors.RATE_DEFINITIONS:
        columns.append(Column(f"{label} %", _rate(key)))
    columns.append(Column(_("Whistled"), lambda f: f.counts["whistled"]))
    return Listing(unit.code, rows, columns)


exports.register(Export("events.units_below", _("Four rates of the units below"), units_below))
exports.register(
    Export(
        "events.board",
        _("Events"),
        board,
        filters=("status", "overdue", "source", "system"),
    )
)
