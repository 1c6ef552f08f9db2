"""Org unit codes as a field, and the prefix lookups that make a subtree an index range scan.

A unit code is digits only and a prefix of every descendant's code, so "rows in this subtree"
is "rows whose code starts with the root's code":

`code__under=prefix`: the row's unit code lies in the subtree whose root code is `prefix`.
`key__prefix=text`: any CharField starts with `text` (the search keys of people/search.py).

PostgreSQL: `LIKE 'prefix%'`, served by a varchar_pattern_ops index (Django adds one to every
indexed CharField). SQLite ignores indexes for LIKE with ESCAPE (what `startswith` emits), so
there it is a range on the value (BINARY collation compares bytes), which the index serves.

The lookups register when this module is imported; core's models import the field, so they are
in place once the app registry is ready.
"""

from typing import TYPE_CHECKING, Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Lookup
from django.db.models.sql.compiler import SQLCompiler

if TYPE_CHECKING:
    from django.db.models.sql.compiler import _AsSqlType

# Greater than every byte of a UTF-8 string.
_TOP = "\U0010ffff"


# Django's fields and lookups take no type arguments at run time (django-stubs declares them
# generic; its django_stubs_ext.monkeypatch would make them subscriptable, at a run-time cost).
class UnitCodeField(CharField):  # type: ignore[type-arg]
    """An org unit code: digits only, a prefix of every descendant's code; carries `under`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@CharField.register_lookup
class Prefix(Lookup):  # type: ignore[type-arg]  # as UnitCodeField: no type arguments at run time
    lookup_name = "prefix"
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> "_AsSqlType":
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} LIKE %s", (*lhs_params, f"{_like_escape(self.rhs)}%")

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> "_AsSqlType":
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return (
            f"({lhs} >= %s AND {lhs} < %s)",
            (*lhs_params, self.rhs, *lhs_params, f"{self.rhs}{_TOP}"),
        )


@UnitCodeField.register_lookup
@CharField.register_lookup
class PrefixFiltered(Prefix):
    """`prefix` that leaves the choice of index to another condition of the query: on SQLite
    the unary `+` keeps the planner off this column's index (PostgreSQL plans by statistics)."""

    lookup_name = "prefix_filtered"

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> "_AsSqlType":
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return (
            f"(+{lhs} >= %s AND +{lhs} < %s)",
            (*lhs_params, self.rhs, *lhs_params, f"{self.rhs}{_TOP}"),
        )


@UnitCodeField.register_lookup
class Under(Prefix):
    """Codes are digits only (checked in services), so nothing needs escaping."""

    lookup_name = "under"


@UnitCodeField.register_lookup
class UnderFiltered(PrefixFiltered):
    lookup_name = "under_filtered"
