"""One control character in a report must not break the Open311 XML feed: text is cleaned
when it comes in (page, Open311, service) and again when the feed is written."""

from xml.etree import ElementTree as ET

from django.urls import reverse

from civicgrid.accounts.tokens import issue_token
from civicgrid.events import services
from civicgrid.events.models import Event
from civicgrid.events.tests.conftest import A1_1


def _feed(client) -> ET.Element:
    response = client.get(reverse("open311:requests", args=["xml"]))
    assert response.status_code == 200
    return ET.fromstring(response.content)  # raises ParseError on a control character


def test_a_public_report_with_control_characters_keeps_the_feed_readable(client, staff):
    response = client.post(
        reverse("events:public_report"),
        {
            "title": "井盖\x00没了",
            "category": "1101",
            "attribute[hazard]": "missing\x1b",
            "lon": A1_1[0],
            "lat": A1_1[1],
            "description": "很危险\x0b快来\x00看看\n第二行\ttab",
            "address": "建设路\x0c1号",
            "reporter_name": "张\x07三",
            "reporter_phone": "13800001234",
        },
    )
    assert response.status_code == 302, response.content
    event = Event.objects.get()
    assert event.title == "井盖没了"
    assert event.description == "很危险快来看看\n第二行\ttab"
    assert event.address == "建设路1号" and event.reporter_name == "张三"
    assert event.attributes == {"hazard": "missing"}
    feed = _feed(client)
    assert feed.find("request/description").text == "很危险快来看看\n第二行\ttab"


def test_an_open311_post_with_control_characters_keeps_the_feed_readable(client, staff):
    key = issue_token(user=staff["alice"], name="test")[1]
    response = client.post(
        reverse("open311:requests", args=["json"]),
        {
            "api_key": key,
            "service_code": "1101",
            "lat": A1_1[1],
            "long": A1_1[0],
            "description": "\x0b井盖没了\x00",
            "attribute[hazard]": "missing",
        },
    )
    assert response.status_code == 201, response.content
    assert Event.objects.get().title == "井盖没了"
    assert _feed(client).find("request/description").text == "井盖没了"


def test_the_feed_strips_control_characters_from_rows_written_before(client, report):
    event = report(title="旧事件")
    # (No NUL here: PostgreSQL refuses it in text, so no old row can hold one.)
    Event.objects.filter(pk=event.pk).update(
        title="旧\x01事件", description="旧\x0b描述", address="旧\x1f地址"
    )
    feed = _feed(client)
    assert feed.find("request/description").text == "旧描述"


def test_step_notes_lose_control_characters(report, staff):
    event = report()
    event = services.accept_event(actor=staff["frank"], event=event, note="收到\x00\x0b")
    assert event.steps.order_by("-id").first().note == "收到"
