"""The basic-data exports through core.exports (issue 19): masking, scoping, the reason and the
access log, the tag filter, and the completeness table (figures, no reason)."""

import csv
import io

import pytest
from django.urls import reverse

from civicgrid.core import privacy
from civicgrid.core.models import AccessLog

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def post(client, name, code, **form):
    url = reverse("cockpit:export", args=[name]) + f"?unit={code}"
    return client.post(url, {"format": "csv"} | form)


def test_persons_csv_is_masked_and_logged(client, estate, people, tree):
    client.force_login(people["alice"])
    code = tree.grid_a1_1.code
    response = post(client, "people.persons", code, reason="月度台账")
    assert response.status_code == 200
    rows = csv_rows(response)
    assert rows[0][:6] == ["姓名", "性别", "出生日期", "年龄", "公民身份号码", "联系电话"]
    body = response.content.decode("utf-8-sig")
    assert sorted(r[0] for r in rows[1:]) == ["张秀英", "李建国"]
    for secret in (estate.mother.id_number, estate.mother.phone):
        assert privacy.decrypt(secret) not in body
    assert estate.mother.phone_masked in body
    assert list(AccessLog.objects.values_list("actor__username", "record", "rows", "reason")) == [
        ("alice", f"people.persons:{code}", 2, "月度台账")
    ]


def test_persons_tag_filter_is_applied_and_named_in_the_log(client, estate, people, tree):
    client.force_login(people["alice"])
    code = tree.grid_a1_1.code
    response = post(client, "people.persons", code, reason="关爱", tag="elderly_alone")
    assert [r[0] for r in csv_rows(response)[1:]] == ["张秀英"]
    assert AccessLog.objects.get().record == f"people.persons:elderly_alone:{code}"


def test_persons_need_a_reason(client, estate, people, tree):
    client.force_login(people["alice"])
    response = post(client, "people.persons", tree.grid_a1_1.code, reason="")
    assert response.status_code == 302
    assert not AccessLog.objects.exists()


def test_roles_that_may_not_reveal_may_not_export_persons(client, estate, people, tree, volunteer):
    for user, code in ((people["dave"], tree.district.code), (volunteer, tree.micro_a1_1_1.code)):
        client.force_login(user)
        for name in ("people.persons", "people.organisations"):
            response = post(client, name, code, reason="看看")
            assert response.status_code == 302, (user, name)
            assert not response["Content-Type"].startswith("text/csv")
    assert not AccessLog.objects.exists()


def test_another_grid_is_404(client, estate, people, tree):
    client.force_login(people["bob"])
    assert post(client, "people.persons", tree.grid_a1_1.code, reason="看看").status_code == 404


def test_completeness_table_exports_without_a_reason(client, estate, people, tree):
    client.force_login(people["dave"])
    response = post(client, "people.completeness", tree.community_a1.code)
    rows = csv_rows(response)
    assert [r[1] for r in rows[1:]] == [tree.grid_a1_1.code, tree.grid_a1_2.code]
    assert not AccessLog.objects.exists()
    page = client.get(reverse("people:unit", args=[tree.community_a1.code])).content.decode()
    assert 'data-export="people.completeness"' in page
    assert 'data-export="people.persons"' not in page  # a read-only leader


def test_persons_export_queries_do_not_grow(
    client, estate, people, tree, django_assert_max_num_queries
):
    client.force_login(people["alice"])
    with django_assert_max_num_queries(16):
        response = post(client, "people.persons", tree.grid_a1_1.code, reason="月度台账")
    assert len(csv_rows(response)) == 3
