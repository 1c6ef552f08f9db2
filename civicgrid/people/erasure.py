"""Erasing a resident (core/erasure.py): who she is in plain values, and what it does to her
own record and search keys (the other apps register their own erasers)."""

from civicgrid.core.erasure import Subject
from civicgrid.people import ledger_rollups
from civicgrid.people.models import Person, PersonKey, PersonStep

# Her own record goes last, so the other erasers can still follow links to it.
PERSON_LAST = 100


def subject_of(person: Person) -> Subject:
    return Subject(
        person_id=person.pk,
        name=person.name,
        unit_code=person.unit_code,
        household_id=person.household_id,
        id_hash=person.id_hash,
        phone_hash=person.phone_hash,
    )


def erase_keys(subject: Subject) -> int:
    return PersonKey.objects.filter(person_id=subject.person_id).delete()[0]


def erase_steps(subject: Subject) -> int:
    """Her record's log: who recorded her and when she left are about her."""
    return PersonStep.objects.filter(person_id=subject.person_id).delete()[0]


def erase_person(subject: Subject) -> int:
    """The record itself: ciphertexts, hashes, tags and keys go with the row; her counts (and
    her household's head, if she was it) leave the ledger rollup."""
    change = ledger_rollups.Change(persons=[subject.person_id])
    erased = Person.objects.filter(pk=subject.person_id).delete()[0]
    change.commit()
    return erased
