"""Every write to basic data. Each function checks the actor's role over the row's unit,
validates, and writes in one transaction; personal numbers are encrypted here and nowhere else.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core import erasure, limits, privacy
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed, required
from civicgrid.core.models import AccessLog
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds, require, scope
from civicgrid.people import ledger_rollups, rollups, search, selectors
from civicgrid.people.erasure import subject_of
from civicgrid.people.models import (
    CONTACT_PHONE,
    DATA_UNIT_KINDS,
    Building,
    Facility,
    FacilityKind,
    FacilityState,
    Gender,
    House,
    Household,
    Organisation,
    OrganisationKind,
    Person,
    PersonAction,
    PersonKey,
    PersonStatus,
    PersonStep,
    Place,
    PlaceKind,
    Relation,
    Situation,
    SituationKind,
    Tag,
    Visit,
)
from civicgrid.people.roles import LEDGER_ROLES, PERSONAL_DATA_ROLES
from civicgrid.people.workflow import PERSONS


def _check_keeper(actor: Any, code: str) -> None:
    require(actor, code, LEDGER_ROLES, _("You may not change basic data here."))


def _data_unit(actor: Any, unit: OrgUnit | None) -> OrgUnit:
    if unit is None:
        raise InvalidInput(_("Choose the grid this belongs to."), field="unit")
    if unit.kind not in DATA_UNIT_KINDS:
        raise InvalidInput(
            _("Basic data hangs on a grid or micro-grid, not on %(unit)s.") % {"unit": unit},
            field="unit",
        )
    _check_keeper(actor, unit.code)
    return unit


# ---- buildings, houses, households ------------------------------------------------------------


@transaction.atomic
def save_building(
    *,
    actor: Any,
    unit: OrgUnit,
    estate: str,
    name: str,
    entrances: int = 1,
    floors: int | None = None,
    address: str = "",
    lon: float | None = None,
    lat: float | None = None,
    building: Building | None = None,
) -> Building:
    unit = _data_unit(actor, unit)
    building = building or Building()
    if building.pk:
        _check_keeper(actor, building.unit_code)
    if entrances < 1 or (floors is not None and floors < 1):
        raise InvalidInput(_("A building has at least one unit and one floor."), field="floors")
    building.unit = unit
    building.estate = required(estate, "estate", _("Estate"))
    building.name = required(name, "name", _("Building"))
    building.entrances, building.floors = entrances, floors
    building.address, building.lon, building.lat = address, lon, lat
    try:
        with transaction.atomic():
            building.save()
    except IntegrityError:
        raise Conflict(
            _("%(building)s is already in this grid.") % {"building": building}, field="name"
        ) from None
    if building.pk:
        for person in Person.objects.filter(household__house__building=building):
            _write_keys(person)
    return building


def check_house_fits(building: Building, entrance: int, floor: int | None) -> None:
    """A house lies inside its building: one of its building units, one of its floors (down
    to five basement floors)."""
    if not 1 <= entrance <= building.entrances:
        raise InvalidInput(
            _("%(building)s has building units 1 to %(n)s, not %(entrance)s.")
            % {"building": building, "n": building.entrances, "entrance": entrance},
            field="entrance",
        )
    if floor is not None and building.floors and not (-5 <= floor <= building.floors):
        raise InvalidInput(
            _("%(building)s has %(n)s floors; floor %(floor)s is outside it.")
            % {"building": building, "n": building.floors, "floor": floor},
            field="floor",
        )


def clean_area(area) -> Decimal | None:
    """A house's floor area in m² (1 to 10 000), or None."""
    if area in (None, ""):
        return None
    try:
        area = Decimal(str(area))
    except InvalidOperation:
        raise InvalidInput(_("The area is not a number."), field="area") from None
    if not Decimal(1) <= area <= Decimal(10000):
        raise InvalidInput(_("The area must be 1 to 10 000 m²."), field="area")
    return area


@transaction.atomic
def save_house(
    *,
    actor: Any,
    building: Building,
    entrance: int,
    room: str,
    floor: int | None = None,
    area=None,
    use: str = "",
    owner_name: str = "",
    house: House | None = None,
) -> House:
    _check_keeper(actor, building.unit_code)
    room = required(room, "room", _("Room"))
    check_house_fits(building, entrance, floor)
    area = clean_area(area)
    house = house or House()
    change = ledger_rollups.Change(houses=[house])
    house.building, house.unit = building, building.unit
    house.entrance, house.room, house.floor = entrance, room, floor
    house.area, house.use, house.owner_name = area, use, owner_name
    try:
        with transaction.atomic():
            house.save()
    except IntegrityError:
        raise Conflict(
            _("%(house)s is already recorded.") % {"house": house}, field="room"
        ) from None
    change.commit(houses=[house])
    return house


@transaction.atomic
def save_household(
    *,
    actor: Any,
    house: House | None,
    unit: OrgUnit | None = None,
    number: str = "",
    note: str = "",
    household: Household | None = None,
) -> Household:
    """A household at `house` (its unit follows the house), or with no house in `unit`."""
    unit = house.unit if house is not None else unit
    unit = _data_unit(actor, unit)
    household = household or Household()
    if household.pk:
        _check_keeper(actor, household.unit_code)
    # Its members follow it to its unit.
    change = ledger_rollups.Change(
        households=[household], persons=household.members.all() if household.pk else ()
    )
    household.house, household.unit = house, unit
    household.number, household.note = number.strip(), note
    household.address = str(house) if house is not None else ""
    household.save()
    for person in household.members.all():
        if person.unit_id != unit.pk:
            person.unit = unit
            person.save(update_fields=["unit", "unit_code"])
        _write_keys(person)
    change.commit(households=[household])
    return household


# ---- persons ------------------------------------------------------------------------------------


@dataclass
class PersonData:
    """What a form, an import row or the API gives for a person. Numbers in clear."""

    name: str
    gender: str = ""
    birth_date: dt.date | None = None
    # None: keep the person's current number (a form left blank when editing).
    id_number: str | None = ""
    phone: str | None = ""
    relation: str = ""
    former_name: str = ""
    ethnicity: str = ""
    political_status: str = ""
    education: str = ""
    marital_status: str = ""
    occupation: str = ""
    employer: str = ""
    registered_address: str = ""
    residence_kind: str = ""
    note: str = ""
    tags: tuple[str, ...] = ()  # tag codes or names


def tags_named(values: Iterable[str]) -> list[Tag]:
    """Tags by code or name; an unknown one is an error naming it."""
    wanted = [value.strip() for value in values if value and value.strip()]
    if not wanted:
        return []
    found = {}
    for tag in Tag.objects.all():
        found[tag.code] = found[tag.name] = tag
    unknown = [value for value in wanted if value not in found]
    if unknown:
        raise InvalidInput(_("Unknown tag: %(tags)s.") % {"tags": "、".join(unknown)}, field="tags")
    return list({found[value].pk: found[value] for value in wanted}.values())


def clean_person(data: PersonData) -> dict[str, Any]:
    """Validate a person's fields; returns the model values (numbers encrypted) and the tags.
    Raises InvalidInput naming the field."""
    name = required(data.name, "name", _("Name"))
    if len(name) > 40:
        raise InvalidInput(_("A name has at most 40 characters."), field="name")
    values: dict[str, Any] = {
        "name": name,
        "gender": data.gender or Gender.UNKNOWN,
        "birth_date": data.birth_date,
        "relation": data.relation,
        "residence_kind": data.residence_kind or Person._meta.get_field("residence_kind").default,
    }
    for field in (
        "former_name",
        "ethnicity",
        "political_status",
        "education",
        "marital_status",
        "occupation",
        "employer",
        "registered_address",
        "note",
    ):
        values[field] = (getattr(data, field) or "").strip()
    if values["gender"] not in Gender.values:
        raise InvalidInput(_("Unknown gender."), field="gender")
    if values["relation"] and values["relation"] not in Relation.values:
        raise InvalidInput(_("Unknown relation to the head."), field="relation")
    today = dt.date.today()
    if data.birth_date and not (dt.date(1890, 1, 1) <= data.birth_date <= today):
        raise InvalidInput(_("The birth date is impossible."), field="birth_date")
    number = ""
    if (data.id_number or "").strip():
        number, born = privacy.clean_id_number(data.id_number or "")
        if data.birth_date and data.birth_date != born:
            raise InvalidInput(
                _("The birth date differs from the one in the ID-card number (%(date)s).")
                % {"date": born.isoformat()},
                field="birth_date",
            )
        gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
        if data.gender and data.gender != Gender.UNKNOWN and data.gender != gender:
            raise InvalidInput(
                _("The gender differs from the one in the ID-card number."), field="gender"
            )
        values.update(birth_date=born, gender=gender)
    phone = privacy.clean_phone(data.phone or "") if (data.phone or "").strip() else ""
    values.update(privacy.ID_NUMBER.values(number), **privacy.PHONE.values(phone))
    values["tags"] = tags_named(data.tags)
    return values


def _write_keys(person: Person) -> None:
    house = None
    household = person.household
    if household is not None and household.house_id:
        house = household.house
    PersonKey.objects.filter(person=person).delete()
    PersonKey.objects.bulk_create(
        PersonKey(key=key, person=person, unit_code=person.unit_code)
        for key in search.keys_for(person, house)
    )


def _place_person(
    actor: Any, person: Person, household: Household | None, unit: OrgUnit | None
) -> None:
    if household is not None:
        person.household, person.unit = household, household.unit
    else:
        person.household = None
        person.unit = _data_unit(actor, unit)
    _check_keeper(actor, person.unit.code)


@transaction.atomic
def save_person(
    *,
    actor: Any,
    data: PersonData,
    household: Household | None = None,
    unit: OrgUnit | None = None,
    person: Person | None = None,
) -> Person:
    """Add or change a person, in `household` (whose unit they take) or directly in `unit`.

    Sensitive tags change only by roles that may see them; others keep them as they are.
    The same ID-card number twice is refused (one person, one record), and so is a second
    head of household."""
    if person is not None:
        _check_keeper(actor, person.unit_code)
        if data.id_number is None:
            # The number kept decides the birth date: a date typed beside it is not compared
            # with it, or the refusal would tell a role that sees only the age the date hidden.
            data = replace(data, id_number=privacy.decrypt(person.id_number))
            if person.id_number:
                data = replace(data, birth_date=None)
        if data.phone is None:
            data = replace(data, phone=privacy.decrypt(person.phone))
    values = clean_person(data)
    tags = values.pop("tags")
    person = person or Person()
    # Her household before (it comes with her) and the one she joins: either may gain or lose
    # its head.
    change = ledger_rollups.Change(persons=[person], households=[household])
    recording = person.pk is None
    for field, value in values.items():
        setattr(person, field, value)
    _place_person(actor, person, household, unit)
    if person.relation == Relation.HEAD and household is None:
        raise InvalidInput(_("Only a member of a household can be its head."), field="relation")
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        _explain_duplicate(actor, person)
        raise
    may_see_sensitive = holds(actor, person.unit_code, PERSONAL_DATA_ROLES)
    if any(tag.sensitive for tag in tags) and not may_see_sensitive:
        raise NotAllowed(_("Your role may not set sensitive tags."), field="tags")
    kept = [] if may_see_sensitive else list(person.tags.filter(sensitive=True))
    person.tags.set([*tags, *kept])
    _write_keys(person)
    change.commit(persons=[person])
    if recording:
        PERSONS.start(person, PersonAction.RECORD, actor=actor, now=timezone.now())
    return person


def log_recorded(person_ids: Sequence[int], *, actor: Any, now: dt.datetime) -> None:
    """The first step of records written in bulk (a ledger import, a synthetic city): what
    `save_person` logs for one record saved alone, as one INSERT run without model objects."""
    if not person_ids:
        return
    names = ["person", "actor", "action", "from_status", "to_status", "note", "details", "at"]
    fields = [cast("models.Field[Any, Any]", PersonStep._meta.get_field(name)) for name in names]
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    first: tuple[Any, ...] = (actor_id, PersonAction.RECORD, "", PersonStatus.PRESENT, "", {}, now)
    prepared = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields[1:], first, strict=True)
    ]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(PersonStep._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [(pk, *prepared) for pk in person_ids]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


# The step that ends a record as each status.
DEPARTURES = {
    PersonStatus.MOVED_OUT: PersonAction.MOVE_OUT,
    PersonStatus.DEREGISTERED: PersonAction.DEREGISTER,
}


def record_departure(
    *, actor: Any, person: Person, status: str, left_on: dt.date | None = None
) -> Person:
    """迁出 (moved out) or 注销 (deregistered): the normal end of a person's record, by a
    ledger keeper of her unit. The record leaves its household, the lists, the counts and the
    search, and is kept until a role that may reveal numbers erases it (delete_person)."""
    if status not in DEPARTURES:
        raise InvalidInput(
            _("Say whether the person moved out or was deregistered."), field="status"
        )
    today = timezone.localdate()
    left_on = left_on or today
    if left_on > today:
        raise InvalidInput(_("The day cannot be in the future."), field="left_on")

    def change(leaving: Person, now: dt.datetime) -> None:
        leaving.left_on = left_on
        leaving.household, leaving.relation = None, ""
        PersonKey.objects.filter(person=leaving).delete()

    return PERSONS.run(
        person, DEPARTURES[PersonStatus(status)], actor=actor, now=timezone.now(), change=change
    )


def _explain_duplicate(actor: Any, person: Person) -> None:
    if person.id_hash:
        others = Person.objects.filter(id_hash=person.id_hash, status=PersonStatus.PRESENT).exclude(
            pk=person.pk
        )
        if others.exists():
            # Where the other record is, only if the actor may see it: an ID number typed in
            # must not tell a grid worker where someone lives in another grid.
            other = scope(others, actor).select_related("household", "unit").first()
            where = (other.household or other.unit) if other else _("another unit")
            raise Conflict(
                _("This ID-card number is already recorded (in %(where)s): one person, one record.")
                % {"where": where},
                field="id_number",
            )
    if person.relation == Relation.HEAD:
        raise Conflict(_("This household already has a head."), field="relation")


# ---- personal data: reveal, export, delete ------------------------------------------------------


def _log(
    actor: Any, action: str, person: Person | None, field: str, reason: str, ip: str | None
) -> None:
    """One access-log row about `person` (None: a search that found no one)."""
    AccessLog.objects.create(
        actor=actor,
        action=action,
        record=f"people.person:{person.pk if person else ''}",
        field=field,
        reason=reason,
        unit_code=person.unit_code if person else "",
        ip=ip or None,
    )


def _check_personal(actor: Any, person: Person, reason: str) -> str:
    if not holds(actor, person.unit_code, PERSONAL_DATA_ROLES):
        raise NotAllowed(_("Your role may not see personal numbers."))
    return _check_reason(reason)


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise InvalidInput(_("Say why you need it (the reason is logged)."), field="reason")
    return reason[:200]


@transaction.atomic
def reveal(*, actor: Any, person: Person, field: str, reason: str, ip: str | None = None) -> str:
    """The number in clear, for a role that may see it, with the reveal logged."""
    if field not in AccessLog.Field.values:
        raise InvalidInput(_("Nothing to reveal there."), field="field")
    reason = _check_personal(actor, person, reason)
    _log(actor, AccessLog.Action.REVEAL, person, field, reason, ip)
    return privacy.reveal(getattr(person, field))


@transaction.atomic
def export_person(*, actor: Any, person: Person, reason: str, ip: str | None = None) -> dict:
    """Everything kept about a person (PIPL's right to a copy), logged."""
    reason = _check_personal(actor, person, reason)
    _log(actor, AccessLog.Action.EXPORT, person, "", reason, ip)
    household = person.household
    return {
        "name": person.name,
        "former_name": person.former_name,
        "gender": person.get_gender_display(),
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "id_number": privacy.reveal(person.id_number),
        "phone": privacy.reveal(person.phone),
        "ethnicity": person.ethnicity,
        "political_status": person.political_status,
        "education": person.education,
        "marital_status": person.marital_status,
        "occupation": person.occupation,
        "employer": person.employer,
        "registered_address": person.registered_address,
        "residence": person.get_residence_kind_display(),
        "household": str(household) if household else None,
        "relation": person.get_relation_display() if person.relation else "",
        "tags": [tag.name for tag in person.tags.all()],
        "note": person.note,
        "unit": str(person.unit),
        "recorded_at": person.created_at.isoformat(),
        "updated_at": person.updated_at.isoformat(),
    }


def check_export(*, actor: Any, unit: OrgUnit, reason: str) -> str:
    """The reason, cleaned, if the actor may export the personal data kept under `unit`: only
    roles that may reveal numbers there (not read-only leaders, micro-grid leaders or
    departments), with a reason. Raises NotAllowed or InvalidInput."""
    if not holds(actor, unit.code, PERSONAL_DATA_ROLES):
        raise NotAllowed(_("Your role may not export personal data."))
    return _check_reason(reason)


@transaction.atomic
def log_export(
    *, actor: Any, unit: OrgUnit, what: str, rows: int, reason: str, ip: str | None = None
) -> None:
    """Write down a ledger export (who, the unit's code as its scope, what, how many rows,
    why) once the file is made; `reason` as returned by check_export."""
    AccessLog.objects.create(
        actor=actor,
        action=AccessLog.Action.EXPORT,
        record=f"people.{what}:{unit.code}"[:60],
        reason=reason,
        unit_code=unit.code,
        rows=rows,
        ip=ip or None,
    )


@transaction.atomic
def delete_person(*, actor: Any, person: Person, reason: str, ip: str | None = None) -> None:
    """Erase a person, for a role that may reveal her numbers, with a reason: her record
    (ciphertexts, hashes, search keys) goes, and every other row that holds her data is
    blanked or deleted by the erasers registered in core/erasure.py (party member,
    enrolments, volunteer record, orders, reports…); the access log keeps that it happened,
    by whom and why. Moving out or deregistering (record_departure) is the normal end of a
    record; this is for what must not be kept."""
    reason = _check_personal(actor, person, reason)
    _log(actor, AccessLog.Action.DELETE, person, "", reason, ip)
    erasure.erase(subject_of(person))


def search_persons(*, actor: Any, query: str, ip: str | None = None) -> list[Person]:
    """提户知人 (selectors.lookup) for the search page and the API. A whole ID-card or phone
    number in the query tells whose number it is, as good as a reveal: such a search counts
    against the user's limit "number_search_user" (TooMany past it) and is logged (action
    SEARCH, the field searched, each person found or one row for none; never the number)."""
    fields = search.number_fields(query)
    if not fields:
        return selectors.lookup(actor, query)
    # Counted before the search and outside any transaction, so a refused try still counts.
    limits.hit("number_search_user", str(actor.pk), field="q")
    found = selectors.lookup(actor, query)
    reason = _("Search by a whole number")
    with transaction.atomic():
        for field in dict.fromkeys(fields):
            for person in found or [None]:
                _log(actor, AccessLog.Action.SEARCH, person, field, reason, ip)
    return found


def note_typed_number(
    *,
    actor: Any,
    id_number: str,
    unit_code: str | None = None,
    exclude: int | None = None,
    ip: str | None = None,
) -> None:
    """An ID-card number typed into a person form or an import row that is already recorded
    tells that it exists — as good as a search by it. Such a clash counts against the user's
    "number_search_user" limit (TooMany past it) and is logged like one (SEARCH, the record
    found). Called before the write and outside its transaction, so the count and the log stay
    when the write is refused; a number that is new, or not a valid one, costs nothing.
    With `unit_code`, the actor must keep ledgers there first: a role that may not write gets
    the same refusal whether the number exists or not."""
    if unit_code is not None:
        _check_keeper(actor, unit_code)
    try:
        number, _born = privacy.clean_id_number(id_number) if id_number.strip() else ("", None)
    except InvalidInput:
        return
    if not number:
        return
    others = Person.objects.filter(
        id_hash=privacy.ID_NUMBER.index(number), status=PersonStatus.PRESENT
    )
    other = (others.exclude(pk=exclude) if exclude else others).only("pk", "unit_code").first()
    if other is None:
        return
    limits.hit("number_search_user", str(actor.pk), field="id_number")
    reason = _("An ID-card number typed in is already recorded")
    _log(actor, AccessLog.Action.SEARCH, other, AccessLog.Field.ID_NUMBER, reason, ip)


# ---- visits and situations ----------------------------------------------------------------------


@transaction.atomic
def record_visit(
    *,
    actor: Any,
    household: Household,
    findings: str,
    visited_on: dt.date | None = None,
    follow_up: str = "",
) -> Visit:
    _check_keeper(actor, household.unit_code)
    visited_on = visited_on or dt.date.today()
    if visited_on > dt.date.today():
        raise InvalidInput(_("A visit cannot be in the future."), field="visited_on")
    visit = Visit.objects.create(
        unit=household.unit,
        household=household,
        visitor=actor,
        visited_on=visited_on,
        findings=required(findings, "findings", _("Findings")),
        follow_up=follow_up.strip(),
    )
    rollups.apply(rollups.contributions(visit))
    return visit


@transaction.atomic
def finish_follow_up(*, actor: Any, visit: Visit) -> Visit:
    _check_keeper(actor, visit.unit_code)
    visit.follow_up_done = True
    visit.save(update_fields=["follow_up_done"])
    return visit


@transaction.atomic
def record_situation(
    *,
    actor: Any,
    unit: OrgUnit,
    kind: str,
    topic: str,
    description: str = "",
    place: str = "",
    people_concerned: int | str = 1,
    follow_up: str = "",
) -> Situation:
    unit = _data_unit(actor, unit)
    if kind not in SituationKind.values:
        raise InvalidInput(_("Choose what kind of situation it is."), field="kind")
    try:
        people_concerned = int(people_concerned)
    except (TypeError, ValueError):
        raise InvalidInput(
            _("The number of people concerned is not a number."), field="people_concerned"
        ) from None
    if people_concerned < 1:
        raise InvalidInput(_("At least one person is concerned."), field="people_concerned")
    return Situation.objects.create(
        unit=unit,
        kind=kind,
        topic=required(topic, "topic", _("Topic"))[:100],
        description=description.strip(),
        place=place.strip(),
        people_concerned=people_concerned,
        follow_up=follow_up.strip(),
        recorded_by=actor,
    )


@transaction.atomic
def close_situation(*, actor: Any, situation: Situation, follow_up: str) -> Situation:
    _check_keeper(actor, situation.unit_code)
    situation.follow_up = required(follow_up, "follow_up", _("Follow-up"))
    situation.resolved = True
    situation.save(update_fields=["follow_up", "resolved"])
    return situation


# ---- organisations, places, facilities ---------------------------------------------------------


def clean_credit_code(value: str) -> str:
    from stdnum.cn import uscc
    from stdnum.exceptions import ValidationError

    if not value.strip():
        return ""
    try:
        return uscc.validate(value)
    except ValidationError:
        raise InvalidInput(
            _("%(value)s is not a valid unified social credit code.") % {"value": value},
            field="credit_code",
        ) from None


@transaction.atomic
def save_organisation(
    *,
    actor: Any,
    unit: OrgUnit,
    name: str,
    kind: str,
    credit_code: str = "",
    address: str = "",
    business: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    staff_size: int | None = None,
    party_organisation: str = "",
    lon: float | None = None,
    lat: float | None = None,
    organisation: Organisation | None = None,
) -> Organisation:
    unit = _data_unit(actor, unit)
    organisation = organisation or Organisation()
    if organisation.pk:
        _check_keeper(actor, organisation.unit_code)
    change = ledger_rollups.Change(organisations=[organisation])
    if kind not in OrganisationKind.values:
        raise InvalidInput(_("Choose what kind of organisation it is."), field="kind")
    phone = privacy.clean_phone(contact_phone, "contact_phone") if contact_phone.strip() else ""
    organisation.unit = unit
    organisation.name = required(name, "name", _("Name"))
    organisation.kind = kind
    organisation.credit_code = clean_credit_code(credit_code)
    organisation.address, organisation.business = address.strip(), business.strip()
    organisation.contact_name = contact_name.strip()
    CONTACT_PHONE.write(organisation, phone)
    organisation.staff_size = staff_size
    organisation.party_organisation = party_organisation.strip()
    organisation.lon, organisation.lat = lon, lat
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        raise Conflict(
            _("An organisation with this credit code is already recorded."), field="credit_code"
        ) from None
    change.commit(organisations=[organisation])
    return organisation


@transaction.atomic
def save_place(*, actor: Any, unit: OrgUnit, name: str, kind: str, **fields) -> Place:
    unit = _data_unit(actor, unit)
    if kind not in PlaceKind.values:
        raise InvalidInput(_("Choose what kind of place it is."), field="kind")
    return Place.objects.create(
        unit=unit, name=required(name, "name", _("Name")), kind=kind, **fields
    )


@transaction.atomic
def save_facility(
    *,
    actor: Any,
    unit: OrgUnit,
    kind: str,
    lon,
    lat,
    code: str = "",
    description: str = "",
    state: str = "good",
    facility: Facility | None = None,
) -> Facility:
    unit = _data_unit(actor, unit)
    if kind not in FacilityKind.values:
        raise InvalidInput(_("Choose what kind of facility it is."), field="kind")
    if state not in FacilityState.values:
        raise InvalidInput(_("Unknown state."), field="state")
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise InvalidInput(_("A facility needs its place on the map."), field="lon") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(_("A facility needs its place on the map."), field="lon")
    facility = facility or Facility()
    facility.unit, facility.kind, facility.lon, facility.lat = unit, kind, lon, lat
    facility.code, facility.description, facility.state = code.strip(), description, state
    facility.checked_at = dt.date.today()
    facility.save()
    return facility
