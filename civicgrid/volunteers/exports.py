"""The volunteers' exports (core.exports): service orders (optionally of one status) and the
volunteers. Both name residents or volunteers: for those who keep them, with a reason, logged;
phones and ID numbers masked as on screen."""

from django.utils.translation import gettext_lazy as _

from civicgrid.core import exports
from civicgrid.core.errors import NotAllowed
from civicgrid.core.exports import Column, Export, Listing
from civicgrid.org import selectors as org_selectors
from civicgrid.volunteers import selectors


def _unit(user, params):
    unit = org_selectors.unit_or_home(user, exports.unit_code(params) or None)
    if not selectors.may_keep(user, unit):
        raise NotAllowed(_("Your role may not export personal data."))
    return unit


def orders(user, params: exports.Params) -> Listing:
    unit = _unit(user, params)
    status = selectors.order_status(exports.Query(params))
    rows = selectors.orders_for(user, unit, status).select_related("unit").order_by("-created_at")
    columns = [
        Column(_("service"), lambda o: str(o.item)),
        Column(_("name"), lambda o: o.name),
        Column(_("phone"), lambda o: o.phone_masked),
        Column(_("address"), lambda o: o.address),
        Column(_("status"), lambda o: o.get_status_display()),
        Column(_("volunteer"), lambda o: o.volunteer.name if o.volunteer_id else ""),
        Column(_("ordered at"), lambda o: o.created_at),
        Column(_("wanted on"), lambda o: o.wanted_on),
        Column(_("taken at"), lambda o: o.taken_at),
        Column(_("done at"), lambda o: o.done_at),
        Column(_("hours"), lambda o: float(o.hours) if o.hours is not None else ""),
        Column(_("rating"), lambda o: o.rating),
        Column(_("unit"), lambda o: o.unit.display_name),
    ]
    return Listing(unit.code, rows, columns)


def volunteers(user, params: exports.Params) -> Listing:
    unit = _unit(user, params)
    rows = selectors.volunteers_for(user, unit).select_related("unit").order_by("-hours", "id")
    columns = [
        Column(_("volunteer number"), lambda v: v.number),
        Column(_("name"), lambda v: v.name),
        Column(_("phone"), lambda v: v.phone_masked),
        Column(_("teams"), lambda v: "、".join(str(t) for t in v.teams.all())),
        Column(_("skills"), lambda v: v.skills),
        Column(_("registered on"), lambda v: v.registered_on),
        Column(_("party member"), lambda v: bool(v.member_id)),
        Column(_("hours"), lambda v: float(v.hours)),
        Column(_("services"), lambda v: v.services),
        Column(_("rating"), lambda v: v.rating),
        Column(_("unit"), lambda v: v.unit.display_name),
    ]
    return Listing(unit.code, rows, columns)


exports.register(
    Export("volunteers.orders", _("Service orders"), orders, personal=True, filters=("status",))
)
exports.register(Export("volunteers.volunteers", _("Volunteers"), volunteers, personal=True))
