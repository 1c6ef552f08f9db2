"""The volunteers' exports (core.exports, issue 19): orders with a status filter and volunteers,
phones masked, a reason, the access log; keepers only; query counts."""

import csv
import io

import pytest
from django.urls import reverse

from civicgrid.core.models import AccessLog

pytestmark = pytest.mark.django_db


def post(client, name, query, **form):
    url = reverse("cockpit:export", args=[name]) + "?" + query
    return client.post(url, {"format": "csv", "reason": "月度统计"} | form)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_orders_masked_filtered_and_logged(client, tree, service, order):
    order()
    order(item=service.haircut)
    client.force_login(service.staff)
    code = tree.community_a1.code
    response = post(client, "volunteers.orders", f"unit={code}&status=ordered")
    rows = csv_rows(response)
    assert sorted(r[0] for r in rows[1:]) == ["家电维修", "爱心理发"]
    assert "13812345678" not in response.content.decode("utf-8-sig")
    assert csv_rows(post(client, "volunteers.orders", f"unit={code}&status=done"))[1:] == []
    assert list(AccessLog.objects.order_by("id").values_list("record", "rows")) == [
        (f"volunteers.orders:{code}", 2),
        (f"volunteers.orders:{code}", 0),
    ]


def test_volunteers_masked(client, tree, service):
    client.force_login(service.staff)
    response = post(client, "volunteers.volunteers", f"unit={tree.community_a1.code}")
    assert sorted(r[1] for r in csv_rows(response)[1:]) == ["李师傅", "王党员"]
    body = response.content.decode("utf-8-sig")
    assert "13500001111" not in body and "410102196805120010" not in body


def test_others_may_not(client, tree, people, service, order):
    order()
    client.force_login(people["dave"])
    assert post(client, "volunteers.orders", f"unit={tree.community_a1.code}").status_code == 302
    client.force_login(people["alice"])
    assert post(client, "volunteers.orders", f"unit={tree.community_a1.code}").status_code == 404
    assert not AccessLog.objects.exists()


def test_volunteers_export_queries_do_not_grow(
    client, tree, service, django_assert_max_num_queries
):
    client.force_login(service.staff)
    with django_assert_max_num_queries(14):
        response = post(client, "volunteers.volunteers", f"unit={tree.community_a1.code}")
    assert len(csv_rows(response)) == 3
