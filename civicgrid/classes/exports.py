"""The classes' exports (core.exports): the sessions of the figures page's months, and its
table of the units below. No learner's name: counts only."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.classes import selectors
from civicgrid.core import exports
from civicgrid.core.exports import Column, Export, Listing
from civicgrid.org import selectors as org_selectors


def _unit_and_period(user, params):
    unit = org_selectors.unit_or_home(user, exports.unit_code(params) or None)
    first, last = selectors.figures_period(exports.Query(params), timezone.localdate())
    return unit, first, last


def sessions(user, params: exports.Params) -> Listing:
    unit, first, last = _unit_and_period(user, params)
    rows = selectors.sessions_in(user, unit, first, last).select_related("unit")
    columns = [
        Column(_("course"), lambda s: s.course.title),
        Column(_("number"), lambda s: s.number),
        Column(_("topic"), lambda s: s.topic),
        Column(_("starts at"), lambda s: s.starts_at),
        Column(_("ends at"), lambda s: s.ends_at),
        Column(_("venue"), lambda s: s.venue.name if s.venue_id else ""),
        Column(_("teacher"), lambda s: s.teacher.name if s.teacher_id else ""),
        Column(_("class hours"), lambda s: float(s.class_hours)),
        Column(_("status"), lambda s: s.get_status_display()),
        Column(_("enrolled"), lambda s: s.enrolled),
        Column(_("attended"), lambda s: s.attended),
        Column(_("unit"), lambda s: s.unit.display_name),
    ]
    return Listing(unit.code, rows, columns)


def figures(user, params: exports.Params) -> Listing:
    unit, first, last = _unit_and_period(user, params)
    children = [c for c in org_selectors.children_for(user, unit) if c.kind != "department"]
    rows = selectors.figures_below(unit, children, first, last)
    columns = [
        Column(_("unit"), lambda r: r[0].display_name),
        Column(_("code"), lambda r: r[0].code),
        Column(_("Planned"), lambda r: r[1]["planned_sessions"]),
        Column(_("Held"), lambda r: r[1]["held"]),
        Column(_("Attendances"), lambda r: r[1]["attended"]),
        Column(_("Learners"), lambda r: r[1]["learners"]),
    ]
    return Listing(unit.code, rows, columns)


exports.register(Export("classes.sessions", _("Class sessions"), sessions, filters=("from", "to")))
exports.register(Export("classes.figures", _("Class figures"), figures, filters=("from", "to")))
