"""What erasing a resident (core/erasure.py) does to the events she reported."""

from civicgrid.core.erasure import Subject
from civicgrid.events.models import REPORTER_PHONE, Event


def erase_reports(subject: Subject) -> int:
    """Events reported with her phone, wherever she reported them, keep the problem, not her
    name or phone."""
    if not subject.phone_hash:
        return 0
    return Event.objects.filter(reporter_phone_hash=subject.phone_hash).update(
        reporter_name="", **REPORTER_PHONE.values("")
    )
