"""What erasing a resident (core/erasure.py) does to the mediation cases that name her."""

from civicgrid.core.erasure import ERASED_NAME, Subject
from civicgrid.mediation.models import PARTY_PHONE, CaseParty


def erase_parties(subject: Subject) -> int:
    """Her places as a party: linked to her record or holding her phone. The case keeps a party
    of that role (its figures and documents stand), without her name, phone or address."""
    blank = dict.fromkeys(PARTY_PHONE.fields, "")
    return CaseParty.objects.filter(subject.rows("person")).update(
        person=None, name=ERASED_NAME, address="", age=None, **blank
    )
