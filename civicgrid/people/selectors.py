"""Reads of basic data. Every function takes the acting user and returns only what the user
may see (org/scoping.py); a row outside the scope is a 404, exactly like a missing one."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds, scope, scope_q, sees_everything, visible_prefixes
from civicgrid.org.selectors import map_point, units_for
from civicgrid.people import search
from civicgrid.people.models import (
    DATA_UNIT_KINDS,
    Building,
    Facility,
    FacilityKind,
    House,
    Household,
    HouseUse,
    ImportJob,
    LedgerRollup,
    Organisation,
    Person,
    PersonKey,
    PersonStatus,
    Place,
    PlaceKind,
    Situation,
    Tag,
    Visit,
)
from civicgrid.people.roles import LEDGER_ROLES, PERSONAL_DATA_ROLES

LOOKUP_LIMIT = 30


def may_see_personal(user, code: str) -> bool:
    """Whether the user may see sensitive tags and reveal numbers of rows at `code`."""
    return holds(user, code, PERSONAL_DATA_ROLES)


def may_keep(user, code: str) -> bool:
    return holds(user, code, LEDGER_ROLES)


def persons_for(user, *, present: bool = True) -> QuerySet[Person]:
    """Persons the user may see; those who moved out or were deregistered only with
    present=False (they are out of every list and count)."""
    persons = Person.objects.select_related("household", "unit").defer("unit__polygon")
    if present:
        persons = persons.filter(status=PersonStatus.PRESENT)
    return scope(persons, user)


def person_for(user, pk: int) -> Person:
    """One person, present or not (a record that ended can still be opened and erased)."""
    persons = persons_for(user, present=False).select_related("household__house__building")
    person = persons.filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def households_for(user) -> QuerySet[Household]:
    return scope(
        Household.objects.select_related("house__building", "unit").defer("unit__polygon"), user
    )


def household_for(user, pk: int) -> Household:
    household = households_for(user).filter(pk=pk).first()
    if household is None:
        raise Http404
    return household


def buildings_for(user) -> QuerySet[Building]:
    return scope(Building.objects.select_related("unit").defer("unit__polygon"), user)


def building_for(user, pk: int) -> Building:
    building = buildings_for(user).filter(pk=pk).first()
    if building is None:
        raise Http404
    return building


def houses_for(user) -> QuerySet[House]:
    return scope(House.objects.select_related("building"), user)


def organisations_for(user) -> QuerySet[Organisation]:
    return scope(Organisation.objects.select_related("unit").defer("unit__polygon"), user)


def places_for(user) -> QuerySet[Place]:
    return scope(Place.objects.select_related("unit").defer("unit__polygon"), user)


def facilities_for(user) -> QuerySet[Facility]:
    return scope(Facility.objects.select_related("unit").defer("unit__polygon"), user)


def situations_for(user) -> QuerySet[Situation]:
    return scope(
        Situation.objects.select_related("unit", "recorded_by").defer("unit__polygon"), user
    )


def situation_for(user, pk: int) -> Situation:
    situation = situations_for(user).filter(pk=pk).first()
    if situation is None:
        raise Http404
    return situation


def visit_for(user, pk: int) -> Visit:
    visit = scope(Visit.objects.all(), user).filter(pk=pk).first()
    if visit is None:
        raise Http404
    return visit


def _attach_tags(persons: list[Person]) -> None:
    """Every person's tags in one query, as `tag_list` (cheaper than prefetch_related for a
    page of search results, which builds a queryset per person)."""
    through = Person.tags.through
    tags: dict[int, list[Tag]] = {person.pk: [] for person in persons}
    for row in through.objects.filter(person_id__in=tags).select_related("tag"):
        tags[row.person_id].append(row.tag)
    for person in persons:
        person.tag_list = sorted(tags[person.pk], key=lambda tag: (tag.order, tag.code))


def tags_for(user, person: Person) -> list[Tag]:
    """The person's tags the user may see: sensitive ones only for roles that need them."""
    tags = getattr(person, "tag_list", None)
    if tags is None:
        tags = list(person.tags.all())
    if may_see_personal(user, person.unit_code):
        return tags
    return [tag for tag in tags if not tag.sensitive]


def tag_choices(user, code: str) -> list[Tag]:
    tags = Tag.objects.all()
    if not may_see_personal(user, code):
        tags = tags.filter(sensitive=False)
    return list(tags)


def under(queryset: QuerySet, unit: OrgUnit) -> QuerySet:
    return queryset.filter(unit_code__under=unit.code)


# ---- lookup (提户知人) ------------------------------------------------------------------------


SELECTIVITY_PROBE = 2000


# A scope of a community or less (codes of 12 digits or more) holds a few thousand people:
# walking its keys is cheaper than walking a common word's keys across the district.
NARROW_SCOPE_DIGITS = 12


def _key_rows(user, key: str, exact: bool) -> QuerySet[PersonKey]:
    """One word's key rows in the user's scope, with the index chosen here rather than left to
    the planner's guess about two ranges: a hashed number or a wide scope walks the key; a
    narrow scope walks its own rows."""
    narrow = (
        user.is_authenticated
        and not sees_everything(user)
        and all(len(prefix) >= NARROW_SCOPE_DIGITS for prefix in visible_prefixes(user))
    )
    if exact:
        rows = PersonKey.objects.filter(key=key)
    elif narrow:
        rows = PersonKey.objects.filter(key__prefix_filtered=key)
    else:
        rows = PersonKey.objects.filter(key__prefix=key)
    visible = scope_q(user, lookup="under" if narrow and not exact else "under_filtered")
    return rows if visible is None else rows.filter(visible)


def lookup(user, query: str, *, limit: int = LOOKUP_LIMIT):
    """Persons the user may see matching every word of `query` (name, pinyin or initials,
    estate/building/unit/room, a whole ID or phone number), with their households. An ID or
    phone number finds a person only for roles that may reveal it, so the search cannot be
    used to test whose number is whose.

    The rarest word (counted up to a cap, one short index range each) drives: its key range
    is walked in the index and every other word is an index probe on the same person's keys,
    so the cost follows the matches, not the size of the district."""
    words = search.words(query)
    if not words:
        return []
    ranges = [_key_rows(user, key, exact) for key, exact in words]
    if len(ranges) > 1:
        sizes = [r.values("pk")[:SELECTIVITY_PROBE].count() for r in ranges]
        ranges = [ranges[i] for i in sorted(range(len(ranges)), key=sizes.__getitem__)]
    driver, *others = ranges
    for other in others:
        driver = driver.filter(Exists(other.filter(person=OuterRef("person"))))
    ids = list(dict.fromkeys(driver.values_list("person_id", flat=True)[: 4 * (limit + 1)]))
    # A result line needs the person and their household's address, not the ciphertexts.
    people = Person.objects.select_related("household").defer("id_number", "phone", "note")
    found = sorted(people.filter(pk__in=ids[: limit + 1]), key=lambda p: ids.index(p.pk))
    _attach_tags(found)
    if any(exact for _, exact in words):
        found = [person for person in found if may_see_personal(user, person.unit_code)]
    return found[:limit]


# ---- the grid page ------------------------------------------------------------------------------


def buildings_of(user, unit: OrgUnit) -> QuerySet[Building]:
    """Buildings under `unit` with their counts of houses, households and persons."""
    return under(buildings_for(user), unit).annotate(
        house_count=Count("houses", distinct=True),
        household_count=Count("houses__households", distinct=True),
        person_count=Count("houses__households__members", distinct=True),
    )


def houses_of(user, building: Building) -> list[House]:
    """The houses of a building, each with its households and their members."""
    members = Prefetch("members", queryset=Person.objects.prefetch_related("tags"))
    households = Prefetch("households", queryset=Household.objects.prefetch_related(members))
    return list(
        houses_for(user)
        .filter(building=building)
        .prefetch_related(households)
        .order_by("entrance", "floor", "room")
    )


def members_of(household: Household) -> list[Person]:
    order = {"head": 0, "spouse": 1}
    members = household.members.prefetch_related("tags")
    return sorted(members, key=lambda p: (order.get(p.relation, 2), p.birth_date or dt.date.max))


def visits_of(household: Household) -> QuerySet[Visit]:
    return household.visits.select_related("visitor")


def open_follow_ups(user, unit: OrgUnit) -> QuerySet[Visit]:
    return (
        under(scope(Visit.objects.select_related("household", "visitor"), user), unit)
        .filter(follow_up_done=False)
        .exclude(follow_up="")
    )


# ---- completeness (data quality of the six elements) ---------------------------------------------


@dataclass
class Check:
    code: str
    label: str
    total: int
    done: int
    missing: list = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return round(100 * self.done / self.total, 1) if self.total else None


@dataclass
class Completeness:
    unit: OrgUnit
    checks: list[Check]

    @property
    def score(self) -> float | None:
        """Filled required items over all required items, in per cent; None ("no data") while
        no resident is recorded: a street whose few organisations all have a contact is not
        100 % complete when none of its people are in (13 demo streets showed 100 %)."""
        persons = sum(check.total for check in self.checks if check.code == "person_fields")
        total = sum(check.total for check in self.checks)
        if not persons or not total:
            return None
        return round(100 * sum(check.done for check in self.checks) / total, 1)


PERSON_REQUIRED = Q(birth_date__isnull=False) & ~Q(id_hash="") & ~Q(gender="0")


def _checks(user, unit: OrgUnit) -> list[tuple[str, str, QuerySet, Q]]:
    """Each check of the unit subtree's basic data: (code, label, the rows, what "filled" is)."""
    return _ledger_checks(
        under(persons_for(user), unit),
        under(households_for(user), unit),
        under(houses_for(user), unit),
        under(organisations_for(user), unit),
    )


def _ledger_checks(
    persons: QuerySet, households: QuerySet, houses: QuerySet, organisations: QuerySet
) -> list[tuple[str, str, QuerySet, Q]]:
    head = Person.objects.filter(household=OuterRef("pk"), relation="head")
    return [
        (
            "person_fields",
            _("Persons with birth date, gender and ID number"),
            persons,
            PERSON_REQUIRED,
        ),
        (
            "person_household",
            _("Persons linked to a household"),
            persons,
            Q(household__isnull=False),
        ),
        ("household_head", _("Households with a head"), households, Q(Exists(head))),
        ("house_use", _("Houses with known occupancy"), houses, ~Q(use="")),
        (
            "organisation_contact",
            _("Organisations with a contact"),
            organisations,
            ~Q(contact_name="") & ~Q(contact_phone=""),
        ),
    ]


# Each check's counters in the ledger rollup (people/ledger_rollups.py): (all, filled).
CHECK_COUNTERS = {
    "person_fields": ("persons", "persons_filled"),
    "person_household": ("persons", "persons_in_household"),
    "household_head": ("households", "households_headed"),
    "house_use": ("houses", "houses_used"),
    "organisation_contact": ("organisations", "organisations_reachable"),
}
# Children summed by one statement: a filtered SUM per counter and child.
_CHILDREN_PER_QUERY = 25


def _rollup_sums(
    user, unit: OrgUnit, children: list[OrgUnit], *, scoped: bool
) -> list[dict[str, int]]:
    """The ledger rollup's counters summed over each child's subtree (children under or equal
    to `unit`), in order; scoped to what `user` sees unless `scoped` is False. A rollup row is
    a unit's rows, so scoping it by its unit code scopes exactly the rows it counts."""
    rows = under(LedgerRollup.objects.order_by(), unit)
    if scoped:
        rows = scope(rows, user)
    names = sorted({name for pair in CHECK_COUNTERS.values() for name in pair})
    out: list[dict[str, int]] = []
    for start in range(0, len(children), _CHILDREN_PER_QUERY):
        batch = children[start : start + _CHILDREN_PER_QUERY]
        if len(batch) == 1 and batch[0].code == unit.code:
            found = rows.aggregate(**{f"{name}_0": Sum(name) for name in names})
        else:
            found = rows.aggregate(
                **{
                    f"{name}_{index}": Sum(name, filter=Q(unit_code__under=child.code))
                    for index, child in enumerate(batch)
                    for name in names
                }
            )
        out += [
            {name: found[f"{name}_{index}"] or 0 for name in names} for index in range(len(batch))
        ]
    return out


def _from_sums(unit: OrgUnit, sums: dict[str, int], labels: dict[str, str]) -> Completeness:
    return Completeness(
        unit,
        [
            Check(code, labels[code], sums[total], sums[done])
            for code, (total, done) in CHECK_COUNTERS.items()
        ],
    )


def _labels() -> dict[str, str]:
    return {
        "person_fields": _("Persons with birth date, gender and ID number"),
        "person_household": _("Persons linked to a household"),
        "household_head": _("Households with a head"),
        "house_use": _("Houses with known occupancy"),
        "organisation_contact": _("Organisations with a contact"),
    }


def completeness(user, unit: OrgUnit, *, missing: int = 20) -> Completeness:
    """How complete the unit subtree's basic data is: persons with the required fields
    (birth date, gender, ID number), persons in a household, households with a head, houses
    with a known use, organisations with a contact. The counts come from the ledger rollup;
    with up to `missing` rows to fix per check (read from the rows)."""
    result = _from_sums(unit, _rollup_sums(user, unit, [unit], scoped=True)[0], _labels())
    if missing:
        rows_of = {code: (queryset, filled) for code, _l, queryset, filled in _checks(user, unit)}
        for check in result.checks:
            if check.total > check.done:
                queryset, filled = rows_of[check.code]
                check.missing = list(queryset.exclude(filled)[:missing])
    return result


def completeness_below(
    user, unit: OrgUnit, children: list[OrgUnit], *, scoped: bool = True
) -> list[Completeness]:
    """`completeness` of each of `children` (units under `unit`), without rows to fix, from
    the ledger rollup: a query per 25 children. `scoped=False` counts every row under `unit`
    whoever asks (the cockpit's counts; `user` is then unused)."""
    labels = _labels()
    sums = _rollup_sums(user, unit, children, scoped=scoped) if children else []
    return [_from_sums(child, found, labels) for child, found in zip(children, sums, strict=True)]


def counted_below(
    user, unit: OrgUnit, children: list[OrgUnit], *, scoped: bool = True
) -> list[Completeness]:
    """`completeness_below` counted from the rows themselves (one query per check, each child
    a filter of its own): what the rollup replaces, kept to check it (tests, the cockpit
    benchmark's baseline)."""
    results = [Completeness(child, []) for child in children]
    if not children:
        return results
    checks = (
        _checks(user, unit)
        if scoped
        else _ledger_checks(
            under(Person.objects.filter(status=PersonStatus.PRESENT), unit),
            under(Household.objects.all(), unit),
            under(House.objects.all(), unit),
            under(Organisation.objects.all(), unit),
        )
    )
    for code, label, queryset, filled in checks:
        counts = {}
        for index, child in enumerate(children):
            inside = Q(unit_code__under=child.code)
            counts[f"total_{index}"] = Count("pk", filter=inside)
            counts[f"done_{index}"] = Count("pk", filter=inside & filled)
        found = queryset.aggregate(**counts)
        for index, result in enumerate(results):
            result.checks.append(
                Check(code, label, found[f"total_{index}"], found[f"done_{index}"])
            )
    return results


# The counts of `basic_data`: each ledger's rows now, and the completeness score.
BASIC_DATA_KEYS = ("persons", "households", "houses", "organisations", "completeness")


def basic_data(unit: OrgUnit) -> dict[str, int | float | None]:
    """The unit subtree's basic data now, for the cockpit (issue 19): persons present,
    households, houses and organisations, and `completeness` (Completeness.score, in per cent,
    None with no persons), summed from the ledger rollup (people/ledger_rollups.py). Not scoped
    to a user: the caller has checked the user may see `unit`, and these are counts only."""
    return basic_data_below(unit, [unit])[0]


def basic_data_below(unit: OrgUnit, children: list[OrgUnit]) -> list[dict[str, int | float | None]]:
    """`basic_data` of each of `children` (units under or equal to `unit`), in order."""
    results = completeness_below(None, unit, children, scoped=False)
    out = []
    for result in results:
        totals = {check.code: check.total for check in result.checks}
        out.append(
            {
                "persons": totals.get("person_fields", 0),
                "households": totals.get("household_head", 0),
                "houses": totals.get("house_use", 0),
                "organisations": totals.get("organisation_contact", 0),
                "completeness": result.score,
            }
        )
    return out


def occupancy(user, unit: OrgUnit) -> dict[str, int]:
    houses = under(houses_for(user), unit)
    counts = dict(houses.values_list("use").annotate(n=Count("pk")).values_list("use", "n"))
    return {str(label): counts.get(value, 0) for value, label in HouseUse.choices}


def has_data_units(user, unit: OrgUnit) -> bool:
    """Whether any grid or micro-grid under `unit` (itself included) is visible to the user:
    where basic data may hang. The page's unit picker searches them; the page no longer
    embeds them all (9,338 for the district)."""
    return (
        units_for(user)
        .filter(code__under=unit.code, kind__in=DATA_UNIT_KINDS, active=True)
        .exists()
    )


def facility_features(user, unit: OrgUnit) -> dict:
    """Facilities under `unit` as GeoJSON points (WGS-84; the map shifts them for its tiles)."""
    features = []
    for facility in under(facilities_for(user), unit)[:5000]:
        lon, lat = map_point(facility.lon, facility.lat)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "kind": facility.kind,
                    "label": str(facility),
                    "state": facility.state,
                    "state_label": str(facility.get_state_display()),
                    "description": facility.description,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


CONTEXT_LIMIT = 600


def context_features(user, *, west: float, south: float, east: float, north: float) -> dict:
    """What civicgrid knows inside a WGS-84 box, as labelled GeoJSON points for the maps'
    context layers: estates' buildings, places and facilities the user may see (at most
    CONTEXT_LIMIT of each), so a grid worker finds a place without map tiles. Shifted to
    GCJ-02 when the tiles need it, like every map point."""
    box = Q(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
    at = ("lon", "lat")
    layers = (
        (
            "building",
            scope(Building.objects.filter(box), user).values_list(*at, "estate", "name"),
        ),
        ("place", scope(Place.objects.filter(box), user).values_list(*at, "name", "kind")),
        ("facility", scope(Facility.objects.filter(box), user).values_list(*at, "kind", "code")),
    )
    facility_kinds = dict(FacilityKind.choices)
    place_kinds = dict(PlaceKind.choices)
    features = []
    for layer, rows in layers:
        for lon, lat, first, second in rows.order_by("pk")[:CONTEXT_LIMIT]:
            if layer == "building":
                label, detail = f"{first}{second}", _("Building")
            elif layer == "place":
                label, detail = first, str(place_kinds.get(second, second))
            else:
                label = " ".join(
                    str(part) for part in (facility_kinds.get(first, first), second) if part
                )
                detail = _("Facility")
            x, y = map_point(lon, lat)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [x, y]},
                    "properties": {"layer": layer, "label": label, "detail": str(detail)},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def import_jobs(user, unit: OrgUnit) -> QuerySet[ImportJob]:
    return under(scope(ImportJob.objects.select_related("unit", "actor"), user), unit)


def import_job_for(user, pk: int) -> ImportJob:
    job = scope(ImportJob.objects.select_related("unit"), user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def persons_left(user, unit: OrgUnit) -> QuerySet[Person]:
    """Records under `unit` that ended (moved out, deregistered), newest first: for roles that
    may erase them; nobody else (an empty answer)."""
    if not may_see_personal(user, unit.code):
        return Person.objects.none()
    left = under(persons_for(user, present=False), unit).exclude(status=PersonStatus.PRESENT)
    return left.order_by("-left_on", "-id")


def persons_under(user, unit: OrgUnit, *, tag: str = "") -> QuerySet[Person]:
    """Persons under `unit`, optionally only those with tag `tag`. A sensitive tag filters only
    for roles that may see it (for others the answer is empty, as for an unknown tag)."""
    persons = under(persons_for(user), unit).select_related("household__house__building")
    if tag:
        chosen = Tag.objects.filter(code=tag).first()
        if chosen is None or (chosen.sensitive and not may_see_personal(user, unit.code)):
            return persons.none()
        persons = persons.filter(tags=chosen)
    return persons.order_by("unit_code", "id")


def persons_to_export(user, unit: OrgUnit, *, tag: str = ""):
    """(person, visible tags) under `unit`, streamed."""
    persons = persons_under(user, unit, tag=tag).prefetch_related("tags")
    return ((person, tags_for(user, person)) for person in persons.iterator(chunk_size=2000))
