"""What erasing a resident (core/erasure.py) does to community needs that name her."""

from django.db.models import Q

from civicgrid.community.models import Need
from civicgrid.core.erasure import ERASED_NAME, Subject


def erase_needs(subject: Subject) -> int:
    """Needs of her household, or of her unit with no household, that name her."""
    where = Q(household__isnull=True, unit_code=subject.unit_code)
    if subject.household_id:
        where |= Q(household_id=subject.household_id)
    return Need.objects.filter(where, who=subject.name).update(who=ERASED_NAME)
