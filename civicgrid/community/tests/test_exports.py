"""The community's exports (core.exports, issue 19): needs with a status filter (no one named),
tasks with the claiming member (keepers only, reason, logged); scoping."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.community import services
from civicgrid.core.models import AccessLog

pytestmark = pytest.mark.django_db


def post(client, name, query, **form):
    url = reverse("cockpit:export", args=[name]) + "?" + query
    return client.post(url, {"format": "csv", "reason": "月度汇总"} | form)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_needs_with_a_status_filter(client, tree, lists, need, people):
    need(who="张秀英")
    need(category="children")
    client.force_login(people["dave"])  # a read-only leader: figures of needs, no one named
    code = tree.community_a1.code
    response = post(client, "community.needs", f"unit={code}")
    assert len(csv_rows(response)) == 3 and "张秀英" not in response.content.decode("utf-8-sig")
    assert csv_rows(post(client, "community.needs", f"unit={code}&status=met"))[1:] == []
    assert len(csv_rows(post(client, "community.needs", f"unit={code}&status=open"))) == 3
    assert not AccessLog.objects.exists()


def test_tasks_name_the_member_for_keepers_with_a_reason(client, tree, lists, people):
    task = services.create_task(
        actor=lists.staff,
        unit=tree.community_a1,
        title="楼道清理",
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )
    services.claim_task(actor=lists.staff, task=task, member=lists.member)
    client.force_login(lists.staff)
    code = tree.community_a1.code
    rows = csv_rows(post(client, "community.tasks", f"unit={code}"))
    assert [(r[0], r[5]) for r in rows[1:]] == [("楼道清理", "赵党员")]
    assert AccessLog.objects.get().record == f"community.tasks:{code}"
    assert csv_rows(post(client, "community.tasks", f"unit={code}&status=done"))[1:] == []
    client.force_login(people["dave"])
    assert post(client, "community.tasks", f"unit={code}").status_code == 302
    client.force_login(people["bob"])  # grid A1-2: community A1 is above him
    assert post(client, "community.needs", f"unit={code}").status_code == 404
    page = client.get(reverse("community:unit", args=[tree.grid_a1_2.code])).content.decode()
    assert 'data-export="community.needs"' in page


def test_projects_and_partners_export_for_whoever_sees_the_page(client, tree, lists, people):
    client.force_login(people["dave"])
    code = tree.community_a1.code
    rows = csv_rows(post(client, "community.partners", f"unit={code}"))
    assert [r[0] for r in rows[1:]] == ["邻里家政"]
    assert csv_rows(post(client, "community.projects", f"unit={code}"))[1:] == []
    page = client.get(reverse("community:unit", args=[code])).content.decode()
    assert 'data-export="community.partners"' in page
    assert 'data-export="community.projects"' in page
