"""The party's exports (core.exports, issue 19): members with the page's name search, study
hours; sensitive: a reason, the access log, no phone; only those who keep the members."""

import csv
import io

import pytest
from django.urls import reverse

from civicgrid.core.models import AccessLog
from civicgrid.party import services
from civicgrid.party.models import MemberKind, Position

pytestmark = pytest.mark.django_db


def post(client, name, query, **form):
    url = reverse("cockpit:export", args=[name]) + "?" + query
    return client.post(url, {"format": "csv", "reason": "组织生活统计"} | form)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_members_with_the_name_search_no_phone_logged(client, tree, staff, branch, member):
    services.save_member(
        actor=staff,
        data=services.MemberData(
            name="王先锋", branch=branch, kind=MemberKind.SELF_MANAGED, position=Position.MEMBER
        ),
    )
    client.force_login(staff)
    code = tree.community_a1.code
    response = post(client, "party.members", f"unit={code}&q=刘")
    assert [r[0] for r in csv_rows(response)[1:]] == ["刘党员"]
    assert "13600002222" not in response.content.decode("utf-8-sig")
    assert list(AccessLog.objects.values_list("record", "rows", "reason")) == [
        (f"party.members:{code}", 1, "组织生活统计")
    ]
    assert len(csv_rows(post(client, "party.study_hours", f"unit={code}"))) == 3


def test_a_reason_is_required(client, tree, staff, member):
    client.force_login(staff)
    response = post(client, "party.members", f"unit={tree.community_a1.code}", reason="")
    assert response.status_code == 302 and not AccessLog.objects.exists()


def test_read_only_leader_and_other_streets_may_not(client, tree, people, staff, member):
    client.force_login(people["dave"])
    response = post(client, "party.members", f"unit={tree.community_a1.code}")
    assert response.status_code == 302 and not AccessLog.objects.exists()
    client.force_login(people["alice"])  # grid A1-1: community A1 is above her
    assert post(client, "party.members", f"unit={tree.community_a1.code}").status_code == 404


def test_the_unit_page_shows_the_buttons_to_keepers(client, tree, staff, member):
    client.force_login(staff)
    page = client.get(reverse("party:unit", args=[tree.community_a1.code])).content.decode()
    assert 'data-export="party.members"' in page and 'data-export="party.study_hours"' in page
