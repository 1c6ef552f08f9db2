"""What erasing a resident (core/erasure.py) does to the send log, consents and codes."""

from civicgrid.core.erasure import Subject
from civicgrid.messaging.models import Consent, Message, Status, VerificationCode


def erase_messages(subject: Subject) -> int:
    """Messages to her phone keep their status for the figures, not her masked number, its
    hash or an undelivered text; a queued one is given up."""
    if not subject.phone_hash:
        return 0
    mine = Message.objects.filter(recipient_hash=subject.phone_hash)
    mine.filter(status=Status.QUEUED).update(status=Status.FAILED, next_attempt_at=None)
    return mine.update(recipient_hash="", recipient_masked="", sealed="")


def erase_consents(subject: Subject) -> int:
    if not subject.phone_hash:
        return 0
    return Consent.objects.filter(recipient_hash=subject.phone_hash).delete()[0]


def erase_codes(subject: Subject) -> int:
    if not subject.phone_hash:
        return 0
    return VerificationCode.objects.filter(phone_hash=subject.phone_hash).delete()[0]
