"""Erasure (PIPL's right to deletion): one registry of every model whose rows hold a person's
personal data, so deleting a person reaches all of them.

Each app registers, in its AppConfig.ready, one eraser per model that can hold a resident's
data (core imports no app: the arrows point down). `people.services.delete_person` builds the
Subject and calls `erase`; a test walks every model and fails when one that links to a person
or keeps a phone or ID hash is missing here, so the next app cannot forget.

An eraser takes the Subject and blanks or deletes what its rows hold of her, keeping what an
append-only ledger or a figure needs (a points ledger, hours served, a count of supports).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from civicgrid.core import privacy

# What replaces a name that must go but whose row stays (a ledger, a roster). Stored data,
# not a message: the same in every language.
ERASED_NAME = "已删除"


@dataclass(frozen=True)
class Subject:
    """Whom to erase, in plain values: the person's record id, name, unit code and household
    id, and the keyed hashes of her ID-card and phone numbers ("" when none)."""

    person_id: int
    name: str
    unit_code: str
    household_id: int | None = None
    id_hash: str = ""
    phone_hash: str = ""

    def rows(self, *links: str, phone: str = "phone_hash", unlinked: str = "person") -> Q:
        """Her rows: linked to her record through any of `links` (e.g. "person",
        "member__person"), or holding her phone's hash in `phone` while linked to no one
        through `unlinked` (any row with her phone when `unlinked` is "")."""
        mine = Q(pk__in=[])
        for link in links:
            mine |= Q(**{f"{link}_id": self.person_id})
        if self.phone_hash:
            by_phone = Q(**{phone: self.phone_hash})
            mine |= by_phone & Q(**{f"{unlinked}__isnull": True}) if unlinked else by_phone
        return mine


# What a sealed phone (core.models.SealedPhone) becomes when its owner is erased.
NO_PHONE = privacy.PHONE.values("")


Eraser = Callable[[Subject], int]

# label ("app_label.ModelName") -> (order, eraser); erasers that follow links run first.
_ERASERS: dict[str, tuple[int, Eraser]] = {}


def register(label: str, eraser: Eraser, *, order: int = 0) -> None:
    """Register what erases a person's data from the model `label`. A higher `order` runs
    later (the person's own record last, so the others can still follow links to it)."""
    _ERASERS[label] = (order, eraser)


def registered() -> frozenset[str]:
    return frozenset(_ERASERS)


def erase(subject: Subject) -> dict[str, int]:
    """Run every eraser (in one transaction: the caller's); returns rows touched per model."""
    ordered = sorted(_ERASERS.items(), key=lambda item: item[1][0])
    return {label: eraser(subject) for label, (_order, eraser) in ordered}
