"""Open311 GeoReport v2 to the letter (issue 16). Every reply of these tests is validated
against the published GeoReport v2 JSON Schemas (open311_schemas/, see SOURCE.md there) with
the date-time and uri format checkers on — asserted present, so they cannot be silently off."""

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse
from django.utils import timezone
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from civicgrid.accounts.tokens import issue_token
from civicgrid.events import deadlines, rollups, selectors, services
from civicgrid.events.models import Category, Event, EventStep, Open311Update
from civicgrid.events.open311 import request_token
from civicgrid.events.tests.conftest import A1_1, B1_1, jpeg

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "open311_schemas"
CHECKER = jsonschema.Draft7Validator.FORMAT_CHECKER


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        resources.append((path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT7)))
    return Registry().with_resources(resources)


REGISTRY = _registry()
# The reply of each endpoint and the schema it must satisfy.
SHAPES = {
    "discovery": {"$ref": "civicgrid-written.json#/definitions/discovery"},
    "services": {"$ref": "services.json"},
    "service": {"$ref": "service-definition.json"},
    "requests": {"$ref": "requests.json"},
    "created": {
        "type": "array",
        "minItems": 1,
        "items": {"$ref": "swagger-definitions.json#/definitions/RequestResponse"},
    },
    "token": {
        "type": "array",
        "minItems": 1,
        "items": {"$ref": "swagger-definitions.json#/definitions/TokenResponse"},
    },
    "updates": {"$ref": "civicgrid-written.json#/definitions/request_updates"},
    "update": {"$ref": "civicgrid-written.json#/definitions/update_reply"},
    "errors": {"$ref": "civicgrid-written.json#/definitions/errors"},
}


def valid(response, shape: str, status: int = 200):
    """The reply's JSON, after checking its status, its content type and its schema."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = response.json()
    jsonschema.Draft7Validator(SHAPES[shape], registry=REGISTRY, format_checker=CHECKER).validate(
        data
    )
    return data


def xml(response, root: str, status: int = 200) -> ET.Element:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    element = ET.fromstring(response.content)
    assert element.tag == root
    return element


def open311(name, *args, fmt="json"):
    return reverse(f"open311:{name}", args=[*args, fmt])


@pytest.fixture
def key(staff):
    return issue_token(user=staff["alice"], name="test")[1]


@pytest.fixture
def keys(staff):
    """A key for each persona; `trusted` ones may give times."""

    def make(name: str, trusted: bool = False) -> str:
        return issue_token(user=staff[name], name=f"{name}'s system", trusted_times=trusted)[1]

    return make


def post_request(client, key, **fields):
    data = {"api_key": key, "service_code": "2201", "lat": A1_1[1], "long": A1_1[0]}
    return client.post(open311("requests"), data | fields)


def update(client, key, event, status, **fields):
    data = {"api_key": key, "service_request_id": event.number, "status": status}
    return client.post(open311("updates"), data | fields)


def iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


# ---- the checkers themselves -------------------------------------------------------------------


def test_the_format_checkers_are_on():
    # Without rfc3339-validator and rfc3986-validator jsonschema skips these formats silently.
    assert {"date-time", "uri"} <= set(CHECKER.checkers)
    validator = jsonschema.Draft7Validator(
        SHAPES["requests"], registry=REGISTRY, format_checker=CHECKER
    )
    bad_time = [
        {
            "service_request_id": "1",
            "status": "open",
            "service_code": "1",
            "requested_datetime": "2026-13-01",
        }
    ]
    assert not validator.is_valid(bad_time)
    bad_uri = [
        {
            "service_request_id": "1",
            "status": "open",
            "service_code": "1",
            "requested_datetime": "2026-11-23T09:00:00+08:00",
            "media_url": "not a uri",
        }
    ]
    assert not validator.is_valid(bad_uri)
    bad_uri[0]["media_url"] = "https://example.org/a.jpg"
    assert validator.is_valid(bad_uri)


# ---- discovery and services --------------------------------------------------------------------


def test_discovery_names_an_endpoint_a_client_can_append_to(client):
    discovery = valid(client.get(open311("discovery")), "discovery")
    endpoint = discovery["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    services_xml = client.get(endpoint["url"] + "/services.xml")
    assert xml(services_xml, "services").find("service/service_code") is not None
    element = xml(client.get(open311("discovery", fmt="xml")), "discovery")
    assert element.find("endpoints/endpoint/url").text == endpoint["url"]
    assert [f.text for f in element.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_the_changeset_changes_when_services_change(client):
    Category.objects.update(updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    before = valid(client.get(open311("discovery")), "discovery")
    assert before["changeset"] == before["endpoints"][0]["changeset"] == "2026-01-01T08:00:00+08:00"
    category = Category.objects.get(code="2201")
    category.name = "邻里矛盾"
    category.save()
    after = valid(client.get(open311("discovery")), "discovery")
    assert after["changeset"] > before["changeset"]
    assert after["endpoints"][0]["changeset"] == after["changeset"]


def test_services_and_service_definitions(client):
    listed = valid(client.get(open311("services")), "services")
    assert {"service_code": "2101", "metadata": True}.items() <= next(
        s for s in listed if s["service_code"] == "2101"
    ).items()
    definition = valid(client.get(open311("service", "1101")), "service")
    assert definition["attributes"][0]["values"][0] == {"key": "missing", "name": "井盖缺失"}
    element = xml(client.get(open311("service", "1101", fmt="xml")), "service_definition")
    assert element.find("attributes/attribute/values/value/key").text == "missing"
    missing = valid(client.get(open311("service", "9999")), "errors", 404)
    assert missing[0]["code"] == 404
    assert (
        xml(client.get(open311("service", "9999", fmt="xml")), "errors", 404)
        .find("error/code")
        .text
        == "404"
    )


# ---- requests ----------------------------------------------------------------------------------


def test_post_a_request_then_follow_it(client, key):
    response = post_request(
        client,
        key,
        service_code="1101",
        description="井盖没了\n很危险",
        **{"attribute[hazard]": "missing", "jurisdiction_id": "410102", "media": jpeg()},
    )
    created = valid(response, "created", 201)[0]
    # The spec: the id or a token, not both; the id is known at once.
    assert set(created) == {"service_request_id", "service_notice"}
    event = Event.objects.get(number=created["service_request_id"])
    assert event.source == "api" and event.title == "井盖没了"
    assert event.attributes == {"hazard": "missing"}
    # Tokens made before still resolve.
    token = request_token(event)
    assert valid(client.get(open311("token", token)), "token") == [
        {"service_request_id": event.number, "token": token}
    ]
    assert (
        xml(client.get(open311("token", token, fmt="xml")), "service_requests")
        .find("request/token")
        .text
        == token
    )
    valid(client.get(open311("token", "nope")), "errors", 404)
    one = valid(client.get(open311("request", event.number), {"api_key": key}), "requests")
    assert one[0]["status"] == "open" and one[0]["expected_datetime"].endswith("+08:00")
    assert one[0]["media_url"].startswith("http://testserver/")
    listed = valid(client.get(open311("requests"), {"status": "open"}), "requests")
    assert [r["service_request_id"] for r in listed] == [event.number]
    assert listed[0]["media_url"] is None  # no key, no media
    element = xml(client.get(open311("requests", fmt="xml")), "service_requests")
    assert element.find("request/service_request_id").text == event.number
    assert element.find("request/requested_datetime").text == one[0]["requested_datetime"]
    created_xml = xml(
        client.post(
            open311("requests", fmt="xml"),
            {"api_key": key, "service_code": "2201", "lat": A1_1[1], "long": A1_1[0]},
        ),
        "service_requests",
        201,
    )
    assert created_xml.find("request/service_request_id") is not None
    assert created_xml.find("request/token") is None


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        ({"service_code": "1101", "lat": A1_1[1], "long": A1_1[0]}, 403, "api_key"),
        ({"api_key": "nope", "service_code": "1101", "lat": 1, "long": 1}, 403, "api_key"),
        ({"api_key": "KEY", "service_code": "0000", "lat": A1_1[1], "long": A1_1[0]}, 404, "0000"),
        ({"api_key": "KEY", "lat": A1_1[1], "long": A1_1[0]}, 400, "service_code"),
        ({"api_key": "KEY", "service_code": "2101", "address_string": "某路1号"}, 400, "offline"),
        ({"api_key": "KEY", "service_code": "2101"}, 400, "location"),
        ({"api_key": "KEY", "service_code": "2101", "lat": 10, "long": 10}, 400, "location"),
        (
            {"api_key": "KEY", "service_code": "1101", "lat": A1_1[1], "long": A1_1[0]},
            400,
            "hazard",
        ),
        (
            {"api_key": "KEY", "service_code": "2201", "lat": A1_1[1], "long": A1_1[0]}
            | {"description": "很" * 4001},
            400,
            "4000",
        ),
        (
            {"api_key": "KEY", "service_code": "2201", "lat": A1_1[1], "long": A1_1[0]}
            | {"media_url": "file:///etc/passwd"},
            400,
            "media_url",
        ),
    ],
)
def test_bad_requests_get_the_spec_error_and_write_nothing(client, key, data, status, words):
    data = {k: (key if v == "KEY" else v) for k, v in data.items()}
    for fmt in ("json", "xml"):
        response = client.post(open311("requests", fmt=fmt), data)
        if fmt == "json":
            assert words in valid(response, "errors", status)[0]["description"]
        else:
            assert xml(response, "errors", status).find("error/code").text == str(status)
    assert not Event.objects.exists()


def test_a_description_of_4000_characters_is_taken(client, key):
    created = valid(post_request(client, key, description="很" * 4000), "created", 201)
    listed = valid(
        client.get(open311("request", created[0]["service_request_id"]), {"api_key": key}),
        "requests",
    )
    assert len(listed[0]["description"]) == 4000


def test_multi_value_attributes(client, key):
    category = Category.objects.get(code="2201")
    category.attributes = [
        {
            "variable": True,
            "code": "who",
            "datatype": "multivaluelist",
            "required": True,
            "order": 1,
            "description": "涉及哪些人",
            "values": [{"key": "old", "name": "老人"}, {"key": "kid", "name": "儿童"}],
        }
    ]
    category.save()
    valid(client.get(open311("service", "2201")), "service")
    created = valid(
        post_request(client, key, **{"attribute[who][]": ["old", "kid"]}), "created", 201
    )
    event = Event.objects.get(number=created[0]["service_request_id"])
    assert event.attributes == {"who": ["old", "kid"]}
    wrong = post_request(client, key, **{"attribute[who][]": ["old", "cat"]})
    assert "涉及哪些人" in valid(wrong, "errors", 400)[0]["description"]


def test_media_url_on_post_is_kept_and_shown_to_keyed_clients(client, key):
    link = "https://city.example.org/media/638344.jpg"
    created = valid(post_request(client, key, service_code="2101", media_url=link), "created", 201)
    number = created[0]["service_request_id"]
    keyed = valid(client.get(open311("request", number), {"api_key": key}), "requests")
    assert keyed[0]["media_url"] == link
    assert valid(client.get(open311("request", number)), "requests")[0]["media_url"] is None


def test_a_key_adds_to_the_public_list_and_never_narrows_it(
    client, staff, report, plain_category, keys
):
    public_a = report()  # community A1
    private_b = report(actor=staff["grace"], point=B1_1, category=plain_category, title="纠纷")
    private_a = report(category=plain_category, title="纠纷")
    anonymous = {
        r["service_request_id"] for r in valid(client.get(open311("requests")), "requests")
    }
    assert anonymous == {public_a.number}
    grace = keys("grace")  # community B1 staff: sees B1, not A1
    keyed = valid(client.get(open311("requests"), {"api_key": grace}), "requests")
    assert {r["service_request_id"] for r in keyed} == {public_a.number, private_b.number}
    valid(client.get(open311("request", public_a.number), {"api_key": grace}), "requests")
    valid(client.get(open311("request", private_a.number), {"api_key": grace}), "errors", 404)
    resident = keys("mallory")  # no posting at all: the public list
    keyed = valid(client.get(open311("requests"), {"api_key": resident}), "requests")
    assert {r["service_request_id"] for r in keyed} == {public_a.number}


def test_request_list_filters(client, report, staff):
    event = report()
    wide = {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-12-31T00:00:00+08:00"}
    valid(client.get(open311("requests"), wide), "errors", 400)
    valid(client.get(open311("requests"), {"status": "pending"}), "errors", 400)
    assert valid(client.get(open311("requests"), {"status": "closed"}), "requests") == []
    assert (
        len(valid(client.get(open311("requests"), {"service_code": "2101,1101"}), "requests")) == 1
    )
    # Resolved is Open311's closed ("it has been resolved").
    frank, alice = staff["frank"], staff["alice"]
    event = services.accept_event(actor=frank, event=event)
    event = services.dispatch_event(actor=frank, event=event, handler_user=alice)
    event = services.sign_event(actor=alice, event=event)
    services.resolve_event(actor=alice, event=event, note="已清理", photos=[jpeg()])
    closed = valid(client.get(open311("requests"), {"status": "closed"}), "requests")
    assert [r["service_request_id"] for r in closed] == [event.number]
    assert closed[0]["status_notes"] == "已清理"
    assert valid(client.get(open311("requests"), {"status": "open"}), "requests") == []


# ---- updates -----------------------------------------------------------------------------------


def test_a_department_fixes_and_the_community_closes(client, report, staff, tree, keys):
    frank = staff["frank"]
    event = services.accept_event(
        actor=frank, event=report(category=Category.objects.get(code="2201"))
    )
    services.whistle_event(actor=frank, event=event, kind="routine", departments=[tree.police_a])
    police, community = keys("erin"), keys("frank")
    started = valid(
        update(client, police, event, "IN_PROGRESS", description="民警已到场"), "update", 201
    )
    assert started[0]["status"] == "open"
    assert event.whistles.get().targets.get().reported_in_at is not None
    fixed = valid(update(client, police, event, "FIXED", description="已调解"), "update", 201)
    # Closed for Open311; resolved for civicgrid, whose community verifies it.
    assert fixed[0]["status"] == "closed" and "由社区核查并结案" in fixed[0]["status_notes"]
    assert Event.objects.get().status == "resolved"
    closed = valid(
        update(client, community, event, "CLOSED", description="回访属实"), "update", 201
    )
    event.refresh_from_db()
    assert closed[0]["status"] == "closed" and event.status == "closed"
    assert list(event.steps.values_list("action", flat=True))[-2:] == ["verify", "close"]
    valid(update(client, police, event, "WHATEVER"), "errors", 400)
    valid(update(client, community, event, "CLOSED"), "errors", 400)  # nothing left to close
    listed = valid(client.get(open311("updates"), {"api_key": police}), "updates")
    assert "民警已到场" in [u["description"] for u in listed]
    element = xml(
        client.get(open311("updates", fmt="xml"), {"api_key": police}), "service_request_updates"
    )
    assert element.find("request_update/update_id") is not None


def test_in_progress_on_a_new_request_accepts_and_dispatches_it_to_the_keys_owner(
    client, report, staff, keys
):
    event = report()
    valid(update(client, keys("alice"), event, "IN_PROGRESS"), "errors", 403)  # not a dispatcher
    assert Event.objects.get().status == "reported"
    valid(
        update(client, keys("frank"), event, "IN_PROGRESS", description="社区已派人"), "update", 201
    )
    event.refresh_from_db()
    assert event.status == "handling" and event.handler_user == staff["frank"]
    assert list(event.steps.values_list("action", flat=True)) == [
        "report",
        "accept",
        "dispatch",
        "sign",
    ]
    valid(update(client, keys("frank"), event, "IN_PROGRESS"), "errors", 400)  # already


def test_nobody_closes_their_own_resolution(client, report, staff, keys):
    event = report(category=Category.objects.get(code="2201"))
    frank = keys("frank")
    fixed = valid(update(client, frank, event, "CLOSED", description="已处理"), "update", 201)
    event.refresh_from_db()
    assert event.status == "resolved" and "办结人不核查" in fixed[0]["status_notes"]
    # Sent again by the resolver: nothing it may do, so no update is made up (409, the reason).
    again = valid(update(client, frank, event, "CLOSED"), "errors", 409)
    assert Event.objects.get().status == "resolved" and "办结人不核查" in again[0]["description"]
    # The street, which did not resolve it, verifies and closes it.
    valid(update(client, keys("carol"), event, "CLOSED"), "update", 201)
    assert Event.objects.get().status == "closed"


def test_a_fixed_update_may_link_its_photo_instead_of_uploading_it(client, report, staff, keys):
    event = report()  # 2101 asks for an after-photo
    frank = keys("frank")
    valid(update(client, frank, event, "IN_PROGRESS"), "update", 201)
    no_photo = update(client, frank, event, "FIXED", description="已清理")
    assert "photo" in valid(no_photo, "errors", 400)[0]["description"]
    valid(update(client, frank, event, "FIXED", media_url="javascript:alert(1)"), "errors", 400)
    link = "https://dept.example.org/photos/after-1.jpg"
    valid(
        update(client, frank, event, "FIXED", description="已清理", media_url=link), "update", 201
    )
    step = EventStep.objects.get(event=event, action="resolve")
    assert step.details == {"media_url": [link]} and not step.photos.exists()
    listed = valid(client.get(open311("updates"), {"api_key": frank}), "updates")
    assert next(u for u in listed if u["update_id"] == str(step.pk))["media_url"] == link


def test_update_id_makes_an_update_idempotent(client, report, keys):
    event = report()
    frank = keys("frank")
    first = valid(update(client, frank, event, "IN_PROGRESS", update_id="u-1"), "update", 201)
    steps = EventStep.objects.count()
    again = valid(update(client, frank, event, "IN_PROGRESS", update_id="u-1"), "update", 201)
    assert again == first and EventStep.objects.count() == steps
    other = update(client, frank, event, "FIXED", update_id="u-1", description="x")
    assert "update_id" in valid(other, "errors", 400)[0]["description"]
    assert Open311Update.objects.count() == 1 and EventStep.objects.count() == steps


def test_times_come_only_from_trusted_keys_and_never_go_backwards(client, report, keys):
    event = report()
    reported = event.reported_at
    plain = keys("frank")
    given = reported - dt.timedelta(days=3)  # would be refused from a trusted key
    valid(update(client, plain, event, "IN_PROGRESS", updated_datetime=iso(given)), "update", 201)
    last = EventStep.objects.filter(event=event).order_by("-id").first()
    assert last.at >= reported  # ignored: the server's clock

    event = report(at=timezone.now() - dt.timedelta(hours=1))
    trusted = keys("frank", trusted=True)
    at = event.reported_at + dt.timedelta(seconds=30)
    backwards = update(
        client,
        trusted,
        event,
        "IN_PROGRESS",
        updated_datetime=iso(event.reported_at - dt.timedelta(hours=1)),
    )
    assert "早于该诉求的上一步" in valid(backwards, "errors", 400)[0]["description"]
    future = update(
        client,
        trusted,
        event,
        "IN_PROGRESS",
        updated_datetime=iso(timezone.now() + dt.timedelta(hours=1)),
    )
    assert "将来" in valid(future, "errors", 400)[0]["description"]
    valid(update(client, trusted, event, "IN_PROGRESS", updated_datetime=iso(at)), "update", 201)
    event.refresh_from_db()
    assert (
        event.accepted_at == event.dispatched_at == event.responded_at == at.replace(microsecond=0)
    )


# ---- a replay of a 311 history through Open311 alone ------------------------------------------


def test_a_replay_through_open311_keeps_the_sources_times_and_on_time_rate(
    client, staff, tree, keys
):
    """A city's history: each request with its created, due and closed times. The city's system
    (the street's key) posts and works on them; the community's key closes them."""
    city, community = keys("carol", trusted=True), keys("frank", trusted=True)
    base = timezone.localtime(timezone.now() - dt.timedelta(days=30)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    history = []
    for i in range(6):
        requested = base + dt.timedelta(days=i, minutes=7 * i)
        due = requested + dt.timedelta(days=3)
        # Every third closed a day late.
        closed = due + dt.timedelta(days=1) if i % 3 == 0 else requested + dt.timedelta(days=2)
        history.append((requested, due, closed))
    numbers = []
    for i, (requested, due, closed) in enumerate(history):
        created = post_request(
            client,
            city,
            description=f"第{i}件",
            requested_datetime=iso(requested),
            expected_datetime=iso(due),
        )
        number = valid(created, "created", 201)[0]["service_request_id"]
        numbers.append(number)
        event = Event.objects.get(number=number)
        # Its deadlines passed at the source: the escalation job leaves it alone (a step at
        # today's time would refuse the replay's older updates).
        assert deadlines.escalate_event(event=event) is None
        valid(
            update(
                client,
                city,
                event,
                "IN_PROGRESS",
                updated_datetime=iso(requested + dt.timedelta(hours=1)),
            ),
            "update",
            201,
        )
        valid(
            update(
                client, city, event, "FIXED", description="已办结", updated_datetime=iso(closed)
            ),
            "update",
            201,
        )
        reply = valid(
            update(client, community, event, "CLOSED", updated_datetime=iso(closed)), "update", 201
        )
        assert reply[0]["status"] == "closed"
    for number, (requested, due, closed) in zip(numbers, history, strict=True):
        event = Event.objects.get(number=number)
        assert event.status == "closed"
        assert (event.reported_at, event.closure_due, event.closed_at) == (requested, due, closed)
        shown = valid(client.get(open311("request", number), {"api_key": city}), "requests")[0]
        assert shown["requested_datetime"] == iso(requested)
        assert shown["expected_datetime"] == iso(due)
        assert shown["updated_datetime"] == iso(closed)
    on_time = sum(closed <= due for _requested, due, closed in history)
    assert on_time == 4
    start = min(closed for *_, closed in history).date()
    end = max(closed for *_, closed in history).date()
    figures = selectors.figures_for(tree.district, start, end)
    rate = next(rate for rate in figures.rates if rate.key == "on_time_closure")
    assert (rate.numerator, rate.denominator) == (on_time, len(history))
    assert rate.percent == round(100 * on_time / len(history), 1)
    assert rollups.check_all() == []
