"""Ledgers in Excel (台账): templates with Chinese headers, all-or-nothing imports with a report
of every bad row, and exports of any list with masking as on screen.

An import streams the sheet (after refusing zip bombs) and checks every row (fields, units and
roles, buildings, duplicates in the file and in the database) before it writes anything,
reading only; if any row is bad, nothing is written and the user gets each bad row with its
column and reason. Only then are the rows written, in bulk, in one short transaction, so an
import never keeps reports waiting on the database's write lock. Large files run in the
background (huey) and report progress; their file is kept private until the job ends, then
deleted (see "jobs" below). Exports never carry live formulas (sheet_cell).
"""

import datetime as dt
import io
import logging
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, overload

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from civicgrid.core import limits, privacy
from civicgrid.core.errors import CivicgridError, InvalidInput, NotAllowed
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import covers, holds
from civicgrid.org.tree import is_under
from civicgrid.people import ledger_rollups, search, selectors, services
from civicgrid.people.models import (
    CONTACT_PHONE,
    DATA_UNIT_KINDS,
    Building,
    Gender,
    House,
    Household,
    HouseUse,
    ImportJob,
    ImportKind,
    Organisation,
    OrganisationKind,
    Person,
    PersonKey,
    PersonStatus,
    Relation,
    ResidenceKind,
)
from civicgrid.people.roles import LEDGER_ROLES, PERSONAL_DATA_ROLES

# Rows above which an import runs in the background.
BACKGROUND_ROWS = 300
MAX_BYTES = 20 * 1024 * 1024
# Columns of a sheet looked at (the templates have at most 21); cells further right are ignored.
MAX_COLUMNS = 60
# An .xlsx has about ten parts; members below this size are never a bomb whatever their ratio.
_MAX_MEMBERS = 1000
_RATIO_FLOOR = 1024 * 1024
# Rows per INSERT statement when an import is written.
_BATCH = 500
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese header in the template
    name: str
    required: bool = False
    example: str = ""


UNIT = Column("网格编码", "unit", False, "410102006006001")
ADDRESS = [
    Column("小区", "estate", True, "保利百合"),
    Column("楼栋", "building", True, "3号楼"),
    Column("单元", "entrance", True, "2"),
    Column("房号", "room", True, "501"),
]
COLUMNS: dict[str, list[Column]] = {
    ImportKind.PERSONS: [
        UNIT,
        *ADDRESS,
        Column("户号", "household", False, ""),
        Column("与户主关系", "relation", False, "户主"),
        Column("姓名", "name", True, "张秀英"),
        Column("性别", "gender", False, "女"),
        Column("出生日期", "birth_date", False, "1940-03-01"),
        Column("公民身份号码", "id_number", False, "11010519491231002X"),
        Column("联系电话", "phone", False, "13812345678"),
        Column("民族", "ethnicity", False, "汉族"),
        Column("政治面貌", "political_status", False, "群众"),
        Column("学历", "education", False, ""),
        Column("职业", "occupation", False, "退休"),
        Column("服务处所", "employer", False, ""),
        Column("户籍地址", "registered_address", False, ""),
        Column("人口类型", "residence_kind", False, "户籍人口"),
        Column("标签", "tags", False, "独居老人、高龄老人"),
        Column("备注", "note", False, ""),
    ],
    ImportKind.HOUSES: [
        UNIT,
        *ADDRESS,
        Column("楼层", "floor", False, "5"),
        Column("面积", "area", False, "89.5"),
        Column("用途", "use", False, "自住"),
        Column("产权人", "owner_name", False, ""),
        Column("户号", "household", False, ""),
        Column("楼栋单元数", "entrances", False, "3"),
        Column("楼栋层数", "floors", False, "6"),
    ],
    ImportKind.ORGANISATIONS: [
        UNIT,
        Column("名称", "name", True, "郑州某某物业服务有限公司"),
        Column("类型", "kind", True, "物业公司"),
        Column("统一社会信用代码", "credit_code", False, ""),
        Column("地址", "address", False, ""),
        Column("行业", "business", False, ""),
        Column("联系人", "contact_name", False, ""),
        Column("联系电话", "contact_phone", False, ""),
        Column("从业人数", "staff_size", False, ""),
        Column("党组织", "party_organisation", False, ""),
    ],
}


# The words a ledger uses for each choice (fixed, whatever the UI language); codes work too.
WORDS: dict[str, dict[str, str]] = {
    "gender": {"男": Gender.MALE, "女": Gender.FEMALE, "未知": Gender.UNKNOWN},
    "relation": {
        "户主": Relation.HEAD,
        "本人": Relation.HEAD,
        "配偶": Relation.SPOUSE,
        "妻": Relation.SPOUSE,
        "夫": Relation.SPOUSE,
        "子女": Relation.CHILD,
        "子": Relation.CHILD,
        "女": Relation.CHILD,
        "儿子": Relation.CHILD,
        "女儿": Relation.CHILD,
        "儿媳": Relation.CHILD_IN_LAW,
        "女婿": Relation.CHILD_IN_LAW,
        "孙子女": Relation.GRANDCHILD,
        "孙子": Relation.GRANDCHILD,
        "孙女": Relation.GRANDCHILD,
        "外孙子女": Relation.GRANDCHILD,
        "父母": Relation.PARENT,
        "父亲": Relation.PARENT,
        "母亲": Relation.PARENT,
        "祖父母": Relation.GRANDPARENT,
        "兄弟姐妹": Relation.SIBLING,
        "其他亲属": Relation.OTHER_RELATIVE,
        "其他": Relation.OTHER,
    },
    "use": {
        "自住": HouseUse.OWN,
        "出租": HouseUse.RENT,
        "空置": HouseUse.VACANT,
        "商用": HouseUse.COMMERCIAL,
        "其他": HouseUse.OTHER,
    },
    "residence_kind": {
        "户籍人口": ResidenceKind.REGISTERED,
        "户籍": ResidenceKind.REGISTERED,
        "流动人口": ResidenceKind.FLOATING,
        "流动": ResidenceKind.FLOATING,
        "人户分离": ResidenceKind.REGISTERED_AWAY,
        "境外人员": ResidenceKind.FOREIGN,
    },
    "kind": {
        "企业": OrganisationKind.ENTERPRISE,
        "商铺": OrganisationKind.SHOP,
        "社会组织": OrganisationKind.SOCIAL,
        "物业公司": OrganisationKind.PROPERTY,
        "机关事业单位": OrganisationKind.PUBLIC,
        "其他": OrganisationKind.OTHER,
    },
}
_CODES = {
    "gender": Gender,
    "relation": Relation,
    "use": HouseUse,
    "residence_kind": ResidenceKind,
    "kind": OrganisationKind,
}


def _choice(name: str, value: str) -> str:
    if not value:
        return ""
    if value in _CODES[name].values:
        return value
    if value not in WORDS[name]:
        raise InvalidInput(
            _("%(value)s is not one of: %(options)s.")
            % {"value": value, "options": "、".join(WORDS[name])},
            field=name,
        )
    return WORDS[name][value]


# ---- templates ---------------------------------------------------------------------------------


def template(kind: str) -> bytes:
    """An empty ledger with the headers (required ones in bold) and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(ImportKind(kind).label)
    columns = COLUMNS[kind]
    sheet.append([column.header for column in columns])
    sheet.append([column.example for column in columns])
    for cell, column in zip(sheet[1], columns, strict=True):
        cell.font = Font(bold=column.required)
        sheet.column_dimensions[cell.column_letter].width = max(10, len(column.header) * 2 + 4)
    sheet.freeze_panes = "A2"
    return _save(workbook)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- reading -----------------------------------------------------------------------------------


def check_archive(data: bytes) -> None:
    """Refuse a zip bomb before any XML is parsed: the sizes its members declare (which
    zipfile holds them to when inflating) must stay under settings.IMPORT_MAX_INFLATED_MB in
    all, and no large member may be compressed more than settings.IMPORT_MAX_RATIO times
    (real sheets compress about 12 times; a bomb about 1000)."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(_("The file is larger than 20 MB; split it."), field="file")
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InvalidInput(_not_xlsx(), field="file") from None
    inflated = sum(member.file_size for member in members)
    largest_ratio = max(
        (
            member.file_size / max(member.compress_size, 1)
            for member in members
            if member.file_size > _RATIO_FLOOR
        ),
        default=0,
    )
    limit = settings.IMPORT_MAX_INFLATED_MB * 1024 * 1024
    if len(members) > _MAX_MEMBERS or inflated > limit or largest_ratio > settings.IMPORT_MAX_RATIO:
        logger.warning(
            "ledger refused: %s bytes inflating to %s in %s members (ratio %.0f)",
            len(data),
            inflated,
            len(members),
            largest_ratio,
        )
        raise InvalidInput(
            _(
                "This file unpacks to more than %(limit)d MB or is packed suspiciously tightly; "
                "it is not a plain ledger. Save the sheet again as .xlsx, or split it."
            )
            % {"limit": settings.IMPORT_MAX_INFLATED_MB},
            field="file",
        )


def _not_xlsx() -> str:
    return _("This is not an Excel .xlsx file. Save it as .xlsx (Excel 2007 or later).")


def _too_many_rows() -> InvalidInput:
    return InvalidInput(
        _("At most %(n)d rows per file (empty rows count too); split the file.")
        % {"n": settings.IMPORT_MAX_ROWS},
        field="file",
    )


def read_rows(data: bytes, kind: str) -> list[tuple[int, dict[str, str]]]:
    """The sheet's rows as (Excel row number, {column name: text}); blank rows skipped.
    A file that is not .xlsx, or lacks a required header, is one clear error.

    The archive is checked first (check_archive), then the sheet is streamed (read_only): no
    workbook is built in memory, every row read counts against settings.IMPORT_MAX_ROWS
    (empty ones too, so a row numbered a million is no way round it), and only the first
    MAX_COLUMNS columns are looked at."""
    check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise InvalidInput(_not_xlsx(), field="file") from None
    try:
        sheet = workbook.active
        # The declared size refuses an oversized sheet at once; then it is ignored, so rows
        # are read as they are in the file (no phantom empty rows up to a declared end).
        if (sheet.max_row or 0) > settings.IMPORT_MAX_ROWS + 1:
            raise _too_many_rows()
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header = next(rows, None) or ()
        positions = {str(text).strip(): i for i, text in enumerate(header) if text is not None}
        columns = COLUMNS[kind]
        missing = [c.header for c in columns if c.required and c.header not in positions]
        if missing:
            raise InvalidInput(
                _("The first row lacks the column(s) %(columns)s; start from the template.")
                % {"columns": "、".join(missing)},
                field="file",
            )
        result = []
        for number, row in enumerate(rows, start=2):
            if number > settings.IMPORT_MAX_ROWS + 1:
                raise _too_many_rows()
            values = {
                c.name: _text(row[positions[c.header]])
                if c.header in positions and positions[c.header] < len(row)
                else ""
                for c in columns
            }
            if any(values.values()):
                result.append((number, values))
        return result
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError):
        # A damaged part (bad CRC, broken XML) found while streaming.
        raise InvalidInput(_not_xlsx(), field="file") from None
    finally:
        workbook.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@overload
def _int(values: dict, name: str, *, required: Literal[True]) -> int: ...
@overload
def _int(values: dict, name: str, *, required: bool = False) -> int | None: ...
def _int(values: dict, name: str, *, required: bool = False) -> int | None:
    text = values.get(name, "")
    if not text:
        if required:
            raise InvalidInput(_("This column is required."), field=name)
        return None
    try:
        return int(Decimal(text))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("%(value)s is not a number.") % {"value": text}, field=name) from None


def _date(values: dict, name: str) -> dt.date | None:
    text = values.get(name, "")
    if not text:
        return None
    for form in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise InvalidInput(
        _("%(value)s is not a date (write 1950-03-01).") % {"value": text}, field=name
    )


# ---- checking ----------------------------------------------------------------------------------


class RowErrors:
    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, row: int, field: str | None, message: str) -> None:
        header = next(
            (c.header for columns in COLUMNS.values() for c in columns if c.name == field), ""
        )
        self.items.append({"row": row, "column": header, "message": message})


class Importer:
    """Checks then applies one ledger into the subtree of `unit`.

    Checking (every rule the services apply: scope and role, fields, buildings, duplicates in
    the file and in the database; numbers encrypted, search keys worked out) only reads, outside
    any transaction, so it never holds the database's write lock however long the file. Only
    when every row is good are the rows written, in bulk, in one short transaction: a
    10 000-row ledger holds the lock for about a second, and reports keep coming in."""

    def __init__(self, actor: Any, unit: OrgUnit, kind: str, progress=None) -> None:
        self.actor, self.unit, self.kind = actor, unit, kind
        self.errors = RowErrors()
        self.progress = progress or (lambda done: None)
        self._units: dict[str, OrgUnit | None] = {}
        self._buildings: dict[tuple, Building | None] = {}
        self._sensitive: dict[str, bool] = {}

    def unit_of(self, code: str) -> OrgUnit:
        code = code or self.unit.code
        if code not in self._units:
            unit = OrgUnit.objects.filter(code=code, active=True).first()
            if unit is not None and not is_under(unit.code, self.unit.code):
                unit = None
            self._units[code] = unit
        unit = self._units[code]
        if unit is None:
            raise InvalidInput(
                _("No grid %(code)s under %(unit)s.") % {"code": code, "unit": self.unit},
                field="unit",
            )
        if unit.kind not in DATA_UNIT_KINDS:
            raise InvalidInput(
                _("%(unit)s is not a grid; fill in the grid code.") % {"unit": unit}, field="unit"
            )
        if not covers(self.actor, unit.code, write=True) or not holds(
            self.actor, unit.code, LEDGER_ROLES
        ):
            raise InvalidInput(
                _("You may not change data in %(unit)s.") % {"unit": unit}, field="unit"
            )
        return unit

    def building_of(self, unit: OrgUnit, values: dict) -> Building | None:
        key = (unit.pk, values["estate"], values["building"])
        if key not in self._buildings:
            self._buildings[key] = Building.objects.filter(
                unit=unit, estate=values["estate"], name=values["building"]
            ).first()
        return self._buildings[key]

    def run(self, rows: list[tuple[int, dict]], finish=None) -> int:
        """Check every row; if all are good, write them in one transaction. Returns how many
        records were created; raises ImportRejected with the row errors otherwise.
        `finish(created)` runs inside that transaction (the job records its outcome there, so
        the rows and the outcome commit together or not at all)."""
        plans = self.check(rows)
        staged = self.stage(plans)
        try:
            with transaction.atomic():
                created = self.write(staged)
                if finish is not None:
                    finish(created)
                return created
        except IntegrityError:
            # Another user added the same person, house or organisation since the check.
            raise ImportRejected(
                [{"row": None, "column": "", "message": _changed_meanwhile()}]
            ) from None

    def stage(self, plans: list) -> dict:
        """The checked rows as database values, ready to insert (still outside the lock)."""
        return getattr(self, f"stage_{self.kind}")(plans)

    def write(self, staged: dict) -> int:
        """Insert staged rows; call inside a transaction. Returns the records created."""
        return getattr(self, f"write_{self.kind}")(staged)

    def check(self, rows: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
        """Every row checked, reading only; ImportRejected with every bad row."""
        check = getattr(self, f"check_{self.kind}")
        plans = []
        for done, (number, values) in enumerate(rows, start=1):
            try:
                plans.append((number, check(number, values)))
            except limits.TooMany:
                raise  # the whole file stops: no row may tell more once the limit is reached
            except CivicgridError as error:
                self.errors.add(number, error.field, error.message)
            if done % 200 == 0:
                self.progress(done)
        getattr(self, f"cross_check_{self.kind}")(plans)
        if self.errors.items:
            raise ImportRejected(sorted(self.errors.items, key=lambda e: e["row"]))
        return plans

    # persons ------------------------------------------------------------------------------

    def check_persons(self, number: int, values: dict) -> dict:
        unit = self.unit_of(values["unit"])
        _require_address(values)
        building = self.building_of(unit, values)
        if building is None:
            raise InvalidInput(
                _("Unknown building %(estate)s%(building)s in %(unit)s: import the houses first.")
                % {"estate": values["estate"], "building": values["building"], "unit": unit},
                field="building",
            )
        entrance = _int(values, "entrance", required=True)
        house = House.objects.filter(
            building=building, entrance=entrance, room=values["room"]
        ).first()
        if house is None:
            raise InvalidInput(
                _("No room %(room)s in building unit %(entrance)s of %(building)s.")
                % {"room": values["room"], "entrance": entrance, "building": building},
                field="room",
            )
        house.building = building
        data = services.PersonData(
            name=values["name"],
            gender=_choice("gender", values["gender"]),
            birth_date=_date(values, "birth_date"),
            id_number=values["id_number"],
            phone=values["phone"],
            relation=_choice("relation", values["relation"]),
            ethnicity=values["ethnicity"],
            political_status=values["political_status"],
            education=values["education"],
            occupation=values["occupation"],
            employer=values["employer"],
            registered_address=values["registered_address"],
            residence_kind=_choice("residence_kind", values["residence_kind"]),
            note=values["note"],
            tags=tuple(_split(values["tags"])),
        )
        cleaned = services.clean_person(data)  # raises with the field
        tags = cleaned.pop("tags")
        if any(tag.sensitive for tag in tags) and not self.may_see_sensitive(unit):
            raise NotAllowed(_("Your role may not set sensitive tags."), field="tags")
        on_record = Person.objects.filter(id_hash=cleaned["id_hash"], status=PersonStatus.PRESENT)
        if cleaned["id_hash"] and on_record.exists():
            services.note_typed_number(actor=self.actor, id_number=values["id_number"])
            raise InvalidInput(
                _("This person (ID-card number) is already recorded."), field="id_number"
            )
        person = Person(**cleaned, unit=unit, unit_code=unit.code)
        return {
            "row": number,
            "house": house,
            "household": values["household"].strip(),
            "person": person,
            "tags": tags,
            "keys": search.keys_for(person, house),
            "id_hash": cleaned["id_hash"],
        }

    def may_see_sensitive(self, unit: OrgUnit) -> bool:
        if unit.code not in self._sensitive:
            self._sensitive[unit.code] = holds(self.actor, unit.code, PERSONAL_DATA_ROLES)
        return self._sensitive[unit.code]

    def cross_check_persons(self, plans: list) -> None:
        seen: dict[str, tuple[int, tuple]] = {}
        heads: Counter = Counter()
        for number, plan in plans:
            home = (plan["house"].pk, plan["household"])
            if plan["id_hash"]:
                if plan["id_hash"] in seen:
                    first, first_home = seen[plan["id_hash"]]
                    message = (
                        _("The same person is in two households (rows %(a)s and %(b)s).")
                        if first_home != home
                        else _("Duplicate person: the same ID-card number as row %(a)s.")
                    ) % {"a": first, "b": number}
                    self.errors.add(number, "id_number", message)
                else:
                    seen[plan["id_hash"]] = (number, home)
            if plan["person"].relation == Relation.HEAD:
                heads[home] += 1
                existing = Person.objects.filter(
                    household__house=plan["house"], relation=Relation.HEAD
                )
                if plan["household"]:
                    existing = existing.filter(household__number=plan["household"])
                if heads[home] > 1 or existing.exists():
                    self.errors.add(number, "relation", _("This household already has a head."))

    def stage_persons(self, plans: list) -> dict:
        persons = [plan["person"] for _number, plan in plans]
        return {"plans": plans, "persons": _Rows(Person, persons, late=("household",))}

    def write_persons(self, staged: dict) -> int:
        """Households found or added (a number names one; without, the house's first), then
        persons, their tags and their search keys: a handful of bulk statements."""
        plans = staged["plans"]
        houses = {plan["house"].pk for _, plan in plans}
        found: dict[int | None, list[Household]] = defaultdict(list)
        for household in Household.objects.filter(house_id__in=houses):
            found[household.house_id].append(household)
        added: list[Household] = []
        for _number, plan in plans:
            house, number = plan["house"], plan["household"]
            there = found[house.pk]
            home = next((h for h in there if h.number == number), None) if number else None
            if home is None and not number and there:
                home = there[0]
            if home is None:
                home = Household(
                    house=house,
                    unit=plan["person"].unit,
                    unit_code=plan["person"].unit_code,
                    number=number,
                    address=str(house),
                )
                there.append(home)
                added.append(home)
            plan["person"].household = home
        # Households already there may gain their head: counted before and after.
        change = ledger_rollups.Change(
            households=[home for homes in found.values() for home in homes if home.pk]
        )
        Household.objects.bulk_create(added, batch_size=_BATCH)
        staged["persons"].insert()
        change.commit(persons=[plan["person"] for _number, plan in plans], households=added)
        services.log_recorded(
            [plan["person"].pk for _number, plan in plans], actor=self.actor, now=timezone.now()
        )
        # Tags and search keys (a dozen rows a person) go in as plain tuples: building model
        # objects for them would keep the write lock for seconds on a large file.
        through = Person.tags.through
        _insert_many(
            through,
            ["person_id", "tag_id"],
            [(plan["person"].pk, tag.pk) for _number, plan in plans for tag in plan["tags"]],
        )
        _insert_many(
            PersonKey,
            ["key", "person_id", "unit_code"],
            [
                (key, plan["person"].pk, plan["person"].unit_code)
                for _number, plan in plans
                for key in plan["keys"]
            ],
        )
        return len(plans)

    # houses and households ------------------------------------------------------------------

    def check_houses(self, number: int, values: dict) -> dict:
        unit = self.unit_of(values["unit"])
        _require_address(values)
        entrance = _int(values, "entrance", required=True)
        floor = _int(values, "floor")
        building = self.building_of(unit, values)
        entrances, floors = _int(values, "entrances"), _int(values, "floors")
        if (entrances is not None and entrances < 1) or (floors is not None and floors < 1):
            raise InvalidInput(
                _("A building has at least one unit and one floor."),
                field="floors" if floors is not None and floors < 1 else "entrances",
            )
        if building is None and (entrances or floors):
            # A building this file creates: check against what the file declares for it.
            declared = Building(
                estate=values["estate"],
                name=values["building"],
                entrances=entrances or entrance,
                floors=floors,
            )
            services.check_house_fits(declared, entrance, floor)
        if building is not None:
            services.check_house_fits(building, entrance, floor)
            if House.objects.filter(
                building=building, entrance=entrance, room=values["room"]
            ).exists():
                raise InvalidInput(_("This house is already recorded."), field="room")
        return {
            "unit": unit,
            "estate": values["estate"],
            "building": values["building"],
            "entrance": entrance,
            "room": values["room"],
            "floor": floor,
            "area": services.clean_area(values["area"]),
            "use": _choice("use", values["use"]),
            "owner_name": values["owner_name"],
            "household": values["household"],
            "entrances": entrances,
            "floors": floors,
        }

    def cross_check_houses(self, plans: list) -> None:
        seen: dict[tuple, int] = {}
        widest: dict[tuple, int] = defaultdict(int)
        for number, plan in plans:
            key = (
                plan["unit"].pk,
                plan["estate"],
                plan["building"],
                plan["entrance"],
                plan["room"],
            )
            if key in seen:
                self.errors.add(
                    number, "room", _("The same house as row %(a)s.") % {"a": seen[key]}
                )
            seen.setdefault(key, number)
            widest[key[:3]] = max(widest[key[:3]], plan["entrance"])
        self._widest = widest

    def stage_houses(self, plans: list) -> dict:
        """New buildings (sized by their first row, or the widest building unit the file
        uses), houses, and a household in every house not vacant."""
        buildings: dict[tuple, Building] = {}
        added: list[Building] = []
        houses: list[House] = []
        households: list[Household] = []
        for _number, plan in plans:
            key = (plan["unit"].pk, plan["estate"], plan["building"])
            if key not in buildings:
                building = self.building_of(plan["unit"], plan)
                if building is None:
                    building = Building(
                        unit=plan["unit"],
                        unit_code=plan["unit"].code,
                        estate=plan["estate"],
                        name=plan["building"],
                        entrances=plan["entrances"] or self._widest[key],
                        floors=plan["floors"],
                    )
                    added.append(building)
                buildings[key] = building
            house = House(
                building=buildings[key],
                unit=plan["unit"],
                unit_code=plan["unit"].code,
                entrance=plan["entrance"],
                room=plan["room"],
                floor=plan["floor"],
                area=plan["area"],
                use=plan["use"],
                owner_name=plan["owner_name"],
            )
            houses.append(house)
            if plan["use"] != HouseUse.VACANT:
                households.append(
                    Household(
                        house=house,
                        unit=plan["unit"],
                        unit_code=plan["unit"].code,
                        number=plan["household"].strip(),
                        address=str(house),
                    )
                )
        return {
            "buildings": added,
            "houses": _Rows(House, houses, late=("building",)),
            "households": _Rows(Household, households, late=("house",)),
        }

    def write_houses(self, staged: dict) -> int:
        Building.objects.bulk_create(staged["buildings"], batch_size=_BATCH)
        staged["houses"].insert()
        staged["households"].insert()
        ledger_rollups.add_objects(
            houses=staged["houses"].objects, households=staged["households"].objects
        )
        return len(staged["buildings"]) + len(staged["houses"]) + len(staged["households"])

    # organisations --------------------------------------------------------------------------

    def check_organisations(self, number: int, values: dict) -> dict:
        unit = self.unit_of(values["unit"])
        if not values["name"]:
            raise InvalidInput(_("This column is required."), field="name")
        kind = _choice("kind", values["kind"])
        if kind == "":
            raise InvalidInput(_("This column is required."), field="kind")
        phone = values["contact_phone"]
        phone = privacy.clean_phone(phone, "contact_phone") if phone else ""
        return {
            "unit": unit,
            "unit_code": unit.code,
            "name": values["name"],
            "kind": kind,
            "credit_code": services.clean_credit_code(values["credit_code"]),
            "address": values["address"],
            "business": values["business"],
            "contact_name": values["contact_name"],
            **CONTACT_PHONE.values(phone),
            "staff_size": _int(values, "staff_size"),
            "party_organisation": values["party_organisation"],
        }

    def cross_check_organisations(self, plans: list) -> None:
        seen: dict[str, int] = {}
        for number, plan in plans:
            code = plan["credit_code"]
            if not code:
                continue
            if code in seen:
                self.errors.add(
                    number,
                    "credit_code",
                    _("The same credit code as row %(a)s.") % {"a": seen[code]},
                )
            elif Organisation.objects.filter(credit_code=code).exists():
                self.errors.add(number, "credit_code", _("This organisation is already recorded."))
            seen.setdefault(code, number)

    def stage_organisations(self, plans: list) -> dict:
        return {"rows": _Rows(Organisation, [Organisation(**plan) for _number, plan in plans])}

    def write_organisations(self, staged: dict) -> int:
        staged["rows"].insert()
        ledger_rollups.add_objects(organisations=staged["rows"].objects)
        return len(staged["rows"])


class _Rows:
    """Model objects turned into database values before the write transaction opens, so that
    inside it only the INSERT statements run (building them through the ORM kept the write
    lock for seconds on a large file). `late` names foreign keys to rows inserted in the same
    transaction: their ids are filled in at insert time. After insert() every object has its
    primary key."""

    def __init__(self, model, objects: list, late: tuple[str, ...] = ()) -> None:
        self.model, self.objects = model, objects
        self.fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        self.late = [i for i, field in enumerate(self.fields) if field.name in late]
        self.values = [
            [
                None
                if field.name in late
                else field.get_db_prep_save(field.pre_save(obj, True), connection)
                for field in self.fields
            ]
            for obj in objects
        ]

    def __len__(self) -> int:
        return len(self.objects)

    def insert(self) -> None:
        if not self.objects:
            return
        for i in self.late:
            name = self.fields[i].name
            for obj, row in zip(self.objects, self.values, strict=True):
                row[i] = getattr(obj, name).pk
        quote = connection.ops.quote_name
        meta = self.model._meta
        columns = ", ".join(quote(field.column) for field in self.fields)
        one = "({})".format(", ".join(["%s"] * len(self.fields)))
        per = max(1, (connection.features.max_query_params or 30_000) // len(self.fields))
        with connection.cursor() as cursor:
            for start in range(0, len(self.objects), per):
                chunk = self.values[start : start + per]
                cursor.execute(
                    f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
                    f"{', '.join([one] * len(chunk))} RETURNING {quote(meta.pk.column)}",
                    [value for row in chunk for value in row],
                )
                # Keys are handed out in the order of the VALUES; RETURNING's order is not
                # promised (SQLite), so they are matched in ascending order.
                keys = sorted(key for (key,) in cursor.fetchall())
                for obj, key in zip(self.objects[start : start + per], keys, strict=True):
                    obj.pk = key
                    obj._state.adding, obj._state.db = False, connection.alias


def _insert_many(model, columns: list[str], rows: list[tuple]) -> None:
    """One INSERT run over many rows (the driver's executemany), for link rows that need no
    model logic. `columns` are attribute names of `model`'s fields."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = [quote(model._meta.get_field(column).column) for column in columns]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(names), ", ".join(["%s"] * len(names))
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


class ImportRejected(CivicgridError):
    def __init__(self, errors: list[dict]) -> None:
        super().__init__(
            _("Nothing was imported: %(n)s row(s) need fixing.") % {"n": len(errors)},
            details=errors,
        )
        self.errors = errors


def _require_address(values: dict) -> None:
    for column in ADDRESS:
        if not values[column.name]:
            raise InvalidInput(_("This column is required."), field=column.name)


def _split(text: str) -> Iterator[str]:
    for part in text.replace(",", "、").replace("，", "、").replace(";", "、").split("、"):
        if part.strip():
            yield part.strip()


# ---- jobs --------------------------------------------------------------------------------------
#
# A background job's file lives in private storage (core.storage: 0600 in a 0700 folder, or S3
# outside MEDIA_ROOT) from the upload until the job ends, whatever the end: imported, rejected,
# crashed, or given up by `sweep`. It is kept while the job may still run, so that a run killed
# with its worker (kill -9, a restart, out of memory) can be tried again from it without the
# staff uploading the file again: `sweep` sees a running job with no progress for
# settings.IMPORT_STALL_MINUTES and queues it again, up to settings.IMPORT_MAX_ATTEMPTS runs;
# then it fails the job with a message asking for a new upload, and deletes the file. A run
# records its outcome in the same transaction as the rows, and only if it still owns the job
# (state and attempt unchanged), so a run given up for dead that was only slow writes nothing.

# A queued job that never started (its task lost, e.g. with the queue) is given up after a day.
_QUEUED_GIVE_UP = dt.timedelta(days=1)


def _changed_meanwhile() -> str:
    return _("Someone changed the same records while the file was checked; nothing was imported.")


class _Superseded(Exception):
    """This run no longer owns its job (given up for dead and queued again)."""


def start_import(*, actor: Any, unit: OrgUnit, kind: str, upload) -> ImportJob:
    """Queue an import of `upload` (an uploaded .xlsx) into `unit`. Small files are done at
    once; large ones in the background. Either way the job tells the outcome."""
    if kind not in ImportKind.values:
        raise InvalidInput(_("Choose what the file holds."), field="kind")
    if upload is None:
        raise InvalidInput(_("Choose an .xlsx file."), field="file")
    if not covers(actor, unit.code, write=True):
        raise InvalidInput(_("You may not import into %(unit)s.") % {"unit": unit}, field="unit")
    if upload.size > MAX_BYTES:
        raise InvalidInput(_("The file is larger than 20 MB; split it."), field="file")
    data = upload.read()
    rows = read_rows(data, kind)  # a bad file fails here, before any job exists
    job = ImportJob.objects.create(
        unit=unit,
        kind=kind,
        filename=getattr(upload, "name", "ledger.xlsx")[:200],
        state=ImportJob.State.QUEUED,
        rows_total=len(rows),
        actor=actor,
        touched_at=timezone.now(),
    )
    if len(rows) <= BACKGROUND_ROWS:
        run_import(job, rows)
    else:
        from django.core.files.base import ContentFile

        job.file.save(f"{job.pk}.xlsx", ContentFile(data))
        _queue(job.pk)
    job.refresh_from_db()
    return job


def _queue(job_id: int) -> None:
    """Queue the job's run once the job is committed. If the task queue cannot be reached
    (Redis down), the job fails at once with that reason and its file is deleted: the staff
    see why and upload again later, and no "queued" job waits for a run that never comes."""
    from civicgrid.core import jobs
    from civicgrid.people.tasks import import_ledger

    def failed(error: Exception) -> None:
        with translation.override(settings.LANGUAGE_CODE):  # may run after the request
            message = _(
                "The background queue could not be reached, so the file was not imported. "
                "Upload it again in a few minutes, or tell the administrator."
            )
        ImportJob.objects.filter(
            pk=job_id, state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING]
        ).update(
            state=ImportJob.State.FAILED,
            created=0,
            errors=[{"row": None, "column": "", "message": message}],
            finished_at=timezone.now(),
            touched_at=timezone.now(),
        )
        _discard_file_if_ended(job_id)

    jobs.enqueue_on_commit(import_ledger, job_id, failed=failed)


def run_import(job: ImportJob, rows: list | None = None) -> ImportJob:
    """Run a queued job: read its file, check, write, record the outcome; the file is deleted
    once the job has ended, whatever the outcome. A job that is not queued is left alone."""
    now = timezone.now()
    queued = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.QUEUED)
    if not queued.update(state=ImportJob.State.RUNNING, attempts=F("attempts") + 1, touched_at=now):
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    mine = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.RUNNING, attempts=job.attempts)

    def progress(done: int) -> None:
        mine.update(rows_done=done, touched_at=timezone.now())

    def finish(created: int) -> None:
        ended = mine.update(
            state=ImportJob.State.DONE,
            errors=[],
            created=created,
            rows_done=len(rows or ()),
            finished_at=timezone.now(),
            touched_at=timezone.now(),
        )
        if not ended:
            raise _Superseded

    outcome = None
    try:
        if rows is None:
            with job.file.open("rb") as handle:
                data = handle.read()
            rows = read_rows(data, job.kind)
            mine.update(rows_total=len(rows), touched_at=timezone.now())
        Importer(job.actor, job.unit, job.kind, progress).run(rows, finish=finish)
    except ImportRejected as rejected:
        outcome = {"errors": rejected.errors}
    except CivicgridError as error:
        outcome = {"errors": [{"row": None, "column": "", "message": error.message}]}
    except _Superseded:
        logger.warning(
            "import job %s: run %s was superseded; it wrote nothing", job.pk, job.attempts
        )
    except Exception:
        logger.exception("import job %s failed", job.pk)
        outcome = {
            "errors": [
                {
                    "row": None,
                    "column": "",
                    "message": _(
                        "The import stopped on an unexpected error; nothing was "
                        "imported. Upload the file again, or tell the administrator."
                    ),
                }
            ]
        }
    finally:
        if outcome is not None:
            mine.update(
                state=ImportJob.State.FAILED,
                created=0,
                rows_done=len(rows or ()),
                finished_at=timezone.now(),
                touched_at=timezone.now(),
                **outcome,
            )
        _discard_file_if_ended(job.pk)
    job.refresh_from_db()
    return job


def discard_file_if_ended(model, job_id: int) -> None:
    """Delete the private file of a job (a ledger or history import) once it has ended, however
    it ended: it may hold ID numbers in clear. `model` has `file` and a `State` with QUEUED and
    RUNNING."""
    job = model.objects.filter(pk=job_id).first()
    if job is None or not job.file or job.state in (model.State.QUEUED, model.State.RUNNING):
        return
    job.file.delete(save=False)
    model.objects.filter(pk=job_id).update(file="")


def _discard_file_if_ended(job_id: int) -> None:
    discard_file_if_ended(ImportJob, job_id)


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Jobs whose worker died: a running job with no progress for IMPORT_STALL_MINUTES is
    queued again from its kept file, up to IMPORT_MAX_ATTEMPTS runs, else failed (file
    deleted, the staff asked to upload again); a job still queued past IMPORT_STALL_MINUTES is
    queued again (its task lost with the queue); one queued for a day and never started is
    failed. Runs every few minutes (tasks.sweep_imports)."""
    now = now or timezone.now()
    counts = {"retried": 0, "failed": 0}
    stalled = ImportJob.objects.filter(
        Q(touched_at__lt=now - dt.timedelta(minutes=settings.IMPORT_STALL_MINUTES))
        | Q(touched_at__isnull=True),
        state=ImportJob.State.RUNNING,
    )
    lost = ImportJob.objects.filter(
        Q(touched_at__lt=now - _QUEUED_GIVE_UP) | Q(touched_at__isnull=True),
        state=ImportJob.State.QUEUED,
    )
    # Queued past the stall limit: its task may have been lost with the queue (Redis restarted
    # empty). Queued again; a run claims the job, so a task that was only late does nothing.
    waiting = ImportJob.objects.filter(
        state=ImportJob.State.QUEUED,
        touched_at__lt=now - dt.timedelta(minutes=settings.IMPORT_STALL_MINUTES),
        touched_at__gte=now - _QUEUED_GIVE_UP,
    ).exclude(file="")
    for job in waiting:
        same = ImportJob.objects.filter(pk=job.pk, state=job.state, touched_at=job.touched_at)
        if same.update(touched_at=now):
            logger.warning("import job %s still queued; queued again", job.pk)
            counts["retried"] += 1
            _queue(job.pk)
    for job in [*stalled, *lost]:
        same = ImportJob.objects.filter(
            pk=job.pk, state=job.state, attempts=job.attempts, touched_at=job.touched_at
        )
        retry = (
            job.state == ImportJob.State.RUNNING
            and job.file
            and job.attempts < settings.IMPORT_MAX_ATTEMPTS
        )
        if retry:
            if same.update(state=ImportJob.State.QUEUED, touched_at=now):
                logger.warning(
                    "import job %s stalled on run %s; queued again", job.pk, job.attempts
                )
                counts["retried"] += 1
                _queue(job.pk)
            continue
        message = _(
            "The import stopped (the server was restarted or ran out of memory) and nothing was "
            "imported. Upload the file again."
        )
        if same.update(
            state=ImportJob.State.FAILED,
            created=0,
            errors=[{"row": None, "column": "", "message": message}],
            finished_at=now,
            touched_at=now,
        ):
            logger.warning("import job %s stalled on run %s; failed", job.pk, job.attempts)
            counts["failed"] += 1
            _discard_file_if_ended(job.pk)
    return counts


# ---- export ------------------------------------------------------------------------------------


# A text starting with one of these is a formula to Excel, LibreOffice or WPS (at once, or when
# the cell is edited or the sheet saved as CSV): a resident named "=HYPERLINK(…)" must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def sheet_cell(sheet, value):
    """`value` as written into a write-only `sheet`: control characters XML cannot hold are
    dropped, and a text that could be read as a formula is stored as a string cell
    (data type "s") with the quote prefix set, so no spreadsheet evaluates it; the text itself
    is kept as it is. Every export goes through here."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith(FORMULA_STARTS):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def export(headers: list[str], rows: Iterable[Iterable], title: str) -> bytes:
    """A list as .xlsx. Callers pass values as shown on screen (masked numbers); texts that
    look like formulas stay texts (sheet_cell)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([sheet_cell(sheet, header) for header in headers])
    for row in rows:
        sheet.append([sheet_cell(sheet, value) for value in row])
    return _save(workbook)


PERSON_EXPORT = [
    "姓名",
    "性别",
    "出生日期",
    "年龄",
    "公民身份号码",
    "联系电话",
    "地址",
    "与户主关系",
    "人口类型",
    "标签",
    "网格",
]


class _Counted:
    """An iterable that counts what it gave (the rows of an export, for the access log)."""

    def __init__(self, rows: Iterable) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator:
        for row in self.rows:
            self.count += 1
            yield row


def export_unit_persons(
    *, actor: Any, unit: OrgUnit, tag: str = "", reason: str, ip: str | None = None
) -> bytes:
    """The persons under `unit` (optionally with one tag) as .xlsx, masked as on screen, for a
    role that may reveal numbers there, with a reason; logged with the number of rows."""
    reason = services.check_export(actor=actor, unit=unit, reason=reason)
    persons = _Counted(selectors.persons_to_export(actor, unit, tag=tag))
    data = export_persons(persons, timezone.localdate())
    what = f"persons:{tag}" if tag else "persons"
    services.log_export(actor=actor, unit=unit, what=what, rows=persons.count, reason=reason, ip=ip)
    return data


def export_unit_organisations(
    *, actor: Any, unit: OrgUnit, reason: str, ip: str | None = None
) -> bytes:
    """The organisations under `unit` (their contacts are personal data) as .xlsx, for a role
    that may reveal numbers there, with a reason; logged with the number of rows."""
    reason = services.check_export(actor=actor, unit=unit, reason=reason)
    rows = selectors.under(selectors.organisations_for(actor), unit)
    organisations = _Counted(rows.iterator(chunk_size=2000))
    data = export_organisations(organisations)
    services.log_export(
        actor=actor, unit=unit, what="organisations", rows=organisations.count, reason=reason, ip=ip
    )
    return data


def export_persons(persons: Iterable, today: dt.date) -> bytes:
    """(person, tags the user may see) as .xlsx, numbers masked."""
    rows = (
        [
            p.name,
            p.get_gender_display(),
            p.birth_date,
            p.age(today),
            p.id_masked,
            p.phone_masked,
            str(p.household) if p.household_id else "",
            p.get_relation_display() if p.relation else "",
            p.get_residence_kind_display(),
            "、".join(tag.name for tag in tags),
            str(p.unit),
        ]
        for p, tags in persons
    )
    return export(PERSON_EXPORT, rows, _("Persons"))


def export_organisations(organisations: Iterable) -> bytes:
    """Organisations in the columns of the organisations template (contact phone masked)."""
    columns = COLUMNS[ImportKind.ORGANISATIONS]
    kinds = {value: word for word, value in WORDS["kind"].items()}
    shown = {"unit": "unit_code", "contact_phone": "contact_phone_masked"}

    def row(organisation) -> list:
        values = {c.name: getattr(organisation, shown.get(c.name, c.name)) for c in columns}
        values["kind"] = kinds.get(organisation.kind, organisation.kind)
        return [values[c.name] for c in columns]

    rows = (row(o) for o in organisations)
    return export([c.header for c in columns], rows, _("Organisations"))
