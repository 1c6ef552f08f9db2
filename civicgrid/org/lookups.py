"""Prefix lookups served by an index on SQLite and PostgreSQL alike.

`code__under=prefix`: the row's unit code lies in the subtree whose root code is `prefix`.
`key__prefix=text`: any CharField starts with `text` (the search keys of people/search.py).

PostgreSQL: `LIKE 'prefix%'`, served by a varchar_pattern_ops index (Django adds one to every
indexed CharField). SQLite ignores indexes for LIKE with ESCAPE (what `startswith` emits), so
there it is a range on the value (BINARY collation compares bytes), which the index serves.
"""

from django.db.models import CharField, Lookup

from civicgrid.org.fields import UnitCodeField

# Greater than every byte of a UTF-8 string.
_TOP = "\U0010ffff"


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@CharField.register_lookup
class Prefix(Lookup):
    lookup_name = "prefix"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} LIKE %s", [*lhs_params, f"{_like_escape(self.rhs)}%"]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return (
            f"({lhs} >= %s AND {lhs} < %s)",
            [*lhs_params, self.rhs, *lhs_params, f"{self.rhs}{_TOP}"],
        )


@UnitCodeField.register_lookup
@CharField.register_lookup
class PrefixFiltered(Prefix):
    """`prefix` that leaves the choice of index to another condition of the query: on SQLite
    the unary `+` keeps the planner off this column's index (PostgreSQL plans by statistics)."""

    lookup_name = "prefix_filtered"

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return (
            f"(+{lhs} >= %s AND +{lhs} < %s)",
            [*lhs_params, self.rhs, *lhs_params, f"{self.rhs}{_TOP}"],
        )


@UnitCodeField.register_lookup
class Under(Prefix):
    """Codes are digits only (checked in services), so nothing needs escaping."""

    lookup_name = "under"


@UnitCodeField.register_lookup
class UnderFiltered(PrefixFiltered):
    lookup_name = "under_filtered"
