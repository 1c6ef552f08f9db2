"""Where a code lies in the tree: whether it is under another, and the district, street and
community above it.

A code's length does not name its level: a community, a dedicated grid hanging on a street
and a street's department all have 12 digits, and a district's department has a street's 9.
So the level is read from the kinds of the units above (one query on the unique code index),
never from a slice of the code.
"""

from itertools import pairwise

from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.selectors import code_prefixes


def is_under(code: str, root: str) -> bool:
    """Whether `code` lies in the subtree of `root` (`root` itself included): the `under`
    lookup, for a row already loaded."""
    return code.startswith(root)


def _chain(code: str) -> list[tuple[str, str]]:
    """(code, kind) of the units at and above `code`, top first."""
    return list(
        OrgUnit.objects.filter(code__in=code_prefixes(code))
        .order_by("code")
        .values_list("code", "kind")
    )


def levels_of(code: str) -> dict[str, str]:
    """Kind → code of the units at and above `code`, in one query: for a caller that needs
    several levels of one code."""
    return {kind: found for found, kind in _chain(code)}


def ancestor_of(code: str, kind: str) -> str | None:
    """The code of the unit of `kind` at or above `code` (`code` itself when its unit is of
    that kind); None when the chain has none: a dedicated grid or a department hanging on a
    street lies in no community, a district's department in no street."""
    return levels_of(code).get(kind)


def district_of(code: str) -> str | None:
    """The code of the district at or above `code`."""
    return ancestor_of(code, Kind.DISTRICT)


def street_of(code: str) -> str | None:
    """The code of the street at or above `code`."""
    return ancestor_of(code, Kind.STREET)


def community_of(code: str) -> str | None:
    """The code of the community at or above `code`."""
    return ancestor_of(code, Kind.COMMUNITY)


def neighbourhood_of(code: str) -> str | None:
    """The code of the unit on `code`'s chain that hangs on a street: its community, or the
    dedicated grid or department standing beside the communities. None at a street or above,
    or beside every street (a district's department)."""
    chain = _chain(code)
    for (_above, kind), (below, _kind) in pairwise(chain):
        if kind == Kind.STREET:
            return below
    return None
