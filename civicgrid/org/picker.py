"""The unit picker's search: a few units matching what was typed (name, pinyin initials or
code), each labelled with its path ("河南纺机社区 › 第1网格"), so pages never embed the whole
tree (the district has ≈9,300 units; a select of them weighed 0.5 MB and repeated "第1网格"
54 times without saying whose).

Names and their pinyin initials are kept per process and rebuilt when a unit changes: the
initials are the slow part (≈9,300 names), the key is one cheap aggregate query."""

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Max
from pypinyin import lazy_pinyin

from civicgrid.core.types import Actor
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import sees_everything, visible_prefixes

LIMIT = 20
SEPARATOR = " › "
# Kinds above which a path is not worth showing: everything in a district shares them.
_PATH_FROM = {Kind.STREET, Kind.COMMUNITY, Kind.GRID, Kind.DEDICATED_GRID, Kind.MICRO_GRID}
PUBLIC_KINDS = (Kind.COMMUNITY, Kind.GRID, Kind.DEDICATED_GRID)


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    kind: str
    initials: str
    spelled: str
    lon: float | None
    lat: float | None


@dataclass(frozen=True)
class Hit:
    code: str
    name: str
    kind: str
    kind_label: str
    path: str
    lon: float | None
    lat: float | None

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "path": self.path,
            "lon": self.lon,
            "lat": self.lat,
        }


class _Entries:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: object = None
        self._entries: dict[str, Entry] = {}

    def get(self) -> dict[str, Entry]:
        key = tuple(OrgUnit.objects.aggregate(n=Count("id"), at=Max("updated_at")).values())
        if key == self._key:
            return self._entries
        with self._lock:
            if key != self._key:
                self._entries = _build()
                self._key = key
            return self._entries


def _build() -> dict[str, Entry]:
    entries = {}
    rows = OrgUnit.objects.filter(active=True).values_list(
        "code", "name", "short_name", "kind", "centre_lon", "centre_lat"
    )
    for code, name, short_name, kind, lon, lat in rows.iterator(chunk_size=2000):
        shown = short_name or name
        syllables = lazy_pinyin(shown, errors="default")
        entries[code] = Entry(
            code=code,
            name=shown,
            kind=kind,
            initials="".join(s[:1] for s in syllables).lower(),
            spelled="".join(syllables).lower(),
            lon=lon,
            lat=lat,
        )
    return entries


_entries = _Entries()


def path_of(code: str, entries: dict[str, Entry], *, depth: int = 3) -> str:
    """The names from the street down to the unit, the last `depth` of them."""
    names = [
        entries[prefix].name
        for prefix in (code[:n] for n in range(1, len(code) + 1))
        if prefix in entries and entries[prefix].kind in _PATH_FROM
    ]
    return SEPARATOR.join(names[-depth:])


def _rank(entry: Entry, query: str) -> int | None:
    """0 best; None when the entry does not match."""
    if entry.code == query:
        return 0
    if entry.name == query:
        return 1
    if entry.name.startswith(query) or entry.code.startswith(query):
        return 2
    if query in entry.name:
        return 3
    if query.isascii():
        lowered = query.lower()
        if entry.initials.startswith(lowered) or entry.spelled.startswith(lowered):
            return 4
        if lowered in entry.initials or lowered in entry.spelled:
            return 5
    return None


def districts_of(prefixes: Iterable[str], entries: dict[str, Entry]) -> tuple[str, ...]:
    """The districts above (or at) the given codes: where a unit may transfer events to."""
    found = set()
    for code in prefixes:
        for n in range(len(code), 0, -1):
            entry = entries.get(code[:n])
            if entry is not None and entry.kind == Kind.DISTRICT:
                found.add(entry.code)
                break
        else:
            found.add(code)
    return tuple(sorted(found))


def search_units(
    user: Actor,
    query: str,
    *,
    kinds: Sequence[str] = (),
    under: str = "",
    scope: str = "mine",
    limit: int = LIMIT,
) -> list[Hit]:
    """Units matching `query` that `user` may pick, best first, at most `limit`.

    scope "mine": the units the user sees; "district": every unit of the districts the user
    is posted in (a transfer may go to a neighbouring community); "public": communities and
    grids for anyone (they are public divisions, and a resident needs them to say where)."""
    query = query.strip()
    if not query:
        return []
    entries = _entries.get()
    if scope == "public":
        prefixes: tuple[str, ...] | None = None
        kinds = [k for k in (kinds or PUBLIC_KINDS) if k in PUBLIC_KINDS]
    elif sees_everything(user):
        prefixes = None
    elif scope == "district":
        prefixes = districts_of(visible_prefixes(user), entries)
    else:
        prefixes = visible_prefixes(user)
    if prefixes == ():
        return []
    ranked = []
    for entry in entries.values():
        if kinds and entry.kind not in kinds:
            continue
        if under and not entry.code.startswith(under):
            continue
        if prefixes is not None and not entry.code.startswith(prefixes):
            continue
        rank = _rank(entry, query)
        if rank is not None:
            ranked.append((rank, len(entry.code), entry.code, entry))
    ranked.sort(key=lambda row: row[:3])
    return [
        Hit(
            code=entry.code,
            name=entry.name,
            kind=entry.kind,
            kind_label=str(Kind(entry.kind).label),
            path=path_of(entry.code, entries),
            lon=entry.lon,
            lat=entry.lat,
        )
        for *_, entry in ranked[:limit]
    ]


def label_of(code: str) -> str:
    """The path label of one unit (for a picker's initial value); "" if there is none."""
    entries = _entries.get()
    return path_of(code, entries) if code in entries else ""
