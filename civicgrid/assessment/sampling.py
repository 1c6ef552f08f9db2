"""The reproducible random draw of the assessment's 查 (抽查): pure, with no database.

A draw takes a **population** (a list of distinct strings: unit codes such as
"410102006006", or ledger rows written "person:123", "household:45", "place:6"), a **seed**
(any text of 1–64 printable characters) and a **count**, and returns the sample: the `count`
members whose keyed hash ranks lowest.

    rank(member) = SHA-256 of the UTF-8 bytes of  seed + "\\n" + member,  as 64 lowercase hex digits
    sample       = the population sorted by (rank, member), the first `count` of them

Anyone can re-draw a logged draw (`models.Draw`: its population, seed and count) with a few
lines of Python and nothing but the standard library:

    import hashlib
    def draw(population, seed, count):
        rank = lambda m: (hashlib.sha256(f"{seed}\\n{m}".encode()).hexdigest(), m)
        return sorted(population, key=rank)[:count]

or by hand with any SHA-256 tool (`printf '%s\\n%s' SEED MEMBER | sha256sum` for each member,
then sort). The result does not depend on the order the population is listed in, so a
population rebuilt from the ledgers in another order draws the same sample; it is stored in a
canonical order all the same (units by code; ledger rows by kind — persons, households, places
— then id) so that two populations can be compared line by line.

The seed is random (`new_seed`: 16 hex digits from `secrets`) unless the assessor gives one,
e.g. a number read out at the assessment meeting; either way it is logged with the draw.
"""

import hashlib
import secrets
from collections.abc import Sequence

from django.utils.translation import gettext as _

from civicgrid.core.errors import InvalidInput

SEED_LENGTH = 64


def new_seed() -> str:
    """A random seed: 16 hexadecimal digits (64 bits) from the operating system's generator."""
    return secrets.token_hex(8)


def clean_seed(seed: str | None) -> str:
    """The seed as given (stripped), or a new random one when none is given; a clear error for
    one too long or holding control characters or line breaks."""
    seed = (seed or "").strip()
    if not seed:
        return new_seed()
    if len(seed) > SEED_LENGTH:
        raise InvalidInput(
            _("A seed has at most %(n)d characters.") % {"n": SEED_LENGTH}, field="seed"
        )
    if not seed.isprintable():
        raise InvalidInput(_("A seed is one line of plain characters."), field="seed")
    return seed


def rank(seed: str, member: str) -> str:
    """A member's place in the draw: the SHA-256 of `seed`, a line break and the member."""
    return hashlib.sha256(f"{seed}\n{member}".encode()).hexdigest()


def draw(population: Sequence[str], seed: str, count: int) -> list[str]:
    """The `count` members of `population` with the lowest ranks, lowest first."""
    members = [str(member) for member in population]
    if len(set(members)) != len(members):
        raise InvalidInput(_("The population lists a member twice."), field="population")
    if not seed:
        raise InvalidInput(_("A draw needs a seed."), field="seed")
    if count < 1:
        raise InvalidInput(_("Draw at least one."), field="count")
    if count > len(members):
        raise InvalidInput(
            _("Cannot draw %(count)d of %(size)d: draw at most %(size)d.")
            % {"count": count, "size": len(members)},
            field="count",
        )
    return sorted(members, key=lambda member: (rank(seed, member), member))[:count]
