"""Counter rows kept in step with the rows they count, in the same transaction."""

from typing import Any

from django.db import connection
from django.db.models import Model


def bump(
    model: type[Model],
    lookup: dict[str, Any],
    unit_code: str,
    deltas: dict[str, int],
    *,
    signed: bool = False,
) -> None:
    """Add `deltas` to one row, in one plain SQL statement (the ORM costs more than the
    database here). A row is born from additions: an INSERT … ON CONFLICT adds to it or
    creates it. A subtraction goes to a row that must exist, so it is a plain UPDATE — unless
    the counters are `signed` (a correction may take points back in a month of its own)."""
    table = model._meta.db_table
    names = list(deltas)
    keys = list(lookup)
    if signed or all(value >= 0 for value in deltas.values()):
        columns = [*keys, "unit_code", *names]
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
            + ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in names)
        )
        params = [*lookup.values(), unit_code, *deltas.values()]
    else:
        sql = (
            f"UPDATE {table} SET "
            + ", ".join(f"{name} = {name} + %s" for name in names)
            + " WHERE "
            + " AND ".join(f"{key} = %s" for key in keys)
        )
        params = [*deltas.values(), *lookup.values()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount == 0:
            raise RuntimeError(f"rollup row missing for a subtraction: {table} {lookup}")
