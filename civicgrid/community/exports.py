"""The community's exports (core.exports): the needs list (all, or of one ?status=) and the
tasks (all, or of one ?status=). Needs leave out who they concern (a household, a name); the
tasks name the party member who claimed them (sensitive: keepers only, a reason, logged)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.community import selectors
from civicgrid.community.models import NeedStatus, TaskStatus
from civicgrid.core import exports
from civicgrid.core.errors import NotAllowed
from civicgrid.core.exports import Column, Export, Listing
from civicgrid.org import selectors as org_selectors


def needs(user, params: exports.Params) -> Listing:
    unit = org_selectors.unit_or_home(user, exports.unit_code(params) or None)
    status = selectors.list_status(exports.Query(params), NeedStatus)
    rows = selectors.needs_for(user, unit, active=False)
    rows = (rows.filter(status=status) if status else rows).order_by("-created_at", "-id")
    columns = [
        Column(_("title"), lambda n: n.title),
        Column(_("category"), lambda n: n.get_category_display()),
        Column(_("urgency"), lambda n: n.get_urgency_display()),
        Column(_("source"), lambda n: n.get_source_display()),
        Column(_("people concerned"), lambda n: n.people),
        Column(_("status"), lambda n: n.get_status_display()),
        Column(_("resource"), lambda n: str(n.resource) if n.resource_id else ""),
        Column(_("project"), lambda n: str(n.project) if n.project_id else ""),
        Column(_("recorded at"), lambda n: n.created_at),
        Column(_("closed at"), lambda n: n.closed_at),
        Column(_("unit"), lambda n: n.unit.display_name),
    ]
    return Listing(unit.code, rows, columns)


def tasks(user, params: exports.Params) -> Listing:
    unit = org_selectors.unit_or_home(user, exports.unit_code(params) or None)
    if not selectors.may_keep(user, unit):
        raise NotAllowed(_("Your role may not export personal data."))
    status = selectors.list_status(exports.Query(params), TaskStatus)
    rows = selectors.tasks_for(user, unit, status).select_related("unit")
    columns = [
        Column(_("title"), lambda t: t.title),
        Column(_("due on"), lambda t: t.due_on),
        Column(_("project"), lambda t: str(t.project) if t.project_id else ""),
        Column(_("from"), lambda t: t.source),
        Column(_("status"), lambda t: t.get_status_display()),
        Column(_("party member"), lambda t: t.member.name if t.member_id else ""),
        Column(_("member unit"), lambda t: str(t.member_unit) if t.member_unit_id else ""),
        Column(_("claimed at"), lambda t: t.claimed_at),
        Column(_("done at"), lambda t: t.done_at),
        Column(_("completion report"), lambda t: t.report),
        Column(_("unit"), lambda t: t.unit.display_name),
    ]
    return Listing(unit.code, rows.order_by("due_on", "id"), columns)


exports.register(Export("community.needs", _("Needs list"), needs, filters=("status",)))
exports.register(Export("community.tasks", _("Tasks"), tasks, personal=True, filters=("status",)))
