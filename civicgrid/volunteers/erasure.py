"""What erasing a resident (core/erasure.py) does to volunteer records and service orders."""

from django.db.models import Q

from civicgrid.core.erasure import ERASED_NAME, Subject
from civicgrid.volunteers.models import ServiceOrder, Volunteer

_NO_PHONE = {"phone": "", "phone_hash": "", "phone_masked": ""}


def erase_volunteers(subject: Subject) -> int:
    """Her volunteer record keeps its number and hours served (records and certificates
    already issued), without her name, numbers, skills or links; inactive. Hers by person,
    by her party-member record, or by phone or ID number when linked to no one."""
    mine = Q(person_id=subject.person_id) | Q(member__person_id=subject.person_id)
    if subject.phone_hash:
        mine |= Q(person__isnull=True, phone_hash=subject.phone_hash)
    if subject.id_hash:
        mine |= Q(person__isnull=True, id_hash=subject.id_hash)
    return Volunteer.objects.filter(mine).update(
        person=None,
        user=None,
        name=ERASED_NAME,
        id_number="",
        id_hash="",
        id_masked="",
        skills="",
        active=False,
        **_NO_PHONE,
    )


def erase_orders(subject: Subject) -> int:
    """Services she ordered by phone stay in the figures without her name, address or phone."""
    if not subject.phone_hash:
        return 0
    return ServiceOrder.objects.filter(phone_hash=subject.phone_hash).update(
        name=ERASED_NAME, address="", note="", **_NO_PHONE
    )
