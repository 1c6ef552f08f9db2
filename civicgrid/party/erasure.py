"""What erasing a resident (core/erasure.py) does to party-member records."""

from django.db.models import Q

from civicgrid.core.erasure import ERASED_NAME, Subject
from civicgrid.party.models import PartyMember


def erase_members(subject: Subject) -> int:
    """Her party-member record stays for the points ledger (append-only) and the branch's
    history, but loses her: unlinked from the person and the login, name replaced, phone,
    employer and posts blanked, inactive. A record not linked to anyone is hers by phone."""
    mine = Q(person_id=subject.person_id)
    if subject.phone_hash:
        mine |= Q(person__isnull=True, phone_hash=subject.phone_hash)
    return PartyMember.objects.filter(mine).update(
        person=None,
        user=None,
        name=ERASED_NAME,
        phone="",
        phone_hash="",
        phone_masked="",
        employer="",
        responsibility_area="",
        model_post="",
        active=False,
    )
