"""Writes to the org tree. Each function checks permission, validates, runs in one transaction,
logs a UnitChange and bumps the tree revision when polygons or codes change."""

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import shapely
from django.apps import apps
from django.db import transaction
from django.db.models import Model, TextChoices, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.core.types import Actor, AuthUser, user_of
from civicgrid.org.kinds import (
    FIRST_SEGMENT,
    MAY_OVERLAP,
    PARENT_KINDS,
    ROOT_CODE_DIGITS,
    SEGMENT_DIGITS,
    DedicatedKind,
    DepartmentKind,
    Kind,
)
from civicgrid.org.models import OrgUnit, Posting, ScopedModel, TreeRevision, UnitChange
from civicgrid.org.roles import RULES, Role
from civicgrid.org.scoping import covers, forget_prefixes, sees_everything

UNSET: Any = object()
# A child may stick out of its parent by this share of its area (rounded, surveyed borders).
OUTSIDE_PARENT_TOLERANCE = 0.01
# Siblings may share this share of the smaller one's area before it counts as an overlap.
OVERLAP_TOLERANCE = 0.001


# --- validation --------------------------------------------------------------------------


def parse_polygon(value: Any, *, field: str = "polygon") -> BaseGeometry:
    """A GeoJSON Polygon/MultiPolygon (dict or text) as a valid shapely geometry, or a clear
    InvalidInput naming what is wrong."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                _("The polygon is not valid JSON: %(error)s") % {"error": exc.msg}, field=field
            ) from None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in {"Polygon", "MultiPolygon"}:
        raise InvalidInput(_("The polygon must be a GeoJSON Polygon or MultiPolygon."), field=field)
    try:
        geometry = shape(value)
    except (
        ValueError,
        TypeError,
        IndexError,
        KeyError,
        AttributeError,
        shapely.errors.ShapelyError,
    ):
        raise InvalidInput(
            _("The polygon's coordinates are malformed (each ring needs 4 or more points)."),
            field=field,
        ) from None
    if geometry.is_empty:
        raise InvalidInput(_("The polygon is empty."), field=field)
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (min_lon >= 73 and max_lon <= 136 and min_lat >= 3 and max_lat <= 54):
        raise InvalidInput(
            _(
                "The polygon lies outside China (longitude 73–136, latitude 3–54). Coordinates "
                "must be WGS-84 longitude, latitude in that order."
            ),
            field=field,
        )
    if not geometry.is_valid:
        raise InvalidInput(
            _("The polygon is invalid: %(reason)s") % {"reason": shapely.is_valid_reason(geometry)},
            field=field,
        )
    return geometry


def _check_code(code: str, parent: OrgUnit | None, kind: str) -> None:
    if not code.isdigit():
        raise InvalidInput(
            _("A unit code has digits only: %(code)s") % {"code": code}, field="code"
        )
    if parent is None:
        expected = ROOT_CODE_DIGITS.get(kind)
        if expected is None or len(code) != expected:
            raise InvalidInput(
                _("A top-level %(kind)s needs a %(digits)s-digit national code, not %(code)s.")
                % {"kind": Kind(kind).label, "digits": expected or "?", "code": code},
                field="code",
            )
        return
    digits = SEGMENT_DIGITS[kind]
    if not code.startswith(parent.code) or len(code) != len(parent.code) + digits:
        raise InvalidInput(
            _(
                "Code %(code)s is not a child code of %(parent)s: it must be the parent's code "
                "followed by %(digits)s more digits."
            )
            % {"code": code, "parent": parent.code, "digits": digits},
            field="code",
        )
    if set(code[len(parent.code) :]) == {"0"}:
        raise InvalidInput(
            _("The digits a unit adds to its parent's code cannot all be zero."), field="code"
        )


def _check_parent(parent: OrgUnit | None, kind: str) -> None:
    allowed = PARENT_KINDS[kind]
    parent_kind = parent.kind if parent else None
    if parent_kind not in allowed:
        raise InvalidInput(
            _("A %(kind)s cannot be placed under a %(parent)s.")
            % {
                "kind": Kind(kind).label,
                "parent": Kind(parent_kind).label if parent_kind else _("nothing (top level)"),
            },
            field="parent",
        )
    if parent is not None and not parent.active:
        raise InvalidInput(
            _("%(parent)s is inactive; units cannot be added under it.") % {"parent": parent},
            field="parent",
        )


def _check_subkind(kind: str, subkind: str) -> None:
    subkinds: dict[str, type[TextChoices]] = {
        Kind.DEDICATED_GRID: DedicatedKind,
        Kind.DEPARTMENT: DepartmentKind,
    }
    choices = subkinds.get(kind)
    if choices is None:
        if subkind:
            raise InvalidInput(
                _("Only dedicated grids and departments have a sub-kind."), field="subkind"
            )
        return
    if subkind not in choices.values:
        raise InvalidInput(
            _("Choose one of: %(choices)s.")
            % {"choices": ", ".join(str(c.label) for c in choices)},
            field="subkind",
        )


def _check_geometry(
    geometry: BaseGeometry, *, kind: str, parent: OrgUnit | None, exclude_id: int | None
) -> None:
    """The polygon must lie inside its parent's and must not overlap a sibling's."""
    if parent is None:
        return
    if parent.polygon:
        parent_geometry = shape(parent.polygon)
        outside = geometry.difference(parent_geometry).area
        if outside > OUTSIDE_PARENT_TOLERANCE * geometry.area:
            raise InvalidInput(
                _("The polygon lies partly outside %(parent)s (%(share).0f%% of its area).")
                % {"parent": parent, "share": 100 * outside / geometry.area},
                field="polygon",
            )
    siblings = OrgUnit.objects.filter(parent=parent, polygon__isnull=False)
    if exclude_id is not None:
        siblings = siblings.exclude(pk=exclude_id)
    for sibling in siblings.only("id", "code", "name", "short_name", "kind", "polygon"):
        if frozenset({kind, sibling.kind}) in MAY_OVERLAP and kind != sibling.kind:
            continue
        other = shape(sibling.polygon)
        if not geometry.intersects(other):
            continue
        shared = geometry.intersection(other).area
        if shared > OVERLAP_TOLERANCE * min(geometry.area, other.area):
            raise InvalidInput(
                _("The polygon overlaps %(sibling)s (%(code)s).")
                % {"sibling": sibling, "code": sibling.code},
                field="polygon",
            )


def _check_centre(centre: tuple[float, float] | None) -> None:
    if centre is None:
        return
    lon, lat = centre
    if not (73 <= lon <= 136 and 3 <= lat <= 54):
        raise InvalidInput(
            _("The centre point lies outside China; give WGS-84 longitude, latitude."),
            field="centre",
        )


# --- permission --------------------------------------------------------------------------


def _require_manage(actor: Actor, unit: OrgUnit | None, message: str | None = None) -> None:
    """Actor may change the tree at and below `unit` (None: a new top-level unit, which
    only a superuser may add). `actor=None` is the system itself: imports and the demo."""
    if actor is None or sees_everything(actor):
        return
    if unit is None or not covers(actor, unit.code, manage=True):
        raise NotAllowed(message or _("You may not change units outside your own."))


_batch: ContextVar[list[bool] | None] = ContextVar("org_batch", default=None)


def _bump_revision() -> None:
    pending = _batch.get()
    if pending is not None:
        pending.append(True)
        return
    TreeRevision.objects.update_or_create(pk=1, defaults={"revision": uuid.uuid4()})


@contextmanager
def batch_changes() -> Iterator[None]:
    """Run many tree changes in one transaction and bump the tree revision once, at the end
    (for imports: thousands of updates to one row within a transaction are slow on PostgreSQL)."""
    pending: list[bool] = []
    with transaction.atomic():
        token = _batch.set(pending)
        try:
            yield
        finally:
            _batch.reset(token)
        if pending:
            _bump_revision()


def _snapshot(unit: OrgUnit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "active": unit.active,
        "parent": unit.parent.code if unit.parent else None,
        "has_polygon": unit.polygon is not None,
    }


def _next_code(parent: OrgUnit, kind: str) -> str:
    digits = SEGMENT_DIGITS[kind]
    first = FIRST_SEGMENT.get(kind, 1)
    last = min((v for v in FIRST_SEGMENT.values() if v > first), default=10**digits) - 1
    taken = {
        int(code[len(parent.code) :])
        for code in parent.children.values_list("code", flat=True)
        if len(code) == len(parent.code) + digits
    }
    for segment in range(first, last + 1):
        if segment not in taken:
            return f"{parent.code}{segment:0{digits}d}"
    raise Conflict(
        _("%(parent)s has no free codes left for a %(kind)s.")
        % {"parent": parent, "kind": Kind(kind).label}
    )


# --- writes --------------------------------------------------------------------------------


@transaction.atomic
def create_unit(
    *,
    actor: Actor,
    parent: OrgUnit | None,
    kind: str,
    name: str,
    code: str | None = None,
    short_name: str = "",
    subkind: str = "",
    polygon: Any = None,
    centre: tuple[float, float] | None = None,
) -> OrgUnit:
    """Add a unit under `parent`. Needs a managing posting at or above the parent (superuser
    for a top-level unit). The code is allocated when not given. Logs a CREATED change."""
    if kind not in Kind.values:
        raise InvalidInput(_("Unknown unit kind: %(kind)s") % {"kind": kind}, field="kind")
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("A unit needs a name."), field="name")
    if parent is not None:
        parent = OrgUnit.objects.select_for_update().get(pk=parent.pk)
    _require_manage(actor, parent)
    _check_parent(parent, kind)
    _check_subkind(kind, subkind)
    code = code.strip() if code else (_next_code(parent, kind) if parent else "")
    _check_code(code, parent, kind)
    if OrgUnit.objects.filter(code=code).exists():
        raise Conflict(_("Code %(code)s is already taken.") % {"code": code}, field="code")
    geometry = parse_polygon(polygon) if polygon is not None else None
    if geometry is not None:
        _check_geometry(geometry, kind=kind, parent=parent, exclude_id=None)
    _check_centre(centre)
    if centre is None and geometry is not None:
        point = geometry.representative_point()
        centre = (point.x, point.y)
    unit = OrgUnit.objects.create(
        code=code,
        name=name,
        short_name=short_name.strip(),
        kind=kind,
        subkind=subkind,
        parent=parent,
        polygon=mapping(geometry) if geometry is not None else None,
        centre_lon=centre[0] if centre else None,
        centre_lat=centre[1] if centre else None,
    )
    UnitChange.objects.create(
        unit=unit, actor=user_of(actor), action=UnitChange.Action.CREATED, after=_snapshot(unit)
    )
    if geometry is not None:
        _bump_revision()
    return unit


@transaction.atomic
def update_unit(
    *,
    actor: Actor,
    unit: OrgUnit,
    name: str | None = None,
    short_name: str | None = None,
    polygon: Any = UNSET,
    centre: Any = UNSET,
    active: bool | None = None,
) -> OrgUnit:
    """Rename, redraw, re-centre, deactivate or reactivate a unit. Needs a managing posting
    above the unit. A unit with active sub-units cannot be deactivated."""
    unit = OrgUnit.objects.select_for_update(of=("self",)).select_related("parent").get(pk=unit.pk)
    _require_manage(actor, unit.parent)
    before = _snapshot(unit)
    geometry_changed = False
    if name is not None:
        if not name.strip():
            raise InvalidInput(_("A unit needs a name."), field="name")
        unit.name = name.strip()
    if short_name is not None:
        unit.short_name = short_name.strip()
    if polygon is not UNSET:
        if polygon is None:
            unit.polygon = None
        else:
            geometry = parse_polygon(polygon)
            _check_geometry(geometry, kind=unit.kind, parent=unit.parent, exclude_id=unit.pk)
            unit.polygon = mapping(geometry)
            if centre is UNSET:
                point = geometry.representative_point()
                unit.centre_lon, unit.centre_lat = point.x, point.y
        geometry_changed = True
    if centre is not UNSET:
        _check_centre(centre)
        unit.centre_lon, unit.centre_lat = centre if centre else (None, None)
    if active is not None and active != unit.active:
        if not active and unit.children.filter(active=True).exists():
            raise InvalidInput(
                _("%(unit)s still has active sub-units; deactivate those first.") % {"unit": unit},
                field="active",
            )
        if active and unit.parent and not unit.parent.active:
            raise InvalidInput(
                _("%(parent)s is inactive; activate it first.") % {"parent": unit.parent},
                field="active",
            )
        unit.active = active
        geometry_changed = True
    unit.save()
    UnitChange.objects.create(
        unit=unit,
        actor=user_of(actor),
        action=UnitChange.Action.UPDATED,
        before=before,
        after=_snapshot(unit),
    )
    if geometry_changed:
        _bump_revision()
    return unit


# Apps that keep totals per subtree register a function here (in AppConfig.ready); move_unit
# calls each, inside its transaction, with the moved unit and its old and new code, after every
# code has been rewritten.
subtree_moved_hooks: list[Callable[[OrgUnit, str, str], None]] = []


def _scoped_models() -> list[type[ScopedModel]]:
    return [m for m in apps.get_models() if issubclass(m, ScopedModel)]


def recode(model: type[Model], old_code: str, new_code: str, field: str = "unit_code") -> int:
    """Rewrite the code prefix `old_code` to `new_code` in `field` of every `model` row under
    it: a moved subtree's rows follow it. For tables that repeat a unit code outside
    ScopedModel (search keys), called from their app's subtree_moved hook."""
    return model._default_manager.filter(**{f"{field}__under": old_code}).update(
        **{field: Concat(Value(new_code), Substr(field, len(old_code) + 1))}
    )


@transaction.atomic
def move_unit(
    *, actor: Actor, unit: OrgUnit, new_parent: OrgUnit, code: str | None = None
) -> OrgUnit:
    """Hang `unit` and its whole subtree under `new_parent`. Every code in the subtree, and
    the unit_code of every scoped row under it, is rewritten in this one transaction. Needs a
    managing posting above both the old and the new place."""
    unit = OrgUnit.objects.select_for_update(of=("self",)).select_related("parent").get(pk=unit.pk)
    new_parent = OrgUnit.objects.select_for_update().get(pk=new_parent.pk)
    _require_manage(actor, unit.parent)
    _require_manage(actor, new_parent)
    if new_parent.code.startswith(unit.code):
        raise InvalidInput(
            _("A unit cannot be moved under itself or its own sub-units."), field="parent"
        )
    _check_parent(new_parent, unit.kind)
    old_code = unit.code
    new_code = code.strip() if code else _next_code(new_parent, unit.kind)
    _check_code(new_code, new_parent, unit.kind)
    if OrgUnit.objects.filter(code__under=new_code).exists():
        raise Conflict(_("Code %(code)s is already taken.") % {"code": new_code}, field="code")
    if unit.polygon:
        _check_geometry(shape(unit.polygon), kind=unit.kind, parent=new_parent, exclude_id=unit.pk)
    before = _snapshot(unit)
    recode(OrgUnit, old_code, new_code, field="code")
    for model in _scoped_models():
        recode(model, old_code, new_code)
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    for hook in subtree_moved_hooks:
        hook(unit, old_code, new_code)
    UnitChange.objects.create(
        unit=unit,
        actor=user_of(actor),
        action=UnitChange.Action.MOVED,
        before=before,
        after=_snapshot(unit),
    )
    _bump_revision()
    return unit


@transaction.atomic
def post_user(*, actor: Actor, user: AuthUser, unit: OrgUnit, role: str) -> Posting:
    """Post `user` to `unit` with `role` (入网入格). Needs a managing posting at or above the
    unit; the role must fit the unit's kind and the unit must be active."""
    if role not in Role.values:
        raise InvalidInput(_("Unknown role: %(role)s") % {"role": role}, field="role")
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    _require_manage(actor, unit, _("You may not post people to units outside your own."))
    if not unit.active:
        raise InvalidInput(
            _("%(unit)s is inactive; nobody can be posted to it.") % {"unit": unit}, field="unit"
        )
    rule = RULES[role]
    if unit.kind not in rule.unit_kinds:
        raise InvalidInput(
            _("A %(role)s is posted to a %(kinds)s, not to a %(kind)s.")
            % {
                "role": Role(role).label,
                "kinds": " / ".join(str(Kind(k).label) for k in sorted(rule.unit_kinds)),
                "kind": Kind(unit.kind).label,
            },
            field="role",
        )
    if Posting.objects.filter(user=user, unit=unit, role=role, active=True).exists():
        raise Conflict(_("%(user)s already holds this posting.") % {"user": user})
    posting = Posting.objects.create(user=user, unit=unit, role=role)
    UnitChange.objects.create(
        unit=unit,
        actor=user_of(actor),
        action=UnitChange.Action.POSTED,
        after={"user": user.username, "role": role},
    )
    forget_prefixes(user)
    return posting


@transaction.atomic
def end_posting(*, actor: Actor, posting: Posting) -> Posting:
    """End a posting; the user stops seeing that unit at once."""
    posting = Posting.objects.select_for_update().select_related("unit", "user").get(pk=posting.pk)
    _require_manage(actor, posting.unit, _("You may not change postings outside your own units."))
    if not posting.active:
        raise Conflict(_("This posting has already ended."))
    posting.active = False
    posting.ended_at = timezone.now()
    posting.save(update_fields=["active", "ended_at"])
    UnitChange.objects.create(
        unit=posting.unit,
        actor=user_of(actor),
        action=UnitChange.Action.UNPOSTED,
        before={"user": posting.user.username, "role": posting.role},
    )
    forget_prefixes(posting.user)
    return posting
