"""What erasing a resident (core/erasure.py) does to the events she reported."""

from civicgrid.core import privacy
from civicgrid.core.erasure import Subject
from civicgrid.events.models import Event

# A reporter's phone is kept encrypted without a keyed hash: the events she reported are
# found by decrypting those of her community (12-digit code), where she lives and reports.
COMMUNITY_DIGITS = 12


def erase_reports(subject: Subject) -> int:
    """Events reported with her phone keep the problem, not her name or phone."""
    if not subject.phone:
        return 0
    near = Event.objects.filter(unit_code__startswith=subject.unit_code[:COMMUNITY_DIGITS])
    hers = [
        pk
        for pk, token in near.exclude(reporter_phone="").values_list("pk", "reporter_phone")
        if privacy.decrypt(token) == subject.phone
    ]
    return Event.objects.filter(pk__in=hers).update(reporter_name="", reporter_phone="")
