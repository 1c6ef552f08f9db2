"""Basic data in the JSON API (/api/v1/people/…): scoped and masked exactly like the pages;
numbers in full only through the reveal endpoint, which is logged like the page's."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from civicgrid.core import limits
from civicgrid.core.api import ERRORS
from civicgrid.org import selectors as org_selectors
from civicgrid.people import selectors, services
from civicgrid.people.models import Person

router = Router(tags=["people"])


class TagOut(Schema):
    code: str
    name: str


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    # Only for roles that may reveal the person's numbers; others get the age (core/privacy.py).
    birth_date: dt.date | None
    age: int | None
    id_masked: str
    phone_masked: str
    relation: str
    residence_kind: str
    unit_code: str
    household_id: int | None
    address: str
    tags: list[TagOut]


class HouseholdOut(Schema):
    id: int
    number: str
    address: str
    unit_code: str
    members: list[PersonOut]


class RevealIn(Schema):
    field: str
    reason: str


class RevealOut(Schema):
    field: str
    value: str


class CheckOut(Schema):
    code: str
    label: str
    total: int
    done: int
    rate: float | None


class CompletenessOut(Schema):
    unit_code: str
    score: float | None
    checks: list[CheckOut]


def _person(user, person: Person) -> dict:
    personal = selectors.may_see_personal(user, person.unit_code)
    return {
        "id": person.pk,
        "name": person.name,
        "gender": person.gender,
        "birth_date": person.birth_date if personal else None,
        "age": person.age(timezone.localdate()),
        "id_masked": person.id_masked,
        "phone_masked": person.phone_masked,
        "relation": person.relation,
        "residence_kind": person.residence_kind,
        "unit_code": person.unit_code,
        "household_id": person.household_id,
        "address": str(person.household) if person.household_id else "",
        "tags": selectors.tags_for(user, person),
    }


@router.get("/search", response={200: list[PersonOut], **ERRORS})
def search(request: HttpRequest, q: str):
    """提户知人: name, pinyin or initials, estate/building/room, or a whole phone/ID number
    (a whole number is limited per user and logged like a reveal)."""
    found = services.search_persons(
        actor=request.user, query=q, ip=limits.client_ip(request) or None
    )
    return [_person(request.user, p) for p in found]


@router.get("/units/{code}/persons", response={200: list[PersonOut], **ERRORS})
def unit_persons(
    request: HttpRequest,
    code: str,
    tag: str = "",
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000_000),
):
    """Persons under a unit, optionally with one tag, `limit` (1…1000) from `offset`."""
    unit = org_selectors.unit_for(request.user, code)
    persons = selectors.persons_under(request.user, unit, tag=tag).prefetch_related("tags")
    return [_person(request.user, p) for p in persons[offset : offset + limit]]


@router.get("/persons/{pk}", response={200: PersonOut, **ERRORS})
def person(request: HttpRequest, pk: int):
    return _person(request.user, selectors.person_for(request.user, pk))


@router.post("/persons/{pk}/reveal", response={200: RevealOut, **ERRORS})
def reveal(request: HttpRequest, pk: int, payload: RevealIn):
    person = selectors.person_for(request.user, pk)
    value = services.reveal(
        actor=request.user,
        person=person,
        field=payload.field,
        reason=payload.reason,
        ip=limits.client_ip(request) or None,
    )
    return {"field": payload.field, "value": value}


@router.get("/households/{pk}", response={200: HouseholdOut, **ERRORS})
def household(request: HttpRequest, pk: int):
    household = selectors.household_for(request.user, pk)
    return {
        "id": household.pk,
        "number": household.number,
        "address": str(household),
        "unit_code": household.unit_code,
        "members": [_person(request.user, p) for p in selectors.members_of(household)],
    }


@router.get("/completeness/{code}", response={200: CompletenessOut, **ERRORS})
def completeness(request: HttpRequest, code: str):
    unit = org_selectors.unit_for(request.user, code)
    result = selectors.completeness(request.user, unit, missing=0)
    return {"unit_code": unit.code, "score": result.score, "checks": result.checks}
