"""Know every household (提户知人): the search keys of a person and how a query becomes key
ranges.

A person has a handful of keys: the name and its tail (given name), the name's pinyin and
initials (with a surname's other reading: 单 shan/dan), the estate, building, building unit and
room of their house, and keyed hashes of ID and phone numbers (never the numbers). A query is
split into words; each word is a prefix range over the keys (a hash for an ID or phone
number, which must match whole), and a person must match every word. One index on
(key, unit_code) answers it on SQLite and PostgreSQL alike, so a lookup costs the same in a
grid of 1 500 people or a district of a million.
"""

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

from civicgrid.core import privacy

ID_HASH = "#i"
PHONE_HASH = "#p"
_ID_LIKE = re.compile(r"\d{17}[\dXx]")
_PHONE_LIKE = re.compile(r"(\+?86)?(1[3-9]\d{9}|0\d{9,11})")
_MAX_READINGS = 4


def _readings(text: str, style: Style) -> list[tuple[str, ...]]:
    """Readings of `text`, one syllable per character: each reading of the first character
    (a surname may read differently: 单 shan, 曾 zeng) with the usual reading of the rest."""
    if not text:
        return []
    first = pinyin(text[0], style=style, heteronym=True, errors="default")[0]
    rest = tuple(lazy_pinyin(text[1:], style=style, errors="default"))
    return [(syllable, *rest) for syllable in first[:_MAX_READINGS]]


@lru_cache(maxsize=65_536)
def name_keys(name: str) -> frozenset[str]:
    """A name's keys (cached: names repeat, and pinyin is the slow part of a key)."""
    name = name.strip().lower()
    if not name:
        return frozenset()
    keys = {name}
    if len(name) >= 3:
        keys.add(name[1:])  # the given name, after a one-character surname
    for syllables in _readings(name, Style.NORMAL):
        keys.add("".join(syllables))
        if len(syllables) >= 3:
            keys.add("".join(syllables[1:]))
    for letters in _readings(name, Style.FIRST_LETTER):
        keys.add("".join(letters))
    return frozenset(key for key in keys if key)


@lru_cache(maxsize=65_536)
def address_keys(estate: str, building: str, entrance: int | None, room: str) -> frozenset[str]:
    """'保利百合', 'blbh', '3号楼', '保利百合3号楼', '2单元', '501', '3-2-501'."""
    estate, building, room = estate.strip().lower(), building.strip().lower(), room.strip().lower()
    keys = {estate, building, room, f"{estate}{building}"}
    keys.update("".join(letters) for letters in _readings(estate, Style.FIRST_LETTER)[:1])
    if entrance:
        keys.add(f"{entrance}单元")
        number = re.match(r"\d+", building)
        if number and room:
            keys.add(f"{number.group()}-{entrance}-{room}")
    return frozenset(key for key in keys if key)


def initials(name: str) -> str:
    """A name's pinyin initials in their usual reading: 张秀英 → zxy."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()


def hashed_key(kind: str, keyed_hash: str) -> str:
    """The key of a number from its keyed hash (ID_HASH or PHONE_HASH)."""
    return f"{kind}{keyed_hash[:40]}"


def hash_key(kind: str, number: str) -> str:
    return hashed_key(kind, privacy.blind_index(number))


def keys_for(person, house=None) -> set[str]:
    """Every search key of `person`, living at `house` (a House with its building, or None)."""
    keys = set(name_keys(person.name))
    if person.former_name:
        keys |= name_keys(person.former_name)
    if house is not None:
        keys |= address_keys(house.building.estate, house.building.name, house.entrance, house.room)
    if person.id_hash:
        keys.add(hashed_key(ID_HASH, person.id_hash))
    if person.phone_hash:
        keys.add(hashed_key(PHONE_HASH, person.phone_hash))
    return keys


def number_fields(query: str, limit: int = 5) -> list[str]:
    """The numbers a query holds whole, as the fields they match ("id_number", "phone"), among
    the words `words` reads: such a search tells whose number it is, like a reveal."""
    fields = []
    for word in query.split()[:limit]:
        if _ID_LIKE.fullmatch(word):
            fields.append("id_number")
        elif _PHONE_LIKE.fullmatch(word.replace("-", "")):
            fields.append("phone")
    return fields


def words(query: str, limit: int = 5) -> list[tuple[str, bool]]:
    """The words of a query as (key, exact): an ID or phone number becomes its hash key,
    matched whole; anything else is a lower-cased prefix. At most `limit` words."""
    result = []
    for word in query.split()[:limit]:
        if _ID_LIKE.fullmatch(word):
            result.append((hash_key(ID_HASH, word.upper()), True))
        elif _PHONE_LIKE.fullmatch(word.replace("-", "")):
            phone = re.sub(r"^\+?86(?=1)", "", word.replace("-", ""))
            result.append((hash_key(PHONE_HASH, phone), True))
        elif word.strip("#"):
            # Hash keys are never prefixes of what a person types.
            result.append((word.lower().strip("#"), False))
    return result
