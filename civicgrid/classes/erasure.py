"""What erasing a resident (core/erasure.py) does to enrolments, teachers and topic requests."""

from civicgrid.classes.models import Enrolment, Teacher, TopicRequest, TopicSupport
from civicgrid.core.erasure import ERASED_NAME, NO_PHONE, Subject


def erase_enrolments(subject: Subject) -> int:
    """Her enrolments stay in the rosters and attendance figures, without her name, phone or
    link: hers by person, by her party-member record, or by phone when linked to no one."""
    mine = subject.rows("person", "member__person")
    return Enrolment.objects.filter(mine).update(person=None, name=ERASED_NAME, **NO_PHONE)


def erase_teachers(subject: Subject) -> int:
    """A teacher-pool entry that is hers (through her party-member record, or her phone)."""
    mine = subject.rows("member__person", unlinked="")
    return Teacher.objects.filter(mine).update(name=ERASED_NAME, title="", **NO_PHONE)


def erase_topic_proposals(subject: Subject) -> int:
    """Topics she proposed (their first support is hers) keep the topic, not her name."""
    if not subject.phone_hash:
        return 0
    supports = TopicSupport.objects.filter(voter_hash=subject.phone_hash)
    proposed = [
        support.request_id
        for support in supports
        if not TopicSupport.objects.filter(
            request_id=support.request_id, pk__lt=support.pk
        ).exists()
    ]
    return TopicRequest.objects.filter(pk__in=proposed).update(proposer=ERASED_NAME)


def erase_topic_supports(subject: Subject) -> int:
    """Her supports go (the topic keeps its count)."""
    if not subject.phone_hash:
        return 0
    return TopicSupport.objects.filter(voter_hash=subject.phone_hash).delete()[0]
