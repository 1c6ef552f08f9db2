"""POST /api/v1/routing/suggest."""

import pytest
from django.core.management import call_command

from civicgrid.routing import services
from civicgrid.routing.models import Target
from civicgrid.routing.tests.conftest import CODES, POINT, SAID

pytestmark = pytest.mark.django_db
URL = "/api/v1/routing/suggest"


@pytest.fixture
def trained(routing_settings, close_events, tree):
    from civicgrid.org import services as org_services
    from civicgrid.org.kinds import DepartmentKind, Kind

    city = org_services.create_unit(
        actor=None,
        parent=tree.street_a,
        kind=Kind.DEPARTMENT,
        name="甲城管中队",
        subkind=DepartmentKind.CITY_MANAGEMENT,
    )
    close_events(
        [(t, CODES["垃圾"], city) for t in SAID["垃圾"]]
        + [(t, CODES["井盖"], tree.police_a) for t in SAID["井盖"]]
        + [(t, CODES["路灯"], city) for t in SAID["路灯"]]
    )
    for target in (Target.CATEGORY, Target.DEPARTMENT):
        services.train_deployment(target)
    return city


def _post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_staff_get_categories_and_the_department_serving_the_point(client, people, trained):
    client.force_login(people["carol"])
    body = _post(client, {"text": "井盖丢了，很危险", "lon": POINT[0], "lat": POINT[1]}).json()
    assert body["model"] == "categories v1"
    assert 1 <= len(body["categories"]) <= 3
    assert all(c["confidence"] >= 0.01 for c in body["categories"][1:])
    best = body["categories"][0]
    assert best["label"] == CODES["井盖"] and best["name"] == "井盖破损"
    confidences = [c["confidence"] for c in body["categories"]]
    assert confidences == sorted(confidences, reverse=True) and 0 < confidences[0] <= 1
    assert body["departments"][0]["label"] == "police"
    assert body["departments"][0]["unit"] == people["erin"].postings.first().unit.code


def test_a_resident_gets_no_departments(client, people, trained):
    client.force_login(people["mallory"])
    body = _post(client, {"text": "路灯不亮"}).json()
    assert body["categories"][0]["label"] == CODES["路灯"]
    assert body["departments"] == []


def test_a_file_trained_model_by_name(client, people, labelled, routing_settings):
    call_command("train_router", "--name", "board", "--file", str(labelled), verbosity=0)
    client.force_login(people["carol"])
    body = _post(client, {"text": "垃圾没人收", "model": "board"}).json()
    assert body["model"] == "board v1" and body["categories"][0]["label"] == "垃圾"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"text": "   "}, 400, "text"),
        ({"text": "路灯", "lon": 113.5}, 400, "lon"),
        ({"text": "路灯", "model": "nothing-here"}, 404, None),
        ({"text": "路灯", "lat": 123.0, "lon": 113.0}, 422, None),
        ({"text": "路" * 10_001}, 422, None),
        ({}, 422, None),
    ],
)
def test_bad_input_gets_a_clear_error(client, people, trained, body, status, field):
    client.force_login(people["carol"])
    response = _post(client, body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["message"]
    if field:
        assert error["field"] == field


def test_no_model_yet_says_so(client, people):
    client.force_login(people["carol"])
    response = _post(client, {"text": "路灯不亮"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "model"


def test_needs_a_login(client, trained):
    assert _post(client, {"text": "路灯不亮"}).status_code == 401
