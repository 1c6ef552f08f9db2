"""Event numbers and ids from one counter row per day: never refused, never taken twice.

An event's number is ``E<yyyymmdd>-<nnnnnn>``: the day it was reported (Asia/Shanghai) and its
place in that day. The day's counter (`DayCounter`) is bumped with one atomic upsert,
``INSERT … ON CONFLICT (day) DO UPDATE SET last = last + n RETURNING last``, the same statement on
PostgreSQL and SQLite (3.35+), so any number of reports at once each get their own number at the
first try. Taking the highest number + 1 instead refused 42 % of reports at 8 clients on
PostgreSQL (issue 15).

The bump commits on its own when the caller holds no transaction, so the day's row is locked for
one statement, not for the whole report (photos, notifications, rollups). A caller that holds a
transaction (an Idempotency-Key's claim, a quick note's lock) takes the number before it and hands
it to `report_event` (`ident`). A report that fails
after taking its number leaves a gap in the day's numbers; numbers are unique, not gapless.

The event's primary key comes from the same pair: ``yyyymmdd × 10⁶ + n``. Ids thus grow with the
day of reporting, so PostgreSQL can partition the events by month on ranges of id while every
other table keeps a plain foreign key to them.
"""

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict
from civicgrid.events.models import DayCounter

PER_DAY = 1_000_000  # numbers per day: six digits


def day_of(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def number(day: dt.date, sequence: int) -> str:
    return f"E{day:%Y%m%d}-{sequence:06d}"


def event_id(day: dt.date, sequence: int) -> int:
    return int(f"{day:%Y%m%d}") * PER_DAY + sequence


def id_range(first: dt.date, end: dt.date) -> tuple[int, int]:
    """The ids of events reported from day `first` up to (not including) day `end`."""
    return event_id(first, 0), event_id(end, 0)


def reserve(day: dt.date, count: int = 1) -> range:
    """`count` consecutive sequence numbers of `day`, taken at once for this caller alone."""
    if count < 1:
        raise ValueError("count must be 1 or more")
    table = connection.ops.quote_name(DayCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} (day, last) VALUES (%s, %s) "
        f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + excluded.last RETURNING last"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [day, count])
        last = cursor.fetchone()[0]
    if last >= PER_DAY:
        raise Conflict(_("The day's event numbers are used up."))
    return range(last - count + 1, last + 1)


def take(at: dt.datetime) -> tuple[int, str]:
    """The id and number of one event reported at `at`."""
    day = day_of(at)
    sequence = reserve(day)[0]
    return event_id(day, sequence), number(day, sequence)
