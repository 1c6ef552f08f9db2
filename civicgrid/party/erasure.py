"""What erasing a resident (core/erasure.py) does to party-member records."""

from civicgrid.core.erasure import ERASED_NAME, NO_PHONE, Subject
from civicgrid.party.models import PartyMember


def erase_members(subject: Subject) -> int:
    """Her party-member record stays for the points ledger (append-only) and the branch's
    history, but loses her: unlinked from the person and the login, name replaced, phone,
    employer and posts blanked, inactive. A record not linked to anyone is hers by phone."""
    return PartyMember.objects.filter(subject.rows("person")).update(
        person=None,
        user=None,
        name=ERASED_NAME,
        **NO_PHONE,
        employer="",
        responsibility_area="",
        model_post="",
        active=False,
    )
