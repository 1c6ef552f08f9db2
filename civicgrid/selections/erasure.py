"""What erasing a resident (core/erasure.py) does to the selections: her nominations keep the
nominee and the story (a public candidate stands) without her name or phone, and her votes keep
their count without the keyed hash that leads to her phone."""

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from civicgrid.core.erasure import NO_PHONE, Subject
from civicgrid.selections.models import Nomination, Vote


def erase_nominators(subject: Subject) -> int:
    if not subject.phone_hash:
        return 0
    return Nomination.objects.filter(phone_hash=subject.phone_hash).update(nominator="", **NO_PHONE)


def erase_votes(subject: Subject) -> int:
    """Each vote stays in its candidate's count; its phone hash becomes a mark of its own (one
    vote per phone and slot is a unique constraint), and its address and device hashes go."""
    if not subject.phone_hash:
        return 0
    return Vote.objects.filter(phone_hash=subject.phone_hash).update(
        phone_hash=Concat(Value("erased:"), Cast("pk", CharField())), ip_hash="", device_hash=""
    )
