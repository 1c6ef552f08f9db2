"""Personal data (PIPL, issue 12): masks that cannot be rebuilt, logged whole-number searches,
audited exports, erasure that reaches every row."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.tokens import issue_token
from civicgrid.core import privacy
from civicgrid.people import services
from civicgrid.people.services import PersonData
from civicgrid.people.tests.conftest import id_number

pytestmark = pytest.mark.django_db

ENOUGH = 10_000


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=user, name='t')[1]}"}


# ---- masks that cannot be rebuilt --------------------------------------------------------------


def test_the_candidate_count_finds_the_old_mask_beside_a_birth_date_rebuildable():
    born = dt.date(1940, 3, 1)
    number = id_number(born, 2)
    old_mask = f"{number[:6]}{'*' * 8}{number[-4:]}"
    today = dt.date(2026, 12, 2)
    assert privacy.id_candidates(old_mask, today=today, gender="2", born=born) == 1
    assert privacy.id_candidates(privacy.mask_id(number), today=today, gender="2", age=86) >= ENOUGH


def test_masked_phones_leave_at_least_ten_thousand_numbers():
    for phone in ("13812345678", "0371234567", "03712345678", "037112345678"):
        masked = privacy.mask_phone(phone)
        assert len(masked) == len(phone) and masked.count("*") >= 4
        assert masked[:3] == phone[:3]


def _what_is_seen(client, user, person) -> dict:
    """Everything the API and the pages give `user` about `person`, merged."""
    auth = bearer(user)
    client.force_login(user)
    answers = [
        client.get(f"/api/v1/people/persons/{person.pk}", **auth).json(),
        *client.get(f"/api/v1/people/units/{person.unit_code}/persons", **auth).json(),
        *client.get("/api/v1/people/search", {"q": person.name}, **auth).json(),
    ]
    pages = [
        reverse("people:person", args=[person.pk]),
        reverse("people:home") + f"?q={person.name}",
    ]
    if person.household_id:
        pages.append(reverse("people:person_edit", args=[person.pk]))
        household = f"/api/v1/people/households/{person.household_id}"
        answers += client.get(household, **auth).json()["members"]
        pages.append(reverse("people:household", args=[person.household_id]))
        if person.household.house_id:
            building = person.household.house.building_id
            pages.append(reverse("people:building", args=[building]))
    seen: dict[str, Any] = {}
    for answer in answers:
        if answer["id"] == person.pk:
            for key, value in answer.items():
                if value not in (None, "") and not seen.get(key):
                    seen[key] = value
    seen["pages"] = "".join(client.get(url).content.decode() for url in pages)
    return seen


def test_no_role_that_may_not_reveal_can_rebuild_an_id_number(
    client, estate, people, tree, volunteer
):
    """The read-only leader (district) and a micro-grid leader enumerate every ID number that
    fits what they see of each person through the API and the pages: at least 10 000 fit."""
    neighbour = services.save_person(
        actor=people["alice"],
        data=PersonData(
            name="王桂兰", id_number=id_number(dt.date(1952, 11, 30), 4), phone="13700002222"
        ),
        unit=tree.micro_a1_1_1,
    )
    today = timezone.localdate()
    looks = [(people["dave"], p) for p in (estate.mother, estate.son, neighbour)]
    looks.append((volunteer, neighbour))
    for viewer, person in looks:
        seen = _what_is_seen(client, viewer, person)
        assert seen["name"] == person.name
        born = dt.date.fromisoformat(seen["birth_date"]) if seen.get("birth_date") else None
        count = privacy.id_candidates(
            seen["id_masked"], today=today, gender=seen["gender"], born=born, age=seen["age"]
        )
        assert count >= ENOUGH, (viewer, person, count)
        assert f"{person.birth_date:%Y-%m-%d}" not in seen["pages"]
        assert person.id_masked in seen["pages"]
        assert 10 ** seen["phone_masked"].count("*") >= ENOUGH


def test_roles_that_may_reveal_see_the_birth_date(client, estate, people):
    seen = _what_is_seen(client, people["alice"], estate.mother)
    assert seen["birth_date"] == "1940-03-01" and "1940-03-01" in seen["pages"]


def test_the_migration_remasks_stored_numbers_and_keeps_unknown_keys(estate):
    from civicgrid.people.models import Person

    Person.objects.filter(pk=estate.mother.pk).update(id_masked="410102********0022")
    Person.objects.filter(pk=estate.son.pk).update(id_number="not-a-token", id_masked="kept")
    changed = privacy.remask_rows(
        Person.objects.all(), [("id_number", "id_masked", privacy.mask_id)]
    )
    assert changed == 1
    assert Person.objects.get(pk=estate.mother.pk).id_masked == "410102" + "*" * 12
    assert Person.objects.get(pk=estate.son.pk).id_masked == "kept"


# ---- searches by a whole number ----------------------------------------------------------------


def _log_rows() -> list[tuple]:
    from civicgrid.core.models import AccessLog

    return list(
        AccessLog.objects.order_by("id").values_list(
            "actor__username", "action", "field", "record", "reason", "unit_code", "ip"
        )
    )


def test_a_search_by_a_whole_number_is_logged_like_a_reveal_without_the_number(
    client, estate, people
):
    client.force_login(people["alice"])
    assert client.get(reverse("people:home"), {"q": "张秀英"}).status_code == 200
    assert _log_rows() == []
    page = client.get(reverse("people:home"), {"q": "13812345678"})
    assert page.status_code == 200 and estate.mother.name in page.content.decode()
    number = privacy.decrypt(estate.son.id_number)
    found = client.get("/api/v1/people/search", {"q": number}, **bearer(people["alice"])).json()
    assert [p["id"] for p in found] == [estate.son.pk]
    client.get(reverse("people:home"), {"q": "13000000000"})
    rows = _log_rows()
    assert [row[:4] for row in rows] == [
        ("alice", "search", "phone", f"people.person:{estate.mother.pk}"),
        ("alice", "search", "id_number", f"people.person:{estate.son.pk}"),
        ("alice", "search", "phone", "people.person:"),
    ]
    assert rows[0][5] == estate.mother.unit_code and rows[0][6] == "127.0.0.1"
    for row in rows:
        assert not any(secret in str(row) for secret in ("13812345678", number, "13000000000"))


def test_searches_by_a_whole_number_are_limited_per_user(client, estate, people, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "number_search_user": (3, 3600)}
    alice = bearer(people["alice"])
    for tail in range(3):
        answer = client.get("/api/v1/people/search", {"q": f"1381234{tail:04d}"}, **alice)
        assert answer.status_code == 200
    answer = client.get("/api/v1/people/search", {"q": "13812345678"}, **alice)
    assert answer.status_code == 429 and "error" in answer.json()
    client.force_login(people["alice"])
    assert client.get(reverse("people:home"), {"q": "13812345678"}).status_code == 429
    # Names still work; another user has a count of their own.
    assert client.get(reverse("people:home"), {"q": "张秀英"}).status_code == 200
    answer = client.get("/api/v1/people/search", {"q": "13812345678"}, **bearer(people["bob"]))
    assert answer.status_code == 200
    assert len(_log_rows()) == 4


def test_typing_a_recorded_id_number_into_the_person_form_is_logged_and_limited(
    client, estate, people, settings
):
    """A clash with a recorded ID-card number tells that it exists: the attacker's probe found
    the add-person form an unlimited, unlogged oracle (a wrong guess makes a person, the right
    one answers "already recorded")."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "number_search_user": (2, 3600)}
    client.force_login(people["bob"])  # another grid: he may not see the son's record
    household = estate.other_household
    url = reverse("people:person_add", args=[household.pk])
    number = privacy.decrypt(estate.son.id_number)
    form = {"name": "试探", "gender": "1", "relation": "child", "id_number": number}
    for _ in range(2):
        page = client.post(url, form)
        assert page.status_code == 409 and estate.son.household.number not in page.content.decode()
    assert [row[:4] for row in _log_rows()] == [
        ("bob", "search", "id_number", f"people.person:{estate.son.pk}")
    ] * 2
    assert client.post(url, form).status_code == 429
    assert len(_log_rows()) == 2 and number not in str(_log_rows())


def test_an_import_row_with_a_recorded_id_number_is_logged(estate, people, tree):
    from civicgrid.people import ledgers
    from civicgrid.people.tests.test_ledgers import person, xlsx

    row = person(1, "501", 公民身份号码=privacy.decrypt(estate.son.id_number))
    row |= {"楼栋": "3号楼", "单元": 2, "小区": "保利百合"}
    job = ledgers.start_import(
        actor=people["alice"], unit=tree.grid_a1_1, kind="persons", upload=xlsx("persons", [row])
    )
    assert job.created == 0 and any(e["column"] == "公民身份号码" for e in job.errors)
    assert [r[:4] for r in _log_rows()] == [
        ("alice", "search", "id_number", f"people.person:{estate.son.pk}")
    ]


# ---- exports ------------------------------------------------------------------------------------


def test_a_ledger_export_is_logged_with_its_scope_rows_and_reason(client, estate, people, tree):
    from civicgrid.core.models import AccessLog

    services.save_organisation(
        actor=people["alice"],
        unit=tree.grid_a1_1,
        name="某物业",
        kind="property",
        contact_name="王经理",
    )
    client.force_login(people["alice"])
    code = tree.grid_a1_1.code
    url = reverse("people:export_persons", args=[code])
    assert client.post(url, {"reason": ""}).status_code == 302
    assert not AccessLog.objects.exists()
    export = client.post(url, {"reason": "月度台账", "tag": "elderly_alone"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    export = client.post(url, {"reason": "月度台账"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    export = client.post(
        reverse("people:export_organisations", args=[code]), {"reason": "核对联系人"}
    )
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(
        AccessLog.objects.order_by("id").values_list(
            "actor__username", "action", "record", "unit_code", "rows", "reason", "ip"
        )
    )
    assert rows == [
        (
            "alice",
            "export",
            f"people.persons:elderly_alone:{code}",
            code,
            1,
            "月度台账",
            "127.0.0.1",
        ),
        ("alice", "export", f"people.persons:{code}", code, 2, "月度台账", "127.0.0.1"),
        ("alice", "export", f"people.organisations:{code}", code, 1, "核对联系人", "127.0.0.1"),
    ]


def test_only_roles_that_may_reveal_may_export(client, estate, people, tree, volunteer):
    from civicgrid.core.models import AccessLog

    for user, code in (
        (people["dave"], tree.district.code),
        (people["dave"], tree.grid_a1_1.code),
        (volunteer, tree.micro_a1_1_1.code),
    ):
        client.force_login(user)
        for name in ("people:export_persons", "people:export_organisations"):
            response = client.post(reverse(name, args=[code]), {"reason": "看看全区"})
            assert response.status_code == 302, (user, name)
            assert not response.get("Content-Type", "").startswith("application/vnd")
        page = client.get(reverse("people:unit", args=[code])).content.decode()
        assert reverse("people:export_persons", args=[code]) not in page
    # The GET link of old exports nothing.
    client.force_login(people["alice"])
    response = client.get(reverse("people:export_persons", args=[tree.grid_a1_1.code]))
    assert response.status_code == 405
    assert not AccessLog.objects.exists()


def test_a_birth_date_typed_beside_a_kept_number_tells_nothing(estate, volunteer, tree):
    """A micro-grid leader keeps ledgers but sees only the age: a wrong date typed beside the
    kept number must not be answered with the date the number holds."""
    neighbour = services.save_person(
        actor=volunteer,
        data=PersonData(name="王桂兰", id_number=id_number(dt.date(1952, 11, 30), 4)),
        unit=tree.micro_a1_1_1,
    )
    changed = services.save_person(
        actor=volunteer,
        data=PersonData(name="王桂兰", id_number=None, phone=None, birth_date=dt.date(1960, 1, 1)),
        unit=tree.micro_a1_1_1,
        person=neighbour,
    )
    assert changed.birth_date == dt.date(1952, 11, 30)


def test_after_the_limit_a_typed_number_is_refused_whole_files_included(
    estate, people, tree, settings
):
    """Past the limit an import stops as a whole: no row may still say which number exists."""
    from civicgrid.people import ledgers
    from civicgrid.people.tests.test_ledgers import person, xlsx

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "number_search_user": (1, 3600)}
    known = privacy.decrypt(estate.son.id_number)
    place = {"楼栋": "3号楼", "单元": 2, "小区": "保利百合"}
    rows = [person(n, "501", 公民身份号码=known) | place for n in (1, 2)]
    job = ledgers.start_import(
        actor=people["alice"], unit=tree.grid_a1_1, kind="persons", upload=xlsx("persons", rows)
    )
    assert job.created == 0 and [e["row"] for e in job.errors] == [None]
