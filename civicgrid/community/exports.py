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


def projects(user, params: exports.Params) -> Listing:
    unit = org_selectors.unit_or_home(user, exports.unit_code(params) or None)
    rows = selectors.projects_for(user, unit).select_related("unit").order_by("-starts_on", "id")
    columns = [
        Column(_("title"), lambda p: p.title),
        Column(_("kind"), lambda p: p.get_kind_display()),
        Column(_("status"), lambda p: p.get_status_display()),
        Column(_("starts on"), lambda p: p.starts_on),
        Column(_("ends on"), lambda p: p.ends_on),
        Column(_("beneficiaries"), lambda p: p.beneficiaries),
        Column(_("Needs list"), lambda p: p.need_count),
        Column(_("Tasks"), lambda p: p.task_count),
        Column(_("unit"), lambda p: p.unit.display_name),
    ]
    return Listing(unit.code, rows, columns)


def partners(user, params: exports.Params) -> Listing:
    """The partners (organisations) with their activities and people served; no contacts."""
    unit = org_selectors.unit_or_home(user, exports.unit_code(params) or None)
    rows = selectors.partners_for(user, unit).select_related("unit").order_by("name", "id")
    columns = [
        Column(_("name"), lambda p: p.name),
        Column(_("space partner"), lambda p: p.space),
        Column(_("operation partner"), lambda p: p.operation),
        Column(_("governance partner"), lambda p: p.governance),
        Column(_("what they offer"), lambda p: p.offer),
        Column(_("benefit given"), lambda p: p.benefit),
        Column(_("joined on"), lambda p: p.joined_on),
        Column(_("activities"), lambda p: p.activity_count),
        Column(_("people served"), lambda p: p.served or 0),
        Column(_("unit"), lambda p: p.unit.display_name),
    ]
    return Listing(unit.code, rows, columns)


exports.register(Export("community.projects", _("Projects list"), projects))
exports.register(Export("community.partners", _("Community partners"), partners))
exports.register(Export("community.needs", _("Needs list"), needs, filters=("status",)))
exports.register(Export("community.tasks", _("Tasks"), tasks, personal=True, filters=("status",)))
