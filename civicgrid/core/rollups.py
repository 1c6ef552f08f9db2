"""Counter rows kept in step with the rows they count, in the same transaction.

A rollup table holds counters per unit and period (a day, a month…), one row per value of its
unique key. A change (a report, a step) adds deltas to some of those rows; `add_to_rollups`
writes all of them with one statement per table, because a change touches a row at every
level of the unit tree and a statement per row made most of a report's statements.

The statement is a multi-row INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n
(SQLite ≥ 3.24 and PostgreSQL both have it): a row is born from additions and added to after
that. Subtractions cannot travel in the inserted values: both databases check the proposed
row's CHECK constraints (a PositiveIntegerField's n ≥ 0) before they find the conflict, so a
−1 would be refused even for a row that exists. They go into the DO UPDATE part instead,
matched by key. A subtraction takes back what an earlier addition put in the row, so the row
exists; were it missing (a bug, or rows deleted without a rebuild), the row is created without
the subtraction, and the app's recount (`rebuild_*`, the property tests) shows the difference.
"""

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, models


class RollupDelta(NamedTuple):
    """Deltas to add to one row of a rollup table. `key` holds the values of the table's unique
    key by field name (e.g. unit_id and month); `unit_code` is written when the row is new."""

    model: type[models.Model]
    key: Mapping[str, Any]
    unit_code: str
    deltas: Mapping[str, int]


# One table's part of a change: its key's field names, and key values → (unit code, deltas).
_Rows = dict[tuple[Any, ...], tuple[str, dict[str, int]]]


def add_to_rollups(deltas: Iterable[RollupDelta], *, signed: bool = False) -> None:
    """Add every delta to its row, inside the caller's transaction: one statement per table,
    tables in the order they first appear (more only when a bulk change passes the database's
    limit of parameters per statement). Deltas for one row are summed first (PostgreSQL refuses
    to update a row twice in one statement) and zeros are skipped. Rows go in key order, so that
    concurrent changes lock the rows they share (a street's, a district's) in the same order.
    `signed` counters may be born negative (a correction taking points back in a month of its
    own); their tables must not have a CHECK n ≥ 0."""
    tables: dict[type[models.Model], tuple[tuple[str, ...], _Rows]] = {}
    for delta in deltas:
        names = tuple(delta.key)
        key_names, rows = tables.setdefault(delta.model, (names, {}))
        if names != key_names:
            raise ValueError(f"{delta.model.__name__} rows keyed by {names} and by {key_names}")
        _code, counters = rows.setdefault(tuple(delta.key.values()), (delta.unit_code, {}))
        for name, value in delta.deltas.items():
            counters[name] = counters.get(name, 0) + value
    for model, (key_names, rows) in tables.items():
        _upsert(model, key_names, rows, signed=signed)


class _Row(NamedTuple):
    key: list[Any]  # prepared for the database
    unit_code: str
    added: dict[str, int]  # goes in the inserted values
    taken: dict[str, int]  # subtractions of unsigned counters: go in the DO UPDATE part


def _concrete(field: Any) -> "models.Field[Any, Any]":
    """A rollup table's own column (never a reverse relation)."""
    assert isinstance(field, models.Field) and field.column is not None
    return field


def _upsert(
    model: type[models.Model], key_names: tuple[str, ...], rows: _Rows, *, signed: bool
) -> None:
    meta = model._meta
    key_fields = [_concrete(meta.get_field(name)) for name in key_names]
    changed = []
    for key, (unit_code, counters) in sorted(rows.items()):
        added = {name: value for name, value in counters.items() if value and (value > 0 or signed)}
        taken = {name: value for name, value in counters.items() if value < 0 and not signed}
        if added or taken:
            prepared = [
                field.get_db_prep_value(value, connection)
                for field, value in zip(key_fields, key, strict=True)
            ]
            changed.append(_Row(prepared, unit_code, added, taken))
    if not changed:
        return
    names = sorted({name for row in changed for name in (*row.added, *row.taken)})
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    key_columns = [quote(field.column) for field in key_fields]
    counter_columns = [quote(_concrete(meta.get_field(name)).column) for name in names]
    unit_code_column = quote(_concrete(meta.get_field("unit_code")).column)
    columns = [*key_columns, unit_code_column, *counter_columns]
    placeholders = f"({', '.join(['%s'] * len(columns))})"
    match = " AND ".join(f"{table}.{column} = %s" for column in key_columns)
    with connection.cursor() as cursor:
        for batch in _batches(changed, len(columns), len(key_columns)):
            params: list[Any] = []
            for row in batch:
                params += [*row.key, row.unit_code, *(row.added.get(name, 0) for name in names)]
            updates = []
            for name, column in zip(names, counter_columns, strict=True):
                expression = f"{table}.{column} + excluded.{column}"
                cases = [(row.key, row.taken[name]) for row in batch if name in row.taken]
                if cases:
                    whens = " ".join(f"WHEN {match} THEN %s" for _case in cases)
                    expression += f" + CASE {whens} ELSE 0 END"
                    for prepared, value in cases:
                        params += [*prepared, value]
                updates.append(f"{column} = {expression}")
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES {', '.join([placeholders] * len(batch))} "
                f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {', '.join(updates)}",
                params,
            )


def _batches(rows: list[_Row], width: int, key_width: int) -> Iterator[list[_Row]]:
    """Rows in runs that keep each statement within the database's number of parameters: a
    row's values, and its key and value again for each of its subtractions."""
    limit = connection.features.max_query_params
    if limit is None:
        yield rows
        return
    batch: list[_Row] = []
    used = 0
    for row in rows:
        cost = width + len(row.taken) * (key_width + 1)
        if batch and used + cost > limit:
            yield batch
            batch, used = [], 0
        batch.append(row)
        used += cost
    if batch:
        yield batch


Number = int | Decimal


class Drift(NamedTuple):
    """One counter whose kept value differs from a recount: `key` starts with the unit's id
    (or the counted row's id) and goes on with the row's period (`manage.py check_figures`)."""

    table: str
    key: tuple[Any, ...]
    counter: str
    stored: Number
    expected: Number

    def __str__(self) -> str:
        key = ", ".join(str(part) for part in self.key)
        return f"{self.table}({key}).{self.counter}: kept {self.stored}, recounted {self.expected}"


def drifts(
    table: str,
    stored: Mapping[tuple[Any, ...], Mapping[str, Number]],
    expected: Mapping[tuple[Any, ...], Mapping[str, Number]],
) -> list[Drift]:
    """Every counter where the kept rows (`stored`) and a recount (`expected`) differ, both as
    {row key: {counter: value}}; a row or counter missing on one side counts as 0."""
    found = []
    for key in sorted(stored.keys() | expected.keys(), key=repr):
        kept, counted = stored.get(key, {}), expected.get(key, {})
        for counter in sorted(kept.keys() | counted.keys()):
            if kept.get(counter, 0) != counted.get(counter, 0):
                found.append(
                    Drift(table, key, counter, kept.get(counter, 0), counted.get(counter, 0))
                )
    return found
