"""A community's public page: no login, the residents' doors of that community only, its
coming classes and services, a 404 for anything that is not an active community, and few
queries whatever the community holds."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicgrid.volunteers import services as volunteers

pytestmark = pytest.mark.django_db


def _page(code: str):
    return Client().get(reverse("site:community", args=[code]))


def test_it_opens_the_communitys_doors_without_a_login(tree, classroom, session):
    session()
    volunteers.save_item(
        actor=classroom.staff, unit=tree.community_a1, name="爱心理发", category="haircut"
    )
    response = _page(tree.community_a1.code)
    assert response.status_code == 200
    page = response.content.decode()
    code = tree.community_a1.code
    for url in (
        reverse("events:public_report"),
        reverse("events:lookup"),
        reverse("classes:public", args=[code]),
        reverse("volunteers:public", args=[code]),
        reverse("volunteers:wall", args=[code]),
    ):
        assert f'href="{url}"' in page
    assert "夜校·智能手机" in page and "爱心理发" in page
    # Nothing of another community.
    assert tree.community_b1.display_name not in page


@pytest.mark.parametrize("which", ["street_a", "grid_a1_1", "police_a"])
def test_only_a_community_has_a_page(tree, which):
    assert _page(getattr(tree, which).code).status_code == 404
    assert _page("999999999999").status_code == 404


def test_an_inactive_community_has_none(tree):
    tree.community_b1.active = False
    tree.community_b1.save(update_fields=["active"])
    assert _page(tree.community_b1.code).status_code == 404


def _queries(code: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert _page(code).status_code == 200
    return len(queries)


def test_its_queries_do_not_grow_with_the_community(tree, classroom, session):
    session()
    volunteers.save_item(
        actor=classroom.staff, unit=tree.community_a1, name="服务", category="repair"
    )
    _queries(tree.community_a1.code)  # the first visit also creates the address's counter
    one = _queries(tree.community_a1.code)
    for days in range(2, 9):
        session(days=days)
        volunteers.save_item(
            actor=classroom.staff, unit=tree.community_a1, name=f"服务{days}", category="repair"
        )
    # The address's counter (4), the unit, the sessions, the services; none per row.
    assert one == _queries(tree.community_a1.code) == 7
