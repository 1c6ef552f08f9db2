"""`code__under=prefix`: the row's code lies in the subtree whose root code is `prefix`.

PostgreSQL: `LIKE 'prefix%'`, served by the varchar_pattern_ops index Django adds to every
indexed CharField. SQLite ignores indexes for LIKE with ESCAPE (what `startswith` emits), so
there it is a range on the code (BINARY collation compares bytes), which the index serves.
Codes are digits only (checked in services), so no LIKE wildcard can appear in a prefix.
"""

from django.db.models import Lookup

from civicgrid.org.fields import UnitCodeField

# Greater than every byte of a UTF-8 string of digits.
_TOP = "\U0010ffff"


@UnitCodeField.register_lookup
class Under(Lookup):
    lookup_name = "under"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} LIKE %s", [*lhs_params, f"{self.rhs}%"]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return (
            f"({lhs} >= %s AND {lhs} < %s)",
            [*lhs_params, self.rhs, *lhs_params, f"{self.rhs}{_TOP}"],
        )
