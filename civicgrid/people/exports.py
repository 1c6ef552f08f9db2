"""The basic-data lists' exports (core.exports): persons and organisations (personal data:
only roles that may reveal numbers under the unit, with a reason, logged; numbers masked and
sensitive tags as on screen), and the completeness table of the units below (figures only)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core import exports
from civicgrid.core.errors import NotAllowed
from civicgrid.core.exports import Column, Export, Listing
from civicgrid.org import selectors as org_selectors
from civicgrid.org.kinds import Kind
from civicgrid.people import selectors
from civicgrid.people.ledgers import COLUMNS, WORDS
from civicgrid.people.models import ImportKind


def _personal_unit(user, params: exports.Params):
    """The list's unit (404 outside the user's scope), for a role that may reveal numbers there
    (not read-only leaders, micro-grid leaders or departments); NotAllowed otherwise."""
    unit = org_selectors.unit_for(user, exports.unit_code(params))
    if not selectors.may_see_personal(user, unit.code):
        raise NotAllowed(_("Your role may not export personal data."))
    return unit


def persons(user, params: exports.Params) -> Listing:
    unit = _personal_unit(user, params)
    tag = exports.param(params, "tag")
    rows = selectors.persons_under(user, unit, tag=tag)
    today = timezone.localdate()
    columns = [
        Column("姓名", lambda p: p.name),
        Column("性别", lambda p: p.get_gender_display()),
        Column("出生日期", lambda p: p.birth_date),
        Column("年龄", lambda p: p.age(today)),
        Column("公民身份号码", lambda p: p.id_masked),
        Column("联系电话", lambda p: p.phone_masked),
        Column("地址", lambda p: str(p.household) if p.household_id else ""),
        Column("与户主关系", lambda p: p.get_relation_display() if p.relation else ""),
        Column("人口类型", lambda p: p.get_residence_kind_display()),
        Column("标签", lambda p: "、".join(t.name for t in selectors.tags_for(user, p))),
        Column("网格", lambda p: p.unit.display_name),
        # Grids are named 第1网格 in every community: the code tells them apart.
        Column("网格编码", lambda p: p.unit_code),
    ]
    record = f"people.persons:{tag}:{unit.code}" if tag else ""
    rows = rows.select_related("unit").prefetch_related("tags")
    return Listing(unit.code, rows, columns, record=record)


def organisations(user, params: exports.Params) -> Listing:
    unit = _personal_unit(user, params)
    rows = selectors.under(selectors.organisations_for(user), unit)
    kinds = {value: word for word, value in WORDS["kind"].items()}
    shown = {"unit": "unit_code", "contact_phone": "contact_phone_masked"}

    def column(c) -> Column:
        if c.name == "kind":
            return Column(c.header, lambda o: kinds.get(o.kind, o.kind))
        attribute = shown.get(c.name, c.name)
        return Column(c.header, lambda o: getattr(o, attribute))

    return Listing(unit.code, rows, [column(c) for c in COLUMNS[ImportKind.ORGANISATIONS]])


def completeness(user, params: exports.Params) -> Listing:
    """The unit page's table of the units below: completeness per check."""
    unit = org_selectors.unit_or_home(user, exports.unit_code(params) or None)
    children = [c for c in org_selectors.children_for(user, unit) if c.kind != Kind.DEPARTMENT]
    rows = selectors.completeness_below(user, unit, children)
    labels = [(check.code, check.label) for check in rows[0].checks] if rows else []

    def check_column(index: int, label: str) -> list[Column]:
        return [
            Column(f"{label} {_('filled')}", lambda r: r.checks[index].done),
            Column(f"{label} {_('total')}", lambda r: r.checks[index].total),
            Column(f"{label} %", lambda r: r.checks[index].rate),
        ]

    columns = [
        Column(_("unit"), lambda r: r.unit.display_name),
        Column(_("code"), lambda r: r.unit.code),
        Column(_("completeness %"), lambda r: r.score),
    ]
    for index, (_code, label) in enumerate(labels):
        columns += check_column(index, str(label))
    return Listing(unit.code, rows, columns)


exports.register(Export("people.persons", _("Persons"), persons, personal=True, filters=("tag",)))
exports.register(Export("people.organisations", _("Organisations"), organisations, personal=True))
exports.register(Export("people.completeness", _("Basic-data completeness"), completeness))
