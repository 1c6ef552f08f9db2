"""The party's exports (core.exports): the members list with its name search, and this year's
study hours. Party membership is sensitive personal data: a reason is asked and the export
logged; phones are never exported."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core import exports
from civicgrid.core.errors import NotAllowed
from civicgrid.core.exports import Column, Export, Listing
from civicgrid.org import selectors as org_selectors
from civicgrid.party import selectors


def _members(user, params):
    """The unit (404 outside the user's scope) and its members, for those who keep them."""
    unit = org_selectors.unit_or_home(user, exports.unit_code(params) or None)
    if not selectors.may_keep(user, unit):
        raise NotAllowed(_("Your role may not export personal data."))
    query = selectors.member_query(exports.Query(params))
    return unit, selectors.members_for(user, unit, query=query).select_related("unit")


def members(user, params: exports.Params) -> Listing:
    unit, rows = _members(user, params)
    columns = [
        Column(_("name"), lambda m: m.name),
        Column(_("position"), lambda m: m.get_position_display()),
        Column(_("kind"), lambda m: m.get_kind_display()),
        Column(_("employer"), lambda m: m.employer),
        Column(_("branch"), lambda m: m.branch.name if m.branch_id else ""),
        Column(_("joined the party on"), lambda m: m.joined_party_on),
        Column(_("responsibility area"), lambda m: m.responsibility_area),
        Column(_("model post"), lambda m: m.model_post),
        Column(_("active"), lambda m: m.active),
        Column(_("points earned"), lambda m: m.earned),
        Column(_("points redeemed"), lambda m: m.redeemed),
        Column(_("points balance"), lambda m: m.balance),
        Column(_("unit"), lambda m: m.unit.display_name),
    ]
    return Listing(unit.code, rows.order_by("unit_code", "branch_id", "name", "id"), columns)


def study_hours(user, params: exports.Params) -> Listing:
    unit, rows = _members(user, params)
    year = timezone.localdate().year
    columns = [
        Column(_("name"), lambda r: r["member"].name),
        Column(_("branch"), lambda r: r["member"].branch.name if r["member"].branch_id else ""),
        Column(_("study hours"), lambda r: float(r["hours"])),
        Column(_("required"), lambda r: float(r["required"])),
        Column(_("short"), lambda r: float(r["short"])),
    ]
    return Listing(unit.code, selectors.study_hours(rows, year), columns)


exports.register(Export("party.members", _("Party members"), members, personal=True))
exports.register(
    Export("party.study_hours", _("Study hours this year"), study_hours, personal=True)
)
