"""History import (历史数据导入): a district's past events, loaded from its old platform with
their real times, so that the four rates of those years are the old platform's own.

A file (CSV or .xlsx) has one row per request, its columns named as in Open311 GeoReport v2
where Open311 has a name (docs/history-import.md). An import is all or nothing:

1. **Check** the whole file, reading only, outside any transaction: every row's fields and times,
   its category (through `CategoryMapping`), its place (a point inside the district's grids, or
   a unit code), its id (twice in the file is an error; imported before is skipped). Any bad
   row rejects the file with every bad row's number, column and reason; unknown category codes
   are listed together, never guessed.
2. **Write** in chunks of short transactions (`CHUNK` rows): the events, their step logs, their
   work orders and their contributions to the rollups together, so the rollups always equal a
   recount and live reports wait at most one chunk for the write lock. Event ids and numbers
   come from the day counters (events.numbering) of the day each was reported, reserved per day
   before writing; on PostgreSQL the months the file needs are partitioned before writing.
3. If a chunk fails, the chunks already written are taken back (`undo`: their contributions
   subtracted, their events deleted), so nothing of the file stays.

Imported events never notify anyone, and an open event past its deadlines is marked as raised
for them (`escalated_for`), so the escalation job does not raise years of history the moment it
lands; it is still counted overdue.
"""

import csv
import datetime as dt
import io
import logging
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from civicgrid.core.cleaning import plain_text
from civicgrid.core.errors import CivicgridError, InvalidInput
from civicgrid.core.rollups import RollupDelta, add_to_rollups
from civicgrid.events import numbering, partitions, rollups
from civicgrid.events.models import (
    Category,
    Event,
    EventStep,
    Satisfaction,
    Source,
    Status,
    StepAction,
    new_token,
)
from civicgrid.events.workdays import add_working_days, add_working_hours
from civicgrid.interop.models import CategoryMapping, HistoryImport, WorkOrder
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.selectors import units_at
from civicgrid.org.tree import is_under
from civicgrid.people.ledgers import ImportRejected, check_archive, discard_file_if_ended

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
A = StepAction
S = Status

# The columns read (lower case; any order; others ignored).
COLUMNS = (
    "service_request_id",
    "source",
    "service_code",
    "description",
    "lat",
    "long",
    "address_id",
    "requested_datetime",
    "expected_datetime",
    "accepted_datetime",
    "closed_datetime",
    "status",
    "agency_responsible",
    "rating",
)
REQUIRED = ("service_request_id", "service_code", "requested_datetime", "status")
# Errors kept on a rejected job; the rest are counted in one last line.
MAX_ERRORS = 500
# Rows per write transaction: a live report waits at most for one (about a second on SQLite).
CHUNK = 500

# rating → (satisfaction, solved). Open311 has no rating; old platforms keep 1–5 stars or the
# three answers of a follow-up call (满意/基本满意/不满意).
RATINGS: dict[str, tuple[str, bool]] = {
    "5": (Satisfaction.SATISFIED, True),
    "4": (Satisfaction.SATISFIED, True),
    "3": (Satisfaction.BASICALLY_SATISFIED, True),
    "2": (Satisfaction.DISSATISFIED, False),
    "1": (Satisfaction.DISSATISFIED, False),
    "satisfied": (Satisfaction.SATISFIED, True),
    "basically_satisfied": (Satisfaction.BASICALLY_SATISFIED, True),
    "dissatisfied": (Satisfaction.DISSATISFIED, False),
    "非常满意": (Satisfaction.SATISFIED, True),
    "满意": (Satisfaction.SATISFIED, True),
    "基本满意": (Satisfaction.BASICALLY_SATISFIED, True),
    "不满意": (Satisfaction.DISSATISFIED, False),
    "非常不满意": (Satisfaction.DISSATISFIED, False),
}
STATUSES = {"open": "open", "closed": "closed"}


# ---- reading ----------------------------------------------------------------------------------


def _too_many_rows() -> InvalidInput:
    return InvalidInput(
        _("At most %(n)d rows per file; split the file.") % {"n": settings.HISTORY_IMPORT_MAX_ROWS},
        field="file",
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(names: Iterable[Any]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        key = _cell(name).lstrip("\ufeff").strip().lower()
        if key in COLUMNS and key not in positions:
            positions[key] = index
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        raise InvalidInput(
            _("The first row lacks the column(s) %(columns)s (see the example file).")
            % {"columns": ", ".join(missing)},
            field="file",
        )
    if not ({"lat", "long"} <= positions.keys() or "address_id" in positions):
        raise InvalidInput(
            _("The file needs the columns lat and long, or address_id, for the place."),
            field="file",
        )
    return positions


def _rows(raw: Iterable[Iterable[Any]]) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: text}) of every non-empty row after the header."""
    lines = iter(raw)
    positions = _header(next(lines, ()))
    out = []
    limit = settings.HISTORY_IMPORT_MAX_ROWS
    for number, row in enumerate(lines, start=2):
        if number > limit + 1:
            raise _too_many_rows()
        cells = list(row)
        values = {
            name: _cell(cells[index]) if index < len(cells) else ""
            for name, index in positions.items()
        }
        if any(values.values()):
            out.append((number, values))
    return out


def read_file(data: bytes, filename: str = "") -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV (UTF-8, with or without BOM; GB18030 as saved by Chinese Excel) or
    .xlsx file (its first sheet, streamed after the zip-bomb check of the ledgers)."""
    if len(data) > settings.HISTORY_IMPORT_MAX_MB * 1024 * 1024:
        raise InvalidInput(
            _("The file is larger than %(n)d MB; split it.")
            % {"n": settings.HISTORY_IMPORT_MAX_MB},
            field="file",
        )
    if data[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return _rows(csv.reader(io.StringIO(text, newline="")))
        except csv.Error:  # a field longer than the csv module allows, a stray NUL
            raise InvalidInput(_("This CSV file cannot be read."), field="file") from None
    raise InvalidInput(_("The file is neither UTF-8 nor GB18030 text."), field="file")


def _read_xlsx(data: bytes) -> list[tuple[int, dict[str, str]]]:
    check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError):
        raise InvalidInput(_("This is neither a CSV nor an .xlsx file."), field="file") from None
    try:
        sheet = workbook.active
        if (sheet.max_row or 0) > settings.HISTORY_IMPORT_MAX_ROWS + 1:
            raise _too_many_rows()
        sheet.reset_dimensions()
        return _rows(sheet.iter_rows(values_only=True, max_col=60))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError):
        raise InvalidInput(_("This is neither a CSV nor an .xlsx file."), field="file") from None
    finally:
        workbook.close()


# ---- checking ---------------------------------------------------------------------------------


@dataclass
class Row:
    """One checked row, ready to write."""

    line: int
    system: str
    order_number: str
    category: Category
    description: str
    lon: float
    lat: float
    unit: OrgUnit
    requested: dt.datetime
    expected: dt.datetime | None
    accepted: dt.datetime | None
    closed: dt.datetime | None
    agency: str
    department: OrgUnit | None
    satisfaction: str
    solved: bool | None


@dataclass
class Plan:
    """What a checked file will do: the rows to write, and those imported before."""

    rows: list[Row] = field(default_factory=list)
    skipped: int = 0
    # Ids imported before whose row in this file differs from what was imported.
    changed: list[str] = field(default_factory=list)
    total: int = 0


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, line: int | None, column: str, message: str) -> None:
        self.items.append({"row": line, "column": column, "message": message})

    def rejected(self) -> ImportRejected:
        items = self.items
        if len(items) > MAX_ERRORS:
            more = len(items) - MAX_ERRORS
            items = [
                *items[:MAX_ERRORS],
                {
                    "row": None,
                    "column": "",
                    "message": _("… and %(n)d more problem(s).") % {"n": more},
                },
            ]
        return ImportRejected(items)


def parse_moment(text: str) -> dt.datetime | None:
    """An ISO 8601 time; without a zone it is Asia/Shanghai. Empty → None."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("“%(value)s” is not an ISO 8601 time (write 2024-03-01T08:30:00+08:00).")
            % {"value": text[:40]}
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def _float(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


@dataclass(slots=True)
class _Parsed:
    """A row whose own fields are fine; its category and place are checked with the others."""

    line: int
    values: dict[str, str]
    system: str
    # requested, expected, accepted, closed (None unless the request is closed)
    times: tuple[dt.datetime, dt.datetime | None, dt.datetime | None, dt.datetime | None]
    point: tuple[float, float] | None
    satisfaction: str
    solved: bool | None
    address_unit: OrgUnit | None = None
    place: tuple[OrgUnit, float, float] | None = None


def check(
    rows: list[tuple[int, dict[str, str]]],
    *,
    district: OrgUnit,
    system: str = "",
    now: dt.datetime | None = None,
) -> Plan:
    """Check every row without writing anything; ImportRejected with every problem, or the
    plan. `system` names the source system of rows with an empty `source` column."""
    now = now or timezone.now()
    errors = _Errors()
    default_system = plain_text(system).strip()[:40]
    parsed: list[_Parsed] = []
    seen: dict[tuple[str, str], int] = {}
    for line, values in rows:
        row = _parse(line, values, default_system, now, errors)
        if row is None:
            continue
        key = (row.system, values["service_request_id"])
        if key in seen:
            errors.add(
                line,
                "service_request_id",
                _("Id %(id)s appears twice in the file (first in row %(row)d).")
                % {"id": key[1], "row": seen[key]},
            )
            continue
        seen[key] = line
        parsed.append(row)
    categories = _categories(parsed, errors)
    _places(parsed, district, errors)
    departments = _departments(district)
    if errors.items:
        raise errors.rejected()
    existing = _existing(seen)
    plan = Plan(total=len(rows))
    for row in parsed:
        values = row.values
        requested, expected, accepted, closed = row.times
        category = categories[(row.system, values["service_code"])]
        key = (row.system, values["service_request_id"])
        if key in existing:
            plan.skipped += 1
            if _differs(existing[key], category, requested, closed):
                plan.changed.append(key[1])
            continue
        assert row.place is not None  # every row without a place was an error
        unit, lon, lat = row.place
        agency = values.get("agency_responsible", "")
        plan.rows.append(
            Row(
                line=row.line,
                system=row.system,
                order_number=key[1],
                category=category,
                description=plain_text(values.get("description", "")).strip()[:4000],
                lon=lon,
                lat=lat,
                unit=unit,
                requested=requested,
                expected=expected,
                accepted=accepted,
                closed=closed,
                agency=agency,
                department=departments.get(agency) if agency else None,
                satisfaction=row.satisfaction,
                solved=row.solved,
            )
        )
    return plan


def _parse(
    line: int, values: dict[str, str], default_system: str, now: dt.datetime, errors: _Errors
) -> _Parsed | None:
    """The row's own fields (alone, without the database); None after adding its errors."""
    before = len(errors.items)
    for name in REQUIRED:
        if not values.get(name):
            errors.add(line, name, _("This column is required."))
    order = values.get("service_request_id", "")
    if len(order) > 64:
        errors.add(line, "service_request_id", _("At most 64 characters."))
    system = plain_text(values.get("source", "")).strip() or default_system
    if not system:
        errors.add(line, "source", _("Name the source system (a source column or a default)."))
    elif len(system) > 40:
        errors.add(line, "source", _("At most 40 characters."))
    status = STATUSES.get(values.get("status", "").strip().lower())
    if values.get("status") and status is None:
        errors.add(line, "status", _("Write open or closed."))
    moments: dict[str, dt.datetime | None] = {}
    for name in ("requested_datetime", "expected_datetime", "accepted_datetime", "closed_datetime"):
        try:
            moments[name] = parse_moment(values.get(name, ""))
        except InvalidInput as error:
            errors.add(line, name, error.message)
            moments[name] = None
    requested = moments["requested_datetime"]
    expected = moments["expected_datetime"]
    accepted = moments["accepted_datetime"]
    closed = moments["closed_datetime"]
    if status == "closed" and closed is None and not values.get("closed_datetime"):
        errors.add(line, "closed_datetime", _("A closed request needs its closed_datetime."))
    if status == "open" and closed is not None:
        errors.add(line, "closed_datetime", _("An open request has no closed_datetime."))
    if requested is not None:
        if requested > now:
            errors.add(line, "requested_datetime", _("This time lies in the future."))
        # A typo's year 1900 would otherwise make a century of monthly partitions.
        earliest = dt.datetime.combine(
            settings.HISTORY_IMPORT_EARLIEST, dt.time(), tzinfo=requested.tzinfo
        )
        if requested < earliest:
            errors.add(
                line,
                "requested_datetime",
                _("Times before %(day)s are not imported.")
                % {"day": settings.HISTORY_IMPORT_EARLIEST.isoformat()},
            )
        for name, moment in (
            ("expected_datetime", expected),
            ("accepted_datetime", accepted),
            ("closed_datetime", closed),
        ):
            if moment is not None and moment < requested:
                errors.add(line, name, _("This time lies before requested_datetime."))
    if closed is not None:
        if closed > now:
            errors.add(line, "closed_datetime", _("This time lies in the future."))
        if accepted is not None and accepted > closed:
            errors.add(line, "accepted_datetime", _("This time lies after closed_datetime."))
    if accepted is not None and accepted > now:
        errors.add(line, "accepted_datetime", _("This time lies in the future."))
    point = None
    lat_text, lon_text = values.get("lat", ""), values.get("long", "")
    if lat_text or lon_text:
        try:
            lat, lon = _float(lat_text), _float(lon_text)
        except ValueError:
            errors.add(line, "lat", _("Give lat and long as decimal degrees."))
        else:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                errors.add(line, "lat", _("That is not a place on Earth."))
            else:
                point = (lon, lat)
    elif not values.get("address_id"):
        errors.add(line, "lat", _("Give lat and long, or address_id (a unit code)."))
    satisfaction, solved = "", None
    rating = values.get("rating", "").strip().lower()
    if rating:
        if rating not in RATINGS:
            errors.add(line, "rating", _("Write 1 to 5, or 满意, 基本满意 or 不满意."))
        elif status != "closed":
            errors.add(line, "rating", _("Only a closed request can be rated."))
        else:
            satisfaction, solved = RATINGS[rating]
    if len(errors.items) > before or requested is None:
        return None
    return _Parsed(
        line=line,
        values=values,
        system=system,
        times=(requested, expected, accepted, closed if status == "closed" else None),
        point=point,
        satisfaction=satisfaction,
        solved=solved,
    )


def _categories(parsed: list[_Parsed], errors: _Errors) -> dict[tuple[str, str], Category]:
    """(system, their code) → category: the district's mapping first, else a civicgrid
    sub-category with that code. Unknown codes are listed in one error each, with their rows."""
    ours = {
        category.code: category
        for category in Category.objects.filter(active=True, parent__isnull=False)
    }
    mapped = {
        (mapping.system, mapping.code): mapping.category
        for mapping in CategoryMapping.objects.select_related("category").filter(
            system__in={row.system for row in parsed}
        )
    }
    found: dict[tuple[str, str], Category] = {}
    unknown: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in parsed:
        key = (row.system, row.values["service_code"])
        if key in found:
            continue
        category = mapped.get(key) or ours.get(key[1])
        if category is None:
            unknown[key].append(row.line)
        else:
            found[key] = category
    for (system, code), lines in sorted(unknown.items()):
        shown = ", ".join(str(line) for line in lines[:10]) + ("…" if len(lines) > 10 else "")
        errors.add(
            lines[0],
            "service_code",
            _(
                "Unknown category code %(code)s of %(system)s in %(n)d row(s) (%(rows)s): "
                "map it to a civicgrid category on the category mapping page."
            )
            % {"code": code, "system": system, "n": len(lines), "rows": shown},
        )
    return found


def _places(parsed: list[_Parsed], district: OrgUnit, errors: _Errors) -> None:
    """Each row's unit and point: the grid the point lies in, or the unit named by address_id
    (its centre, and the grid there when there is one); inside the district, or an error."""
    codes = {row.values["address_id"] for row in parsed if row.point is None}
    named = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=codes, active=True)}
    points: list[tuple[float, float]] = []
    for row in parsed:
        if row.point is None:
            unit = named.get(row.values["address_id"])
            if unit is None or not is_under(unit.code, district.code):
                errors.add(
                    row.line,
                    "address_id",
                    _("No unit with code %(code)s in %(district)s.")
                    % {"code": row.values["address_id"], "district": district.name},
                )
                continue
            if unit.centre_lon is None or unit.centre_lat is None:
                errors.add(
                    row.line,
                    "address_id",
                    _("Unit %(code)s has no outline; give lat and long.") % {"code": unit.code},
                )
                continue
            row.address_unit = unit
            row.point = (unit.centre_lon, unit.centre_lat)
        points.append(row.point)
    located = iter(units_at(points))
    for row in parsed:
        if row.point is None:
            continue
        unit = next(located)
        if row.address_unit is not None and (
            unit is None or not is_under(unit.code, row.address_unit.code)
        ):
            unit = row.address_unit
        lon, lat = row.point
        if unit is None or not is_under(unit.code, district.code):
            errors.add(
                row.line,
                "lat",
                _("This place lies outside the grids of %(district)s.")
                % {"district": district.name},
            )
            continue
        row.place = (unit, lon, lat)


def _departments(district: OrgUnit) -> dict[str, OrgUnit]:
    """Departments by name and short name: those of the district first, then any other."""
    found: dict[str, OrgUnit] = {}
    units = OrgUnit.objects.filter(kind=Kind.DEPARTMENT, active=True).order_by("code")
    for unit in sorted(units, key=lambda unit: not is_under(unit.code, district.code)):
        for name in (unit.name, unit.short_name):
            if name:
                found.setdefault(name, unit)
    return found


def _existing(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """The work orders among `keys` imported (or received) before, with what they say."""
    by_system: dict[str, list[str]] = defaultdict(list)
    for system, order in keys:
        by_system[system].append(order)
    found: dict[tuple[str, str], Any] = {}
    for system, orders in by_system.items():
        for start in range(0, len(orders), 500):
            for values in WorkOrder.objects.filter(
                system=system, order_number__in=orders[start : start + 500]
            ).values(
                "order_number",
                "event__category_id",
                "event__reported_at",
                "event__closed_at",
            ):
                found[(system, values["order_number"])] = values
    return found


def _differs(
    kept: dict, category: Category, requested: dt.datetime, closed: dt.datetime | None
) -> bool:
    return (
        kept["event__category_id"] != category.pk
        or kept["event__reported_at"] != requested
        or kept["event__closed_at"] != closed
    )


# ---- writing ----------------------------------------------------------------------------------


@lru_cache(maxsize=20_000)
def _closure_default(day: dt.date, days: int) -> dt.datetime:
    # add_working_days reads only the day of its start.
    return add_working_days(dt.datetime.combine(day, dt.time(12), SHANGHAI), days)


def closure_due(category: Category, requested: dt.datetime, expected: dt.datetime | None):
    """The deadline on-time figures use: the source's own, else the category's default."""
    if expected is not None:
        return expected
    return _closure_default(timezone.localtime(requested).date(), category.closure_days)


@cache
def _event_columns() -> list:
    return list(Event._meta.concrete_fields)


@cache
def _step_columns() -> list:
    return [f for f in EventStep._meta.concrete_fields if not f.primary_key]


@cache
def _order_columns() -> list:
    names = ("system", "order_number", "event", "created_at", "history_import", "fingerprint")
    return [WorkOrder._meta.get_field(name) for name in names]


def _prepared(fields: list, rows: list[dict]) -> list[list]:
    """Rows' values for an INSERT, prepared as the ORM would (JSON, times)."""
    ops = connection.ops
    # SQLite keeps times as naive UTC text, as Django writes them; PostgreSQL takes them aware.
    utc_text = connection.vendor == "sqlite"
    prepared = []
    for row in rows:
        values = []
        for f in fields:
            value = row[f.attname]
            if isinstance(value, dt.datetime):
                if utc_text and value.tzinfo is not None:
                    value = str(value.astimezone(dt.UTC).replace(tzinfo=None))
                else:
                    value = ops.adapt_datetimefield_value(value)
            elif isinstance(value, dict | list):
                value = f.get_db_prep_save(value, connection)
            values.append(value)
        prepared.append(values)
    return prepared


def _insert(model, fields: list, prepared: list[list]) -> None:
    """Prepared rows as multi-row INSERTs."""
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), 1000):
            cursor.executemany(sql, prepared[start : start + 1000])


class _Counted:
    """The fields `rollups.contributions` reads, from an event's column values."""

    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)


def _event_and_steps(
    row: Row, ident: tuple[int, str], now: dt.datetime, defaults: dict
) -> tuple[dict, list[dict]]:
    """One event's column values and its steps' (a chain of the workflow's table)."""
    category = row.category
    due = closure_due(category, row.requested, row.expected)
    response_due = add_working_hours(row.requested, category.response_hours)
    title = (row.description.splitlines() or [""])[0].strip()[:40] or category.name
    event = dict(defaults)
    event.update(
        id=ident[0],
        number=ident[1],
        token=new_token(),
        unit_id=row.unit.pk,
        unit_code=row.unit.code,
        title=title[:100],
        description=row.description,
        category_id=category.pk,
        source=Source.HISTORY.value,
        lon=row.lon,
        lat=row.lat,
        reported_at=row.requested,
        response_due=response_due,
        closure_due=due,
        accepted_at=row.accepted,
        updated_at=now,
    )
    details: dict[str, Any] = {"history": row.system, "order_number": row.order_number}
    agency_note = _("Agency responsible: %(agency)s") % {"agency": row.agency} if row.agency else ""
    steps: list[tuple[str, str, str, dt.datetime, str, bool]] = []
    if row.closed is None:
        status: str = S.ACCEPTED if row.accepted else S.REPORTED
        steps.append((A.REPORT, "", S.REPORTED, row.requested, agency_note, False))
        if row.accepted:
            steps.append((A.ACCEPT, S.REPORTED, S.ACCEPTED, row.accepted, "", False))
        passed = [deadline for deadline in (due, response_due) if deadline <= now]
        event.update(status=status, overdue=due <= now)
        if passed:
            # Raised for already: the escalation job leaves history alone (module text).
            event["escalated_for"] = max(passed)
    else:
        closed = row.closed
        # The old platform's acceptance (受理) is the response: dispatched and signed for then.
        # Without it, the steps in between are logged at the closing time, marked inferred, and
        # the event stays out of the response rate (no dispatch time).
        taken = row.accepted or closed
        inferred = row.accepted is None
        steps += [
            (A.REPORT, "", S.REPORTED, row.requested, "", False),
            (A.ACCEPT, S.REPORTED, S.ACCEPTED, taken, "", inferred),
            (A.DISPATCH, S.ACCEPTED, S.DISPATCHED, taken, agency_note, True),
            (A.SIGN, S.DISPATCHED, S.HANDLING, taken, "", True),
            (A.RESOLVE, S.HANDLING, S.RESOLVED, closed, "", True),
            (A.VERIFY, S.RESOLVED, S.VERIFIED, closed, "", True),
            (A.CLOSE, S.VERIFIED, S.CLOSED, closed, "", False),
        ]
        status = S.CLOSED
        if row.satisfaction:
            status = S.RATED
            steps.append((A.RATE, S.CLOSED, S.RATED, closed, "", True))
            event.update(
                rated_at=closed, satisfaction=row.satisfaction, solved=row.solved, follow_up_asks=1
            )
        event.update(
            status=status,
            accepted_at=row.accepted,
            dispatched_at=row.accepted,
            responded_at=row.accepted,
            resolved_at=closed,
            verified_at=closed,
            closed_at=closed,
            overdue=closed > due,
            handler_unit_id=row.department.pk if row.department else None,
        )
    event["status"] = str(event["status"])
    event["version"] = len(steps)
    logged = [
        {
            "event_id": ident[0],
            "actor_id": None,
            "action": str(action),
            "from_status": str(source),
            "to_status": str(target),
            "note": note,
            "details": {**details, "inferred": True} if guessed else details,
            "at": moment,
        }
        for action, source, target, moment, note, guessed in steps
    ]
    return event, logged


def _defaults() -> dict:
    out = {}
    for f in _event_columns():
        out[f.attname] = f.get_default() if f.has_default() else None
        if (
            out[f.attname] is None
            and not f.null
            and f.get_internal_type()
            in (
                "CharField",
                "TextField",
            )
        ):
            out[f.attname] = ""
    return out


def _identities(rows: list[Row]) -> dict[int, tuple[int, str]]:
    """Each row's (id, number), from the counter of the day it was reported: one reservation
    per day (its own short transaction; unused numbers of a failed import are a gap)."""
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_day[numbering.day_of(row.requested)].append(index)
    out = {}
    for day, indexes in sorted(by_day.items()):
        for index, sequence in zip(indexes, numbering.reserve(day, len(indexes)), strict=True):
            out[index] = (numbering.event_id(day, sequence), numbering.number(day, sequence))
    return out


@dataclass
class Chunk:
    """A chunk's rows, prepared outside the transaction that writes them (which then holds the
    write lock for the statements alone)."""

    events: list[list]
    steps: list[list]
    orders: list[list]
    rollups: list[RollupDelta]
    size: int


def prepare_chunk(
    rows: list[Row],
    identities: list[tuple[int, str]],
    *,
    job: HistoryImport,
    chain: rollups.Chain,
    now: dt.datetime,
    defaults: dict,
) -> Chunk:
    """One chunk's events, steps, work orders and rollup deltas, ready to insert."""
    events, steps, orders = [], [], []
    total: Counter = Counter()
    for row, ident in zip(rows, identities, strict=True):
        event, logged = _event_and_steps(row, ident, now, defaults)
        events.append(event)
        steps += logged
        orders.append(
            {
                "system": row.system,
                "order_number": row.order_number,
                "event_id": ident[0],
                "created_at": now,
                "history_import_id": job.pk,
                # Only pushed orders keep one (interop.connectors).
                "fingerprint": "",
            }
        )
        total.update(rollups.contributions(_Counted(event)))
    # As rollups.apply does: each grain's rows, for the event's unit and (where the grain
    # counts there) every unit above it.
    deltas = [
        RollupDelta(model, dict(zip(("unit_id", *keys), row_key, strict=True)), code, counters)
        for model, keys, above in rollups.GRAINS
        for row_key, (code, counters) in rollups.grouped(
            total, keys, chain if above else None
        ).items()
    ]
    return Chunk(
        _prepared(_event_columns(), events),
        _prepared(_step_columns(), steps),
        _prepared(_order_columns(), orders),
        deltas,
        len(rows),
    )


def write_chunk(chunk: Chunk) -> None:
    """A prepared chunk's rows and rollup deltas, in the caller's transaction."""
    _insert(Event, _event_columns(), chunk.events)
    _insert(EventStep, _step_columns(), chunk.steps)
    _insert(WorkOrder, _order_columns(), chunk.orders)
    add_to_rollups(chunk.rollups)


class Superseded(Exception):
    """The run no longer owns its job (given up for dead and started again)."""


def write(
    plan: Plan,
    *,
    job: HistoryImport,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
    still_mine: Callable[[], bool] | None = None,
) -> int:
    """Write the plan's rows in chunks of short transactions; how many were written. On any
    failure the chunks already written are taken back (`undo`) and the error raised again.
    `progress(rows written so far)` runs between chunks; `still_mine()` inside each chunk's
    transaction (False: the run stops, Superseded)."""
    # In the order reported: a chunk then spans a few days, so it touches few rollup rows.
    rows = sorted(plan.rows, key=lambda row: row.requested)
    if not rows:
        return 0
    now = timezone.now()
    days = [numbering.day_of(row.requested) for row in rows]
    # The months first, each creation its own short lock (a month created after its events
    # arrived would move them out of the DEFAULT partition under a table lock).
    partitions.ensure(partitions.month_of(min(days)), partitions.month_of(max(days)))
    chain = rollups.all_chains()
    defaults = _defaults()
    done = 0
    try:
        identities = _identities(rows)
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            prepared = prepare_chunk(
                part,
                [identities[start + i] for i in range(len(part))],
                job=job,
                chain=chain,
                now=now,
                defaults=defaults,
            )
            with transaction.atomic():
                if still_mine is not None and not still_mine():
                    raise Superseded
                write_chunk(prepared)
            done += len(part)
            if progress is not None:
                progress(done)
    except Superseded:
        raise  # the run that took the job over takes back what is there
    except BaseException:
        if done:
            undo(job)
        raise
    return done


def undo(job: HistoryImport, chunk: int = CHUNK) -> int:
    """Take back every event `job` wrote: their contributions subtracted from the rollups and
    the events deleted (steps and work orders with them), a chunk per short transaction."""
    taken = 0
    while True:
        ids = list(
            WorkOrder.objects.filter(history_import=job)
            .order_by("event_id")
            .values_list("event_id", flat=True)[:chunk]
        )
        if not ids:
            return taken
        with transaction.atomic():
            events = Event.objects.filter(pk__in=ids).only("pk", *rollups.FIELDS)
            counted = rollups.recount(events)
            rollups.apply(Counter({key: -value for key, value in counted.items()}))
            EventStep.objects.filter(event_id__in=ids).delete()
            Event.objects.filter(pk__in=ids).delete()
        taken += len(ids)


# ---- one import, start to end ------------------------------------------------------------------


@dataclass
class Outcome:
    imported: int
    skipped: int
    changed: list[str]
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return round(self.rows / self.seconds, 1) if self.seconds else 0.0


def import_file(
    data: bytes,
    *,
    district: OrgUnit,
    system: str = "",
    filename: str = "",
    actor=None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    on_rows: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
) -> Outcome:
    """Read, check and (unless `dry_run`) write a file at once: the management command's path.
    ImportRejected lists every bad row; nothing is written then. `on_rows(n)` is told the
    number of rows to write once the file is checked."""
    began = time.perf_counter()
    rows = read_file(data, filename)
    plan = check(rows, district=district, system=system)
    if on_rows is not None:
        on_rows(len(plan.rows))
    imported = 0
    if not dry_run:
        job = HistoryImport.objects.create(
            unit=district,
            system=system,
            filename=filename[:200],
            state=HistoryImport.State.RUNNING,
            rows_total=len(rows),
            actor=actor,
            attempts=1,
            touched_at=timezone.now(),
        )
        try:
            imported = write(plan, job=job, chunk=chunk, progress=progress)
        except Exception as error:
            HistoryImport.objects.filter(pk=job.pk).update(
                state=HistoryImport.State.FAILED,
                errors=[{"row": None, "column": "", "message": str(error)[:500]}],
                finished_at=timezone.now(),
            )
            raise
        seconds = time.perf_counter() - began
        HistoryImport.objects.filter(pk=job.pk).update(
            state=HistoryImport.State.DONE,
            rows_done=len(rows),
            imported=imported,
            skipped=plan.skipped,
            changed=plan.changed[:50],
            changed_count=len(plan.changed),
            seconds=seconds,
            finished_at=timezone.now(),
            touched_at=timezone.now(),
        )
    return Outcome(imported, plan.skipped, plan.changed, len(rows), time.perf_counter() - began)


def _fails_to(error: BaseException) -> list[dict]:
    if isinstance(error, ImportRejected):
        return error.errors
    if isinstance(error, CivicgridError):
        return [{"row": None, "column": "", "message": error.message}]
    if isinstance(error, IntegrityError):
        message = _(
            "Some of these requests were imported meanwhile by another import; nothing was "
            "imported. Import the file again: what is there already is skipped."
        )
    else:
        message = _(
            "The import stopped on an unexpected error; nothing was imported. Import the file "
            "again, or tell the administrator."
        )
    return [{"row": None, "column": "", "message": message}]


def run_job(job: HistoryImport, data: bytes | None = None) -> HistoryImport:
    """Run a queued job: read its file (or `data`), check, write, record the outcome; the
    file is deleted once the job has ended. A job that is not queued is left alone. What an
    earlier run of the job left (a worker that died mid-way) is taken back first."""
    queued = HistoryImport.objects.filter(pk=job.pk, state=HistoryImport.State.QUEUED)
    began = time.perf_counter()
    if not queued.update(
        state=HistoryImport.State.RUNNING,
        attempts=job.attempts + 1,
        touched_at=timezone.now(),
    ):
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    mine = HistoryImport.objects.filter(
        pk=job.pk, state=HistoryImport.State.RUNNING, attempts=job.attempts
    )
    outcome: dict | None = None
    try:
        with translation.override(settings.LANGUAGE_CODE):
            undo(job)
            if data is None:
                with job.file.open("rb") as handle:
                    data = handle.read()
            rows = read_file(data, job.filename)
            mine.update(rows_total=len(rows), touched_at=timezone.now())
            plan = check(rows, district=job.unit, system=job.system)
            base = plan.skipped

            def progress(done: int) -> None:
                mine.update(rows_done=base + done, touched_at=timezone.now())

            def still_mine() -> bool:
                return bool(mine.update(touched_at=timezone.now()))

            imported = write(plan, job=job, progress=progress, still_mine=still_mine)
            ended = mine.update(
                state=HistoryImport.State.DONE,
                errors=[],
                imported=imported,
                skipped=plan.skipped,
                changed=plan.changed[:50],
                changed_count=len(plan.changed),
                rows_done=len(rows),
                seconds=time.perf_counter() - began,
                finished_at=timezone.now(),
                touched_at=timezone.now(),
            )
            if not ended:
                undo(job)
    except Superseded:
        logger.warning("history import %s: run %s was superseded", job.pk, job.attempts)
    except Exception as error:
        if not isinstance(error, CivicgridError):
            logger.exception("history import %s failed", job.pk)
        with translation.override(settings.LANGUAGE_CODE):
            outcome = {"errors": _fails_to(error)}
    finally:
        if outcome is not None:
            mine.update(
                state=HistoryImport.State.FAILED,
                imported=0,
                finished_at=timezone.now(),
                touched_at=timezone.now(),
                **outcome,
            )
        _discard_file_if_ended(job.pk)
    job.refresh_from_db()
    return job


def _discard_file_if_ended(job_id: int) -> None:
    discard_file_if_ended(HistoryImport, job_id)


# ---- jobs --------------------------------------------------------------------------------------
#
# As the ledger imports (people.ledgers): a background job's file waits in private storage until
# the job ends; a job whose worker died (no sign of life for IMPORT_STALL_MINUTES) is queued
# again from its kept file up to IMPORT_MAX_ATTEMPTS runs (the next run first takes back what
# the dead one wrote), else failed with what it wrote taken back.

_QUEUED_GIVE_UP = dt.timedelta(days=1)


def start_import(*, actor, district: OrgUnit, system: str, upload) -> HistoryImport:
    """Import `upload` (a CSV or .xlsx file) into `district`'s history: a small file at once,
    a large one in the background; either way the job tells the outcome. Only district staff
    of the district (or a superuser) may. Notifies nobody."""
    from django.core.files.base import ContentFile

    from civicgrid.interop.history_selectors import may_import_history

    if not may_import_history(actor, district):
        from civicgrid.core.errors import NotAllowed

        raise NotAllowed(_("Only the district's staff import its history."))
    if upload is None:
        raise InvalidInput(_("Choose a CSV or .xlsx file."), field="file")
    if upload.size > settings.HISTORY_IMPORT_MAX_MB * 1024 * 1024:
        raise InvalidInput(
            _("The file is larger than %(n)d MB; split it.")
            % {"n": settings.HISTORY_IMPORT_MAX_MB},
            field="file",
        )
    system = plain_text(system).strip()
    if len(system) > 40:
        raise InvalidInput(_("At most 40 characters."), field="system")
    data = upload.read()
    filename = getattr(upload, "name", "history.csv")[:200]
    rows = read_file(data, filename)  # a file that cannot be read fails before any job exists
    job = HistoryImport.objects.create(
        unit=district,
        system=system,
        filename=filename,
        state=HistoryImport.State.QUEUED,
        rows_total=len(rows),
        actor=actor,
        touched_at=timezone.now(),
    )
    if len(rows) <= settings.HISTORY_IMPORT_BACKGROUND_ROWS:
        run_job(job, data)
    else:
        suffix = ".xlsx" if data[:2] == b"PK" else ".csv"
        job.file.save(f"history-{job.pk}{suffix}", ContentFile(data))
        _queue(job.pk)
    job.refresh_from_db()
    return job


def _queue(job_id: int) -> None:
    """Queue the job's run once committed; a queue that cannot be reached fails the job at once
    with that reason (core.jobs.enqueue_on_commit)."""
    from civicgrid.core import jobs
    from civicgrid.interop.tasks import import_history

    def failed(error: Exception) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            message = _(
                "The background queue could not be reached, so the file was not imported. "
                "Upload it again in a few minutes, or tell the administrator."
            )
        HistoryImport.objects.filter(
            pk=job_id, state__in=[HistoryImport.State.QUEUED, HistoryImport.State.RUNNING]
        ).update(
            state=HistoryImport.State.FAILED,
            errors=[{"row": None, "column": "", "message": message}],
            finished_at=timezone.now(),
            touched_at=timezone.now(),
        )
        _discard_file_if_ended(job_id)

    jobs.enqueue_on_commit(import_history, job_id, failed=failed)


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Jobs whose worker died: queued again from the kept file, or failed with what they
    wrote taken back (tasks.sweep_history_imports, every few minutes)."""
    from django.db.models import Q

    now = now or timezone.now()
    stall = now - dt.timedelta(minutes=settings.IMPORT_STALL_MINUTES)
    counts = {"retried": 0, "failed": 0}
    stalled = HistoryImport.objects.filter(
        Q(touched_at__lt=stall) | Q(touched_at__isnull=True), state=HistoryImport.State.RUNNING
    )
    # Queued for a day and never started: given up (below, with the stalled ones).
    lost = HistoryImport.objects.filter(
        Q(touched_at__lt=now - _QUEUED_GIVE_UP) | Q(touched_at__isnull=True),
        state=HistoryImport.State.QUEUED,
    )
    # Queued past the stall limit: its task may have been lost with the queue; queued again (a
    # run claims the job, so a task that was only late does nothing).
    waiting = HistoryImport.objects.filter(
        state=HistoryImport.State.QUEUED,
        touched_at__lt=stall,
        touched_at__gte=now - _QUEUED_GIVE_UP,
    ).exclude(file="")
    for job in waiting:
        same = HistoryImport.objects.filter(pk=job.pk, state=job.state, touched_at=job.touched_at)
        if same.update(touched_at=now):
            counts["retried"] += 1
            _queue(job.pk)
    for job in [*stalled, *lost]:
        same = HistoryImport.objects.filter(
            pk=job.pk, state=job.state, attempts=job.attempts, touched_at=job.touched_at
        )
        retry = (
            job.state == HistoryImport.State.RUNNING
            and job.file
            and job.attempts < settings.IMPORT_MAX_ATTEMPTS
        )
        if retry:
            if same.update(state=HistoryImport.State.QUEUED, touched_at=now):
                logger.warning("history import %s stalled; queued again", job.pk)
                counts["retried"] += 1
                _queue(job.pk)
            continue
        with translation.override(settings.LANGUAGE_CODE):
            message = _(
                "The import stopped (the server was restarted or ran out of memory) and "
                "nothing was imported. Import the file again."
            )
        if same.update(
            state=HistoryImport.State.FAILED,
            imported=0,
            errors=[{"row": None, "column": "", "message": message}],
            finished_at=now,
            touched_at=now,
        ):
            logger.warning("history import %s stalled; failed, its rows taken back", job.pk)
            undo(job)
            counts["failed"] += 1
            _discard_file_if_ended(job.pk)
    return counts
