"""The public doors of messaging: asking for a code (htmx, plain form, API) and opting out."""

import pytest
from django.urls import reverse

from civicgrid.messaging import services
from civicgrid.messaging.models import Consent, Purpose

PHONE = "13912345678"


def test_htmx_asks_for_a_code_and_gets_a_fragment(client, db, outbox):
    url = reverse("messaging:request_code") + "?purpose=enrol"
    response = client.post(url, {"phone": PHONE}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"139****5678" in response.content
    assert b"<html" not in response.content
    assert len(outbox) == 1


def test_without_javascript_the_resident_goes_back_to_the_form(client, db, outbox):
    url = reverse("messaging:request_code") + "?purpose=order&next=/volunteers/c/1/"
    response = client.post(url, {"phone": PHONE})
    assert response.status_code == 302 and response["Location"] == "/volunteers/c/1/"
    assert len(outbox) == 1


def test_it_never_redirects_elsewhere(client, db, outbox):
    url = reverse("messaging:request_code") + "?purpose=order&next=https://evil.example/"
    response = client.post(url, {"phone": PHONE})
    assert response["Location"] == "/"


def test_a_bad_purpose_sends_nothing(client, db, outbox):
    url = reverse("messaging:request_code") + "?purpose=nothing"
    response = client.post(url, {"phone": PHONE}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and outbox == []


def test_the_api_sends_a_code(client, db, outbox, sent_code):
    response = client.post(
        "/api/v1/messaging/public/codes",
        {"phone": PHONE, "purpose": "enrol"},
        content_type="application/json",
    )
    assert response.status_code == 202 and response.json()["sent_to"] == "139****5678"
    assert sent_code(PHONE)


def test_the_api_answers_429_past_the_limit(client, db, settings, outbox):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"code_phone": (1, 3600)}
    body = {"phone": PHONE, "purpose": "enrol"}
    client.post("/api/v1/messaging/public/codes", body, content_type="application/json")
    response = client.post("/api/v1/messaging/public/codes", body, content_type="application/json")
    assert response.status_code == 429 and "error" in response.json()


def test_the_opt_out_link_records_the_choice(client, db):
    _address, hashed, _masked = services.recipient("sms", PHONE)
    url = reverse("messaging:opt_out", args=[services.opt_out_token(hashed, Purpose.SERVICE)])
    assert client.get(url).status_code == 200
    assert not Consent.objects.exists()
    assert client.post(url).status_code == 200
    consent = Consent.objects.get()
    assert (consent.recipient_hash, consent.purpose, consent.granted) == (hashed, "service", False)
    assert not services.allowed(hashed, Purpose.SERVICE)


@pytest.mark.parametrize("token", ["nonsense", "eyJyIjoiYSIsInAiOiJzZXJ2aWNlIn0:1abc:xyz"])
def test_a_forged_opt_out_link_is_refused(client, db, token):
    response = client.post(reverse("messaging:opt_out", args=[token]))
    assert response.status_code == 400 and not Consent.objects.exists()
