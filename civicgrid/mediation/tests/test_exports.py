"""Mediation's exports (core.exports, issue 19): the board's cases with its filters (desk staff,
reason, logged; no facts, no parties' phones), the figures table of the desks below; scoping."""

import csv
import io

import pytest
from django.urls import reverse

from civicgrid.core.models import AccessLog

pytestmark = pytest.mark.django_db


def post(client, name, query, **form):
    url = reverse("cockpit:export", args=[name]) + "?" + query
    return client.post(url, {"format": "csv", "reason": "季度台账"} | form)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_cases_with_the_boards_filters(client, tree, desk, walk_in):
    walk_in()
    client.force_login(desk.staff)
    code = tree.community_a1.code
    response = post(client, "mediation.cases", f"unit={code}&kind=neighbour")
    rows = csv_rows(response)
    assert [r[1] for r in rows[1:]] == ["邻里噪音纠纷"]
    body = response.content.decode("utf-8-sig")
    assert "13812345678" not in body and "楼上夜间噪音" not in body
    assert csv_rows(post(client, "mediation.cases", f"unit={code}&kind=family"))[1:] == []
    assert AccessLog.objects.filter(record=f"mediation.cases:{code}").count() == 2


def test_cases_are_for_the_desk_only(client, tree, people, desk, walk_in):
    walk_in()
    for user in (people["dave"], people["alice"]):  # a read-only leader; a grid worker
        client.force_login(user)
        assert post(client, "mediation.cases", f"unit={tree.community_a1.code}").status_code == 404
    assert not AccessLog.objects.exists()


def test_figures_table_for_a_read_only_leader(client, tree, people, desk, walk_in):
    walk_in()
    client.force_login(people["dave"])
    response = post(client, "mediation.figures", f"unit={tree.district.code}&from=2026-01")
    rows = csv_rows(response)
    assert [r[1] for r in rows[1:]] == [tree.street_a.code, tree.street_b.code]
    response = post(client, "mediation.figures", f"unit={tree.district.code}&from=20x6")
    assert response.status_code == 302  # a bad month: a message, not a 500
