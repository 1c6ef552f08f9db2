"""Pages and API: scoping, masking and audited reveals as a user meets them."""

import datetime as dt
import itertools
import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicgrid.accounts.tokens import issue_token
from civicgrid.core import privacy
from civicgrid.core.models import AccessLog
from civicgrid.org import services as org_services
from civicgrid.org.roles import RULES, Role
from civicgrid.people.tests.conftest import id_number

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def pages_of(estate) -> list[str]:
    return [
        reverse("people:person", args=[estate.mother.pk]),
        reverse("people:household", args=[estate.household.pk]),
        reverse("people:building", args=[estate.building.pk]),
        reverse("people:home") + "?q=zxy",
        reverse("people:unit", args=[estate.mother.unit_code]),
    ]


def test_pages_show_masked_numbers_and_a_reveal_form(client, estate, people):
    login(client, people["alice"])
    page = client.get(reverse("people:person", args=[estate.mother.pk])).content.decode()
    assert "138****5678" in page and estate.mother.id_masked in page
    assert "13812345678" not in page and privacy.decrypt(estate.mother.id_number) not in page
    assert 'name="reason"' in page and "残疾人" in page
    for url in pages_of(estate):
        assert client.get(url).status_code == 200, url


def test_reveal_by_htmx_shows_a_call_link_and_logs(client, estate, people):
    login(client, people["alice"])
    url = reverse("people:reveal", args=[estate.mother.pk])
    response = client.post(url, {"field": "phone", "reason": "电话联系"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'href="tel:13812345678"' in response.content.decode()
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.field, entry.reason, entry.ip) == (
        people["alice"],
        "phone",
        "电话联系",
        "127.0.0.1",
    )
    response = client.post(url, {"field": "phone", "reason": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and AccessLog.objects.count() == 1


def test_outside_the_chain_a_person_is_a_404_and_never_a_number(client, estate, people):
    for name in ("bob", "erin", "mallory"):
        client.force_login(people[name])
        for url in pages_of(estate)[:3]:
            assert client.get(url).status_code == 404, (name, url)
        reveal = reverse("people:reveal", args=[estate.mother.pk])
        assert client.post(reveal, {"field": "phone", "reason": "x y"}).status_code == 404
    assert not AccessLog.objects.exists()


def test_a_read_only_leader_sees_the_record_but_no_number(client, estate, people):
    login(client, people["dave"])
    page = client.get(reverse("people:person", args=[estate.mother.pk])).content.decode()
    assert "138****5678" in page and 'name="reason"' not in page and "残疾人" not in page
    response = client.post(
        reverse("people:reveal", args=[estate.mother.pk]), {"field": "phone", "reason": "查看"}
    )
    assert response.status_code == 302 and not AccessLog.objects.exists()


def test_forms_visits_situations_and_exports(client, estate, people, tree):
    login(client, people["alice"])
    add = reverse("people:person_add", args=[estate.household.pk])
    response = client.post(
        add,
        {
            "name": "李小明",
            "relation": "grandchild",
            "id_number": id_number(dt.date(2015, 6, 1), 3),
        },
    )
    assert response.status_code == 302
    response = client.post(add, {"name": "错号", "id_number": "410102201506010030"})
    assert response.status_code == 400 and "check digit" in response.content.decode()
    client.post(reverse("people:visit", args=[estate.household.pk]), {"findings": "一切安好"})
    assert estate.household.visits.count() == 1
    client.post(
        reverse("people:situations", args=[tree.grid_a1_1.code]),
        {"unit": tree.grid_a1_1.code, "kind": "opinion", "topic": "路灯不亮"},
    )
    assert (
        "路灯不亮"
        in client.get(reverse("people:situations", args=[tree.grid_a1_1.code])).content.decode()
    )
    export = client.post(
        reverse("people:export_persons", args=[tree.grid_a1_1.code]), {"reason": "月度台账"}
    )
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"13812345678" not in export.content
    template = client.get(reverse("people:template", args=["persons"]))
    assert template.status_code == 200


def test_person_export_and_delete_by_page(client, estate, people):
    login(client, people["alice"])
    response = client.post(
        reverse("people:export_person", args=[estate.son.pk]), {"reason": "本人申请"}
    )
    assert json.loads(response.content)["phone"] == "13900001111"
    response = client.post(
        reverse("people:delete_person", args=[estate.son.pk]), {"reason": "迁出本市"}
    )
    assert response.status_code == 302
    assert client.get(reverse("people:person", args=[estate.son.pk])).status_code == 404


def test_api_is_scoped_masked_and_reveals_with_a_log(client, estate, people):
    key = issue_token(user=people["alice"], name="phone")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    found = client.get("/api/v1/people/search", {"q": "保利百合 zxy"}, **auth).json()
    assert [p["name"] for p in found] == ["张秀英"]
    assert found[0]["phone_masked"] == "138****5678" and "13812345678" not in json.dumps(found)
    url = f"/api/v1/people/persons/{estate.mother.pk}/reveal"
    body = json.dumps({"field": "phone", "reason": "电话联系"})
    revealed = client.post(url, body, content_type="application/json", **auth).json()
    assert revealed == {"field": "phone", "value": "13812345678"}
    assert AccessLog.objects.count() == 1
    bob = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=people['bob'], name='x')[1]}"}
    assert client.get(f"/api/v1/people/persons/{estate.mother.pk}", **bob).status_code == 404
    assert client.post(url, body, content_type="application/json", **bob).status_code == 404
    dave = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=people['dave'], name='x')[1]}"}
    assert client.post(url, body, content_type="application/json", **dave).status_code == 403
    household = client.get(f"/api/v1/people/households/{estate.household.pk}", **auth).json()
    assert [m["name"] for m in household["members"]] == ["张秀英", "李建国"]
    persons = client.get(f"/api/v1/people/units/{estate.mother.unit_code}/persons", **auth).json()
    assert len(persons) == 2
    score = client.get(f"/api/v1/people/completeness/{estate.mother.unit_code}", **auth).json()
    assert 0 < score["score"] <= 100


ROLES_AT = {
    Role.GRID_WORKER: "grid_a1_1",
    Role.GRID_LEADER: "grid_a1_1",
    Role.MICRO_GRID_LEADER: "micro_a1_1_1",
    Role.COMMUNITY_STAFF: "community_a1",
    Role.STREET_STAFF: "street_a",
    Role.DISTRICT_STAFF: "district",
    Role.LEADER_READONLY: "district",
    Role.DEPARTMENT_HANDLER: "police_a",
}
SERIAL = itertools.count()
OTHER_PLACES = {"grid_a1_2", "grid_b1_1", "street_b", "community_b1"}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    postings=st.lists(
        st.tuples(
            st.sampled_from(sorted(ROLES_AT)),
            st.sampled_from(sorted({*ROLES_AT.values(), *OTHER_PLACES})),
        ),
        max_size=3,
    ),
    phone=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
)
def test_no_unmasked_number_reaches_a_role_that_may_not_reveal_it(
    client, estate, tree, people, make_user, postings, phone
):
    """Random users with random postings: a clear number appears in a page or an API answer
    only after an explicit, logged reveal, and only for a role that may reveal it."""
    from civicgrid.people import services
    from civicgrid.people.roles import PERSONAL_DATA_ROLES
    from civicgrid.people.services import PersonData

    services.save_person(
        actor=people["carol"],
        data=PersonData(
            name="张秀英",
            phone=phone,
            id_number=privacy.decrypt(estate.mother.id_number),
            relation="head",
        ),
        household=estate.household,
        person=estate.mother,
    )
    number = privacy.decrypt(estate.mother.id_number)
    user = make_user(f"user{next(SERIAL)}")
    for role, place in set(postings):
        unit = getattr(tree, place)
        if unit.kind in RULES[role].unit_kinds:
            org_services.post_user(actor=None, user=user, unit=unit, role=role)
    client.force_login(user)
    key = issue_token(user=user, name="t")[1]
    answers = [client.get(url).content.decode() for url in pages_of(estate)]
    for url in (
        "/api/v1/people/search?q=zxy",
        f"/api/v1/people/persons/{estate.mother.pk}",
        f"/api/v1/people/households/{estate.household.pk}",
    ):
        answers.append(client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").content.decode())
    for text in answers:
        assert phone not in text and number not in text
    before = AccessLog.objects.count()
    response = client.post(
        reverse("people:reveal", args=[estate.mother.pk]),
        {"field": "phone", "reason": "核实"},
        HTTP_HX_REQUEST="true",
    )
    may = any(
        role in PERSONAL_DATA_ROLES
        and estate.mother.unit_code.startswith(getattr(tree, p).code)
        and getattr(tree, p).kind in RULES[role].unit_kinds
        for role, p in postings
    )
    assert (phone in response.content.decode()) == may
    assert AccessLog.objects.count() == before + (1 if may else 0)


def test_organisations_export_in_the_template_columns_masked(client, tree, people):
    import io

    from openpyxl import load_workbook

    from civicgrid.people import ledgers, services

    services.save_organisation(
        actor=people["alice"],
        unit=tree.grid_a1_1,
        name="某物业",
        kind="property",
        contact_name="王经理",
        contact_phone="0371-66668888",
    )
    login(client, people["alice"])
    response = client.post(
        reverse("people:export_organisations", args=[tree.grid_a1_1.code]), {"reason": "核对"}
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert list(rows[0]) == [c.header for c in ledgers.COLUMNS["organisations"]]
    assert rows[1][:3] == (tree.grid_a1_1.code, "某物业", "物业公司")
    assert "037*****8888" in rows[1] and "66668888" not in "".join(map(str, rows[1]))


def test_the_access_log_is_read_only_in_the_admin_and_scoped(client, estate, people, tree):
    from civicgrid.people import services

    services.reveal(actor=people["alice"], person=estate.mother, field="phone", reason="电话联系")
    login(client, people["carol"])  # street staff of street A, admin user
    page = client.get("/admin/core/accesslog/")
    assert page.status_code == 200 and "电话联系" in page.content.decode()
    assert client.get("/admin/core/accesslog/add/").status_code == 403
    # Tags are district-wide: district staff keep them, street staff do not.
    assert client.get("/admin/people/tag/").status_code == 403
    district = people["dave"]
    district.is_staff = True
    district.save()
    from civicgrid.org import services as org_services

    org_services.post_user(actor=None, user=district, unit=tree.district, role=Role.DISTRICT_STAFF)
    login(client, district)
    assert "残疾人" in client.get("/admin/people/tag/").content.decode()
