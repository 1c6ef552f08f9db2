"""Monthly partitions of the events and their step log on PostgreSQL (issue 15).

An event's id encodes the day it was reported (`events.numbering`: ``yyyymmdd × 10⁶ + n``), so
``events_event`` is partitioned BY RANGE (id), one partition per month, and its step log
``events_eventstep`` BY RANGE (event_id) with the same bounds: an event and its whole history
sit in the partitions of the month it was reported. A year of a city's events is then twelve
tables of a month each, queried through one parent, and an old month is archived by detaching
its two partitions (docs/partitions.md).

Rows whose id is not in any month's range land in the DEFAULT partition: events made before ids
encoded the day (small ids from the identity sequence, as tests still make them), and events of a
month whose partition does not exist yet. Creating that month's partition moves them out.

What a partitioned table cannot have, and what stands in for it:

- A UNIQUE constraint must include the partition key. ``id`` is the key, so ``PRIMARY KEY (id)``
  stays and every other table keeps its plain foreign key to ``events_event(id)``.
- ``number`` (``E<yyyymmdd>-<nnnnnn>``) gets a UNIQUE index on each partition. That is global
  uniqueness: a CHECK on the parent (``number_from_id``) makes the number of every row with an
  encoded id a function of its id (the same day and sequence), and ids are unique, so two such rows
  never share a number wherever they lie; rows with small ids all lie in the DEFAULT partition,
  whose own unique index covers them, and their numbers were taken before the day counters, which
  were seeded past them (migration 0008).
- ``token`` (24 random URL-safe characters, 144 bits from `secrets`) also gets a UNIQUE index per
  partition. Across partitions its uniqueness rests on randomness: the chance of two equal tokens
  among a billion events is about 10⁻²⁵.
- The step log's primary key is ``(id, event_id)`` in the database while Django keeps ``id`` as
  the pk (ids still come from one identity sequence, so ``id`` alone stays unique in practice).
  A foreign key to ``id`` alone is impossible, so `EventPhoto.step` is ``db_constraint=False`` in
  the model and the database holds a composite key ``(step_id, event_id) → (id, event_id)``
  instead: a photo's step is its own event's step, and a step never vanishes under a photo.

Nothing here runs on SQLite: every function answers at once there.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, InvalidInput
from civicgrid.events import numbering

EVENTS = "events_event"
STEPS = "events_eventstep"
PHOTOS = "events_eventphoto"
# Each partitioned table and its partition key; events first (the step log refers to them).
TABLES = {EVENTS: "id", STEPS: "event_id"}
# Columns unique on each partition instead of on the table (see above).
PER_PARTITION_UNIQUE = {EVENTS: ("number", "token")}
AHEAD = 3  # months kept created ahead of this one by the daily job
LOCK_KEY = 15_0001  # pg_advisory_xact_lock: one partition maintenance at a time
PHOTO_STEP_FK = "events_eventphoto_step_in_event_fk"
NUMBER_CHECK = "events_event_number_from_id"
ENCODED_FROM = numbering.PER_DAY * 1000_01_01  # the smallest id that encodes a day (year 1000)


@dataclass(frozen=True)
class Partition:
    table: str
    name: str
    month: dt.date | None  # None: the DEFAULT partition
    rows: int  # the planner's estimate (pg_class.reltuples), not a count


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from `first`'s to `last`'s, both included."""
    out, month = [], month_of(first)
    while month <= month_of(last):
        out.append(month)
        month = add_months(month, 1)
    return out


def bounds(month: dt.date) -> tuple[int, int]:
    return numbering.id_range(month, add_months(month, 1))


def partition_name(table: str, month: dt.date | None) -> str:
    return f"{table}_default" if month is None else f"{table}_y{month:%Y}m{month:%m}"


def parse_month(text: str) -> dt.date:
    """`2026-12` → 2026-12-01; a clear error for anything else."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", (text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise InvalidInput(_("A month is written YYYY-MM, e.g. 2026-12."), field="month")
    return dt.date(int(match[1]), int(match[2]), 1)


def _connection(using: str) -> BaseDatabaseWrapper:
    return connections[using]


def is_partitioned(table: str = EVENTS, using: str = "default") -> bool:
    connection = _connection(using)
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND c.relnamespace = to_regnamespace(current_schema())",
            [table],
        )
        return cursor.fetchone() is not None


def partitions(using: str = "default") -> list[Partition]:
    """Every partition of the events and the step log, by table then month (DEFAULT last)."""
    if not is_partitioned(using=using):
        return []
    out = []
    with _connection(using).cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                "SELECT c.relname, c.reltuples::bigint FROM pg_inherits i "
                "JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
                [table],
            )
            for name, rows in cursor.fetchall():
                match = re.fullmatch(rf"{table}_y(\d{{4}})m(\d{{2}})", name)
                month = dt.date(int(match[1]), int(match[2]), 1) if match else None
                out.append(Partition(table, name, month, max(int(rows), 0)))
    return sorted(out, key=lambda p: (list(TABLES).index(p.table), p.month or dt.date.max))


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return bool(cursor.fetchone()[0])


def _create(cursor, table: str, month: dt.date | None, parent: str | None = None) -> None:
    """One partition of `table` (empty: rows to move are moved by the caller)."""
    name = partition_name(table, month)
    parent = parent or table
    if month is None:
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {parent} DEFAULT")
    else:
        low, high = bounds(month)
        cursor.execute(
            f"CREATE TABLE {name} PARTITION OF {parent} FOR VALUES FROM ({low}) TO ({high})"
        )
    for column in PER_PARTITION_UNIQUE.get(table, ()):
        cursor.execute(f"CREATE UNIQUE INDEX {name}_{column}_key ON {name} ({column})")


def _create_month(cursor, month: dt.date) -> bool:
    """The month's partitions of both tables, moving its rows out of the DEFAULT partitions."""
    if _exists(cursor, partition_name(EVENTS, month)):
        return False
    low, high = bounds(month)
    waiting = []
    for table, key in TABLES.items():
        default = partition_name(table, None)
        if _exists(cursor, default):
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {default} WHERE {key} >= %s AND {key} < %s)",
                [low, high],
            )
            if cursor.fetchone()[0]:
                waiting.append((table, key, default))
    # Foreign keys to the events and steps are checked against the partition a row lies in, so
    # rows cannot leave the DEFAULT partition under them: the keys are dropped for the move and
    # made again (checked again over their whole tables) in the same transaction. Only a month
    # whose events arrived before its partition pays this; the daily job creates months ahead.
    keys = _foreign_keys_to_partitioned(cursor) if waiting else []
    if keys:
        # Checks still pending in this transaction are done now: a table with pending checks
        # cannot be altered. (Django's keys are all INITIALLY DEFERRED, restored below.)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for other, name, _definition in keys:
        cursor.execute(f"ALTER TABLE {other} DROP CONSTRAINT {name}")
    for table, key, default in waiting:
        cursor.execute(
            f"CREATE TEMPORARY TABLE _moving_{table} ON COMMIT DROP AS "
            f"SELECT * FROM {default} WHERE {key} >= %s AND {key} < %s",
            [low, high],
        )
        cursor.execute(f"DELETE FROM {default} WHERE {key} >= %s AND {key} < %s", [low, high])
    for table in TABLES:
        _create(cursor, table, month)
    for table, _key, _default in waiting:
        cursor.execute(f"INSERT INTO {table} SELECT * FROM _moving_{table}")
        cursor.execute(f"DROP TABLE _moving_{table}")
    for other, name, definition in keys:
        cursor.execute(f"ALTER TABLE {other} ADD CONSTRAINT {name} {definition}")
    if keys:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return True


def _foreign_keys_to_partitioned(cursor) -> list[tuple]:
    """Every foreign key (as declared, not its per-partition clones) to the events or steps:
    (table, name, definition)."""
    return _fetch(
        cursor,
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid = ANY(%s::regclass[]) AND conparentid = 0 "
        "ORDER BY 1, 2",
        [list(TABLES)],
    )


def ensure(first_month: dt.date, last_month: dt.date, using: str = "default") -> list[dt.date]:
    """Create the monthly partitions of both tables from `first_month` to `last_month` (included)
    that do not exist yet; the months created. Idempotent; nothing at all on SQLite or before the
    tables are partitioned. Rows of those months waiting in the DEFAULT partition are moved."""
    if not is_partitioned(using=using):
        return []
    wanted = months(first_month, last_month)
    connection = _connection(using)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s)",
            [[partition_name(EVENTS, m) for m in wanted]],
        )
        have = {row[0] for row in cursor.fetchall()}
    missing = [m for m in wanted if partition_name(EVENTS, m) not in have]
    if not missing:
        return []  # the daily case: no lock taken at all
    created = []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        # Creating a partition locks the parent briefly; never queue reports behind a long wait.
        cursor.execute("SET LOCAL lock_timeout = '10s'")
        for month in missing:
            if _create_month(cursor, month):
                created.append(month)
    return created


def ensure_ahead(today: dt.date | None = None, using: str = "default") -> list[dt.date]:
    """This month and the next `AHEAD` (the daily job)."""
    month = month_of(today or timezone.localdate())
    return ensure(month, add_months(month, AHEAD), using=using)


def _dependents(cursor, month: dt.date) -> list[tuple[str, int]]:
    """Rows of other tables that refer to the month's events or steps: (table, count)."""
    low, high = bounds(month)
    cursor.execute(
        "SELECT DISTINCT c.conrelid::regclass::text, a.attname FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND c.confrelid = ANY(%s::regclass[]) "
        "AND c.conrelid <> ALL(%s::regclass[]) AND c.conparentid = 0",
        [list(TABLES), list(TABLES)],
    )
    found = []
    columns = {}
    for table, column in cursor.fetchall():
        columns[table] = "event_id" if table == PHOTOS else column
    for table, key in sorted(columns.items()):
        cursor.execute(
            f"SELECT count(*) FROM {table} WHERE {key} >= %s AND {key} < %s", [low, high]
        )
        count = cursor.fetchone()[0]
        if count:
            found.append((table, count))
    return found


def detach(month: dt.date, using: str = "default") -> list[str]:
    """Detach the month's partitions of both tables (the tables stay, for pg_dump then DROP).
    Refused while rows of other tables (photos, whistles, quick notes…) still refer to them."""
    if not is_partitioned(using=using):
        raise Conflict(_("The events are not partitioned on this database."))
    names = [partition_name(table, month) for table in TABLES]
    connection = _connection(using)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        if not _exists(cursor, names[0]):
            raise Conflict(_("There is no partition for %(month)s.") % {"month": f"{month:%Y-%m}"})
        dependents = _dependents(cursor, month)
        if dependents:
            raise Conflict(
                _("Rows of other tables still refer to the events of %(month)s: %(rows)s.")
                % {
                    "month": f"{month:%Y-%m}",
                    "rows": ", ".join(f"{table} {count}" for table, count in dependents),
                }
            )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks on altered tables
        for table, name in reversed(list(zip(TABLES, names, strict=True))):
            cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")
            # A detached table keeps its foreign keys; the steps' key to the events would hold
            # the month's events in place. The two tables are archived together instead.
            for (constraint,) in _fetch(
                cursor,
                "SELECT conname FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid = %s::regclass AND confrelid = %s::regclass",
                [name, EVENTS],
            ):
                cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {constraint}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return names


# ---- turning the plain tables into partitioned ones (migration 0009) and back ----


def _fetch(cursor, sql: str, params=None) -> list[tuple]:
    cursor.execute(sql, params or [])
    return cursor.fetchall()


def _rebuild(cursor, table: str, key: str | None, month_list: list[dt.date]) -> None:
    """Rebuild `table` as partitioned BY RANGE (`key`) with `month_list` and DEFAULT, or as a
    plain table when `key` is None: same columns, defaults, identity, checks, indexes, foreign
    keys, and every foreign key that refers to it re-pointed; the rows moved over."""
    referring = _fetch(
        cursor,
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid = %s::regclass AND conrelid <> %s::regclass "
        "AND conparentid = 0",
        [table, table],
    )
    own_fks = _fetch(
        cursor,
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = %s::regclass AND conparentid = 0",
        [table],
    )
    keys = _fetch(  # primary key and unique constraints: (name, type, columns)
        cursor,
        "SELECT c.conname, c.contype, array_agg(a.attname ORDER BY k.i) FROM pg_constraint c "
        "CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, i) "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
        "WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u') AND c.conparentid = 0 "
        "GROUP BY c.conname, c.contype",
        [table],
    )
    indexes = _fetch(  # indexes that back no constraint
        cursor,
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
        "AND c.conrelid = i.indrelid)",
        [table],
    )
    sequence = _fetch(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [table])[0][0]
    last_value = _fetch(cursor, f"SELECT last_value, is_called FROM {sequence}")[0]
    for other, name, _definition in referring:
        if key is not None and table == STEPS:
            # Steps' (id) is not unique on its own once partitioned: only the photo's
            # composite key (made below) may refer to them.
            raise RuntimeError(f"{other}.{name} refers to {table}(id); see partitions.py")
        cursor.execute(f"ALTER TABLE {other} DROP CONSTRAINT {name}")
    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {NUMBER_CHECK}")

    new = f"{table}_new"
    partition_by = f" PARTITION BY RANGE ({key})" if key else ""
    cursor.execute(
        f"CREATE TABLE {new} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY "
        f"INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS){partition_by}"
    )
    if key:
        for month in month_list:
            _create(cursor, table, month, parent=new)
        _create(cursor, table, None, parent=new)
    cursor.execute(f"INSERT INTO {new} SELECT * FROM {table}")
    cursor.execute(f"DROP TABLE {table} CASCADE")
    cursor.execute(f"ALTER TABLE {new} RENAME TO {table}")
    new_sequence = _fetch(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [table])[0][0]
    cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {table}_id_seq")
    cursor.execute(f"SELECT setval('{table}_id_seq', %s, %s)", list(last_value))
    # Keys and indexes after the rows: one build each instead of one update per row.
    for name, kind, columns in keys:
        if key and key not in columns:
            if kind == "p":
                columns = [*columns, key]
            else:
                continue  # unique per partition (PER_PARTITION_UNIQUE)
        label = "PRIMARY KEY" if kind == "p" else "UNIQUE"
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {label} ({', '.join(columns)})")
    for (definition,) in indexes:
        cursor.execute(definition.replace(" ON ONLY ", " ON "))
    if not key:
        for column in PER_PARTITION_UNIQUE.get(table, ()):
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_key UNIQUE ({column})"
            )
    for name, definition in own_fks:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for other, name, definition in referring:
        cursor.execute(f"ALTER TABLE {other} ADD CONSTRAINT {name} {definition}")


def _number_check(cursor) -> None:
    cursor.execute(
        f"ALTER TABLE {EVENTS} ADD CONSTRAINT {NUMBER_CHECK} CHECK (id < {ENCODED_FROM} OR "
        f"number = 'E' || (id / {numbering.PER_DAY})::text || '-' || "
        f"lpad((id % {numbering.PER_DAY})::text, 6, '0'))"
    )


def partition_tables(connection: BaseDatabaseWrapper) -> None:
    """Migration 0009: partition both tables by month; nothing on SQLite."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {EVENTS} WHERE id >= {ENCODED_FROM}")
        low, high = cursor.fetchone()
        today = month_of(timezone.localdate())
        first = today if low is None else min(today, _month_of_id(low))
        last = (
            add_months(today, AHEAD)
            if high is None
            else max(add_months(today, AHEAD), _month_of_id(high))
        )
        cursor.execute(f"ALTER TABLE {PHOTOS} DROP CONSTRAINT IF EXISTS {PHOTO_STEP_FK}")
        for table, key in TABLES.items():
            _rebuild(cursor, table, key, months(first, last))
        _number_check(cursor)
        cursor.execute(
            f"ALTER TABLE {PHOTOS} ADD CONSTRAINT {PHOTO_STEP_FK} FOREIGN KEY (step_id, event_id) "
            f"REFERENCES {STEPS} (id, event_id) DEFERRABLE INITIALLY DEFERRED"
        )


def unpartition_tables(connection: BaseDatabaseWrapper) -> None:
    """Migration 0009 backwards: plain tables again, every row kept."""
    if connection.vendor != "postgresql" or not is_partitioned(using=connection.alias):
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {PHOTOS} DROP CONSTRAINT IF EXISTS {PHOTO_STEP_FK}")
        for table in reversed(TABLES):
            _rebuild(cursor, table, None, [])
        cursor.execute(f"ALTER TABLE {STEPS} DROP CONSTRAINT IF EXISTS {STEPS}_pkey")
        cursor.execute(f"ALTER TABLE {STEPS} ADD CONSTRAINT {STEPS}_pkey PRIMARY KEY (id)")


def _month_of_id(event_id: int) -> dt.date:
    day = str(event_id // numbering.PER_DAY)
    return dt.date(int(day[:4]), int(day[4:6]), 1)
