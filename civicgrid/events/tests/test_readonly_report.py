"""The read-only leader reads everything in the district and reports nothing (org/roles.py:
LEADER_READONLY writes nothing): not through the service, the page or the API."""

import json

import pytest

from civicgrid.accounts.tokens import issue_token
from civicgrid.core.errors import NotAllowed
from civicgrid.events import services
from civicgrid.events.models import Event
from civicgrid.events.tests.conftest import A1_1


def test_the_service_refuses_a_read_only_reporter(report, people):
    with pytest.raises(NotAllowed):
        report(actor=people["dave"])
    assert not Event.objects.exists()
    assert not services.may_report(people["dave"])
    assert services.may_report(people["alice"]) and services.may_report(None)


def test_the_page_refuses_a_read_only_reporter(client, people, category):
    client.force_login(people["dave"])
    assert client.get("/events/report/").status_code == 403
    response = client.post(
        "/events/report/",
        {"title": "消防通道被堵", "category": category.code, "lon": A1_1[0], "lat": A1_1[1]},
    )
    assert response.status_code == 403
    assert not Event.objects.exists()


def test_the_api_refuses_a_read_only_reporter(client, people, category):
    key = issue_token(user=people["dave"], name="test")[1]
    response = client.post(
        "/api/v1/events",
        json.dumps(
            {"title": "消防通道被堵", "category": category.code, "lon": A1_1[0], "lat": A1_1[1]}
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 403
    assert "error" in response.json()
    assert not Event.objects.exists()


def test_a_grid_worker_still_reports_on_the_page(client, people, category):
    client.force_login(people["alice"])
    assert client.get("/events/report/").status_code == 200
    response = client.post(
        "/events/report/",
        {"title": "消防通道被堵", "category": category.code, "lon": A1_1[0], "lat": A1_1[1]},
    )
    assert response.status_code == 302
    assert Event.objects.get().reporter == people["alice"]


def test_no_page_offers_the_read_only_leader_a_report_link(client, people):
    # The crawl at 375 px found "Report a problem" on My tasks answering 403 for the leader.
    client.force_login(people["dave"])
    for url in ("/events/tasks/", "/events/board/"):
        response = client.get(url)
        assert response.status_code == 200
        assert b'href="/events/report/"' not in response.content
    client.force_login(people["alice"])
    assert b'href="/events/report/"' in client.get("/events/tasks/").content
