"""The category mapping (interop): how another system's category codes map to civicgrid's,
kept by district staff, read by the history import (and any connector)."""

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.core.cleaning import plain_text
from civicgrid.core.errors import InvalidInput, NotAllowed
from civicgrid.events.models import Category
from civicgrid.interop.history_selectors import may_edit_mappings
from civicgrid.interop.models import CategoryMapping


def _require(actor) -> None:
    if not may_edit_mappings(actor):
        raise NotAllowed(_("Only district staff keep the category mapping."))


@transaction.atomic
def save_mapping(
    *, actor, system: str, code: str, category_code: str, name: str = ""
) -> CategoryMapping:
    """Map `system`'s category `code` to the civicgrid sub-category `category_code` (a code
    mapped before is mapped anew). District staff and superusers only."""
    _require(actor)
    system = plain_text(system).strip()
    code = plain_text(code).strip()
    if not system or len(system) > 40:
        raise InvalidInput(_("Name the source system (at most 40 characters)."), field="system")
    if not code or len(code) > 60:
        raise InvalidInput(_("Give their category code (at most 60 characters)."), field="code")
    category = Category.objects.filter(
        code=(category_code or "").strip(), parent__isnull=False, active=True
    ).first()
    if category is None:
        raise InvalidInput(_("Choose a sub-category, not a class."), field="category")
    mapping, _created = CategoryMapping.objects.select_for_update().update_or_create(
        system=system,
        code=code,
        defaults={"category": category, "name": plain_text(name).strip()[:100]},
    )
    return mapping


@transaction.atomic
def delete_mapping(*, actor, pk: int) -> None:
    """Remove one mapping; rows with that code are then refused until it is mapped again."""
    _require(actor)
    CategoryMapping.objects.filter(pk=pk).delete()
