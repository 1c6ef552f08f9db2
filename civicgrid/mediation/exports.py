"""Mediation's exports (core.exports): the desk's board with its filters (cases name disputing
parties: desk staff only, a reason, logged; no facts or terms), and the figures page's table of
the desks below (figures only, for the roles that see figures)."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core import exports
from civicgrid.core.exports import Column, Export, Listing
from civicgrid.mediation import selectors
from civicgrid.org import selectors as org_selectors


def cases(user, params: exports.Params) -> Listing:
    unit = org_selectors.unit_for(user, exports.unit_code(params))
    if not selectors.may_see_desk(user, unit):
        raise Http404
    filters = selectors.board_filters(exports.Query(params))
    rows = selectors.board_cases(user, unit, filters, timezone.now()).select_related("unit", "lead")
    columns = [
        Column(_("case number"), lambda c: c.number),
        Column(_("title"), lambda c: c.title),
        Column(_("kind"), lambda c: c.get_kind_display()),
        Column(_("came in"), lambda c: c.get_channel_display()),
        Column(_("risk"), lambda c: c.get_risk_display()),
        Column(_("people affected"), lambda c: c.people_affected),
        Column(_("status"), lambda c: c.get_status_display()),
        Column(_("lead mediator"), lambda c: str(c.lead) if c.lead_id else ""),
        Column(_("received at"), lambda c: c.received_at),
        Column(_("due"), lambda c: c.due_at),
        Column(_("mediation ended"), lambda c: c.ended_at),
        Column(_("agreement reached"), lambda c: "" if c.agreed is None else c.agreed),
        Column(_("unit"), lambda c: c.unit.display_name),
    ]
    return Listing(unit.code, rows, columns)


def _percent(value):
    return "" if value is None else round(100 * value, 1)


def figures(user, params: exports.Params) -> Listing:
    unit = org_selectors.unit_for(user, exports.unit_code(params))
    if not selectors.may_see_figures(user, unit):
        raise Http404
    first, last = selectors.months_of(exports.Query(params), timezone.localdate())
    children = [
        c for c in org_selectors.children_for(user, unit) if c.kind in ("street", "community")
    ]
    rows = selectors.figures_below(children, first, last)
    columns = [
        Column(_("unit"), lambda r: r[0].display_name),
        Column(_("code"), lambda r: r[0].code),
        Column(_("Cases received"), lambda r: r[1]["received"]),
        Column(_("mediated"), lambda r: r[1]["mediated"]),
        Column(_("Agreements"), lambda r: r[1]["agreed"]),
        Column(_("Success rate"), lambda r: _percent(r[1]["success_rate"])),
        Column(_("referred"), lambda r: r[1]["referred"]),
        Column(_("open"), lambda r: r[1]["open"]),
    ]
    return Listing(unit.code, rows, columns)


exports.register(
    Export(
        "mediation.cases",
        _("Mediation cases"),
        cases,
        personal=True,
        filters=("status", "kind", "risk", "overdue"),
    )
)
exports.register(
    Export("mediation.figures", _("Mediation figures"), figures, filters=("from", "to"))
)
