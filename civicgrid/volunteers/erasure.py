"""What erasing a resident (core/erasure.py) does to volunteer records and service orders."""

from django.db.models import Q

from civicgrid.core import privacy
from civicgrid.core.erasure import ERASED_NAME, NO_PHONE, Subject
from civicgrid.volunteers.models import ServiceOrder, Volunteer


def erase_volunteers(subject: Subject) -> int:
    """Her volunteer record keeps its number and hours served (records and certificates
    already issued), without her name, numbers, skills or links; inactive. Hers by person,
    by her party-member record, or by phone or ID number when linked to no one."""
    mine = subject.rows("person", "member__person")
    if subject.id_hash:
        mine |= Q(person__isnull=True, id_hash=subject.id_hash)
    return Volunteer.objects.filter(mine).update(
        person=None,
        user=None,
        name=ERASED_NAME,
        skills="",
        active=False,
        **privacy.ID_NUMBER.values(""),
        **NO_PHONE,
    )


def erase_orders(subject: Subject) -> int:
    """Services she ordered by phone stay in the figures without her name, address or phone."""
    if not subject.phone_hash:
        return 0
    return ServiceOrder.objects.filter(phone_hash=subject.phone_hash).update(
        name=ERASED_NAME, address="", note="", **NO_PHONE
    )
