import threading
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from django.db import connection
from django.urls import reverse

from civicgrid.accounts.tokens import issue_token
from civicgrid.events import services
from civicgrid.events.models import Event
from civicgrid.events.tests.conftest import A1_1, jpeg

pytestmark = pytest.mark.django_db

# The GeoReport v2 response shapes, as the published JSON Schemas
# (github.com/open311/schema-validation, schema/georeport-v2) define them.
NULLABLE_STRING = {"type": ["string", "null"]}
SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "description": NULLABLE_STRING,
        "metadata": {"type": "boolean"},
        "type": {"enum": ["realtime", "batch", "blackbox"]},
        "keywords": NULLABLE_STRING,
        "group": NULLABLE_STRING,
    },
}
SERVICE_DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": {"type": "string"},
        "attributes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["variable", "code", "datatype", "required"],
                "properties": {
                    "variable": {"type": "boolean"},
                    "code": {"type": "string"},
                    "datatype": {
                        "enum": [
                            "string",
                            "number",
                            "datetime",
                            "text",
                            "singlevaluelist",
                            "multivaluelist",
                        ]
                    },
                    "required": {"type": "boolean"},
                    "datatype_description": NULLABLE_STRING,
                    "order": {"type": ["integer", "null"]},
                    "description": NULLABLE_STRING,
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "name"],
                            "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                        },
                    },
                },
            },
        },
    },
}
DATETIME = {"type": "string", "format": "date-time"}
REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"enum": ["open", "closed"]},
        "status_notes": NULLABLE_STRING,
        "service_name": NULLABLE_STRING,
        "service_code": {"type": "string"},
        "description": {"type": ["string", "null"], "maxLength": 4000},
        "agency_responsible": NULLABLE_STRING,
        "service_notice": NULLABLE_STRING,
        "requested_datetime": DATETIME,
        "updated_datetime": {"anyOf": [DATETIME, {"type": "null"}]},
        "expected_datetime": {"anyOf": [DATETIME, {"type": "null"}]},
        "address": NULLABLE_STRING,
        "address_id": NULLABLE_STRING,
        "zipcode": NULLABLE_STRING,
        "lat": {"type": ["number", "null"]},
        "long": {"type": ["number", "null"]},
        "media_url": {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]},
    },
}
ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
CHECKER = jsonschema.Draft7Validator.FORMAT_CHECKER


def valid(instance, schema):
    jsonschema.validate(instance, schema, format_checker=CHECKER)
    return instance


@pytest.fixture
def key(staff):
    return issue_token(user=staff["alice"], name="test")[1]


def open311(name, *args, fmt="json"):
    return reverse(f"open311:{name}", args=[*args, fmt])


def test_discovery_and_services(client):
    discovery = client.get(open311("discovery")).json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    xml = ET.fromstring(client.get(open311("discovery", fmt="xml")).content)
    assert (
        xml.tag == "discovery" and xml.find("endpoints/endpoint/formats/format").text == "text/xml"
    )
    services_list = valid(
        client.get(open311("services")).json(), {"type": "array", "items": SERVICE}
    )
    assert {"service_code": "2101", "metadata": True}.items() <= next(
        s for s in services_list if s["service_code"] == "2101"
    ).items()
    definition = valid(client.get(open311("service", "1101")).json(), SERVICE_DEFINITION)
    assert definition["attributes"][0]["values"][0] == {"key": "missing", "name": "井盖缺失"}
    xml = ET.fromstring(client.get(open311("service", "1101", fmt="xml")).content)
    assert xml.find("attributes/attribute/values/value/key").text == "missing"
    missing = client.get(open311("service", "9999"))
    assert missing.status_code == 404 and valid(missing.json(), ERRORS)[0]["code"] == 404


def test_post_a_request_then_follow_it(client, key, staff):
    response = client.post(
        open311("requests"),
        {
            "api_key": key,
            "service_code": "1101",
            "lat": A1_1[1],
            "long": A1_1[0],
            "description": "井盖没了\n很危险",
            "attribute[hazard]": "missing",
            "jurisdiction_id": "410102",
            "media": jpeg(),
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()[0]
    event = Event.objects.get(number=created["service_request_id"])
    assert (
        event.source == "api"
        and event.title == "井盖没了"
        and event.attributes == {"hazard": "missing"}
    )
    assert client.get(open311("token", created["token"])).json() == [
        {"service_request_id": event.number, "token": created["token"]}
    ]
    one = valid(
        client.get(open311("request", event.number), {"api_key": key}).json(),
        {"type": "array", "items": REQUEST},
    )
    assert one[0]["status"] == "open" and one[0]["expected_datetime"].endswith("+08:00")
    assert one[0]["media_url"].startswith("http")
    listed = valid(
        client.get(open311("requests"), {"status": "open"}).json(),
        {"type": "array", "items": REQUEST},
    )
    assert [r["service_request_id"] for r in listed] == [event.number]
    assert listed[0]["media_url"] is None  # no key, no media
    xml = ET.fromstring(client.get(open311("requests", fmt="xml")).content)
    assert (
        xml.tag == "service_requests"
        and xml.find("request/service_request_id").text == event.number
    )


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        ({"service_code": "1101", "lat": A1_1[1], "long": A1_1[0]}, 403, "api_key"),
        ({"api_key": "nope", "service_code": "1101", "lat": 1, "long": 1}, 403, "api_key"),
        (
            {"api_key": "KEY", "service_code": "0000", "lat": A1_1[1], "long": A1_1[0]},
            400,
            "service_code",
        ),
        ({"api_key": "KEY", "service_code": "2101", "address_string": "某路1号"}, 400, "offline"),
        ({"api_key": "KEY", "service_code": "2101"}, 400, "location"),
        ({"api_key": "KEY", "service_code": "2101", "lat": 10, "long": 10}, 400, "location"),
        (
            {"api_key": "KEY", "service_code": "1101", "lat": A1_1[1], "long": A1_1[0]},
            400,
            "hazard",
        ),
    ],
)
def test_bad_requests_get_the_spec_error_and_write_nothing(client, key, data, status, words):
    data = {k: (key if v == "KEY" else v) for k, v in data.items()}
    for fmt in ("json", "xml"):
        response = client.post(open311("requests", fmt=fmt), data)
        assert response.status_code == status
        if fmt == "json":
            assert words in valid(response.json(), ERRORS)[0]["description"]
        else:
            assert ET.fromstring(response.content).find("error/code").text == str(status)
    assert not Event.objects.exists()


def test_request_list_filters(client, report, key):
    report()
    assert (
        client.get(
            open311("requests"),
            {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-12-31T00:00:00+08:00"},
        ).status_code
        == 400
    )
    assert client.get(open311("requests"), {"status": "pending"}).status_code == 400
    assert client.get(open311("requests"), {"status": "closed"}).json() == []
    assert len(client.get(open311("requests"), {"service_code": "2101,1101"}).json()) == 1


def test_private_categories_are_not_listed_without_a_key(client, report, plain_category, key):
    event = report(category=plain_category)
    assert client.get(open311("requests")).json() == []
    assert client.get(open311("request", event.number)).status_code == 404
    assert len(client.get(open311("requests"), {"api_key": key}).json()) == 1


def test_a_department_pushes_updates(client, report, staff, tree):
    frank, erin = staff["frank"], staff["erin"]
    event = services.accept_event(
        actor=frank,
        event=report(
            category=__import__(
                "civicgrid.events.models", fromlist=["Category"]
            ).Category.objects.get(code="2201")
        ),
    )
    services.whistle_event(actor=frank, event=event, kind="routine", departments=[tree.police_a])
    department_key = issue_token(user=erin, name="police system")[1]
    url = open311("updates")
    started = client.post(
        url,
        {
            "api_key": department_key,
            "service_request_id": event.number,
            "status": "IN_PROGRESS",
            "description": "民警已到场",
        },
    )
    assert started.status_code == 201
    assert event.whistles.get().targets.get().reported_in_at is not None
    done = client.post(
        url,
        {
            "api_key": department_key,
            "service_request_id": event.number,
            "status": "FIXED",
            "description": "已调解",
        },
    )
    assert done.status_code == 201 and Event.objects.get().status == "resolved"
    assert (
        client.post(
            url,
            {"api_key": department_key, "service_request_id": event.number, "status": "WHATEVER"},
        ).status_code
        == 400
    )
    listed = client.get(url, {"api_key": department_key}).json()
    assert [u["description"] for u in listed][-2:] == ["民警已到场", "已调解"]


def test_json_api_lifecycle_and_errors(client, staff, category):
    alice_key = issue_token(user=staff["alice"], name="phone app")[1]
    frank_key = issue_token(user=staff["frank"], name="desk")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {alice_key}"}
    boss = {"HTTP_AUTHORIZATION": f"Bearer {frank_key}"}
    assert client.get("/api/v1/events").status_code == 401
    created = client.post(
        "/api/v1/events",
        {"title": "通道堵塞", "category": "2101", "lon": A1_1[0], "lat": A1_1[1]},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    step = f"/api/v1/events/{number}/steps"
    assert (
        client.post(f"{step}/accept", {}, content_type="application/json", **auth).status_code
        == 403
    )
    accepted = client.post(
        f"{step}/accept", {"version": 1}, content_type="application/json", **boss
    )
    assert accepted.json()["status"] == "accepted"
    stale = client.post(
        f"{step}/reject", {"version": 1, "note": "x"}, content_type="application/json", **boss
    )
    assert stale.status_code == 409 and stale.json()["error"]["field"] == "version"
    illegal = client.post(f"{step}/close", {}, content_type="application/json", **boss)
    assert illegal.status_code == 409
    bad = client.post(
        "/api/v1/events",
        {"title": "x", "category": "nope", "lon": 1, "lat": 1},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "category"
    grace_key = issue_token(user=staff["grace"], name="other")[1]
    assert (
        client.get(f"/api/v1/events/{number}", HTTP_AUTHORIZATION=f"Bearer {grace_key}").status_code
        == 404
    )
    detail = client.get(f"/api/v1/events/{number}", **boss).json()
    assert [s["action"] for s in detail["steps"]] == ["report", "accept"]
    figures = client.get("/api/v1/events/figures/410102001001", **boss).json()
    assert figures["counts"]["reported"] == 1
    assert client.get("/api/v1/openapi.json").status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_at_once_one_wins(staff, report, tree):
    event = services.accept_event(actor=staff["frank"], event=report())
    carol = staff["carol"]
    barrier = threading.Barrier(2)
    outcomes = []

    def dispatch(user, target):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.dispatch_event(
                actor=user, event=event, handler_unit=target, version=event.version
            )
            outcomes.append("ok")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=dispatch, args=(staff["frank"], tree.grid_a1_1)),
        threading.Thread(target=dispatch, args=(carol, tree.grid_a1_2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["Conflict", "ok"]
    event.refresh_from_db()
    assert event.steps.filter(action="dispatch").count() == 1 and event.version == 3
