"""The classes' exports (core.exports, issue 19): sessions of the figures page's months and the
table of the units below, with the page's period; scoping."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def post(client, name, query):
    return client.post(reverse("cockpit:export", args=[name]) + "?" + query, {"format": "csv"})


def test_sessions_of_the_chosen_months(client, classroom, session, tree):
    session(days=1)
    session(days=70, course=classroom.lectures)
    client.force_login(classroom.staff)
    month = (timezone.localdate() + timezone.timedelta(days=1)).strftime("%Y-%m")
    rows = csv_rows(
        post(client, "classes.sessions", f"unit={tree.community_a1.code}&from={month}&to={month}")
    )
    assert [r[0] for r in rows[1:]] == ["夜校·智能手机"]
    far = (timezone.localdate() + timezone.timedelta(days=70)).strftime("%Y-%m")
    rows = csv_rows(
        post(client, "classes.sessions", f"unit={tree.community_a1.code}&from={month}&to={far}")
    )
    assert [r[0] for r in rows[1:]] == ["夜校·智能手机", "周四大讲堂"]


def test_figures_table_of_the_units_below(client, classroom, people, tree):
    client.force_login(people["carol"])
    rows = csv_rows(
        post(client, "classes.figures", f"unit={tree.street_a.code}&from=2026-01&to=2026-12")
    )
    assert rows[0][:2] == ["unit", "code"]
    assert [r[1] for r in rows[1:]] == [tree.community_a1.code]
    page = client.get(
        reverse("classes:figures", args=[tree.street_a.code]) + "?from=2026-01&to=2026-12"
    )
    html = page.content.decode()
    assert 'data-export="classes.figures"' in html and "from=2026-01" in html


def test_another_streets_classes_are_404(client, classroom, session, people, make_user, tree):
    from civicgrid.org.roles import Role

    other = make_user("bea", unit=tree.community_b1, role=Role.COMMUNITY_STAFF)
    client.force_login(other)
    assert post(client, "classes.sessions", f"unit={tree.community_a1.code}").status_code == 404


def test_sessions_export_queries_do_not_grow(
    client, classroom, session, tree, django_assert_max_num_queries
):
    for day in range(1, 4):
        session(days=day)
    client.force_login(classroom.staff)
    first = timezone.localdate().strftime("%Y-%m")
    last = (timezone.localdate() + timezone.timedelta(days=5)).strftime("%Y-%m")
    query = f"unit={tree.community_a1.code}&from={first}&to={last}"
    with django_assert_max_num_queries(12):
        rows = csv_rows(post(client, "classes.sessions", query))
    assert len(rows) == 4
