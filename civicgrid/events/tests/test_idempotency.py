"""A client that retries does not report twice (Idempotency-Key), and a step sent twice without
a version — a double click, a retry — is taken once."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from civicgrid.accounts.tokens import issue_token
from civicgrid.events import services
from civicgrid.events.models import Event, EventStep, ReportKey
from civicgrid.events.tests.conftest import A1_1

pytestmark = pytest.mark.django_db

BODY = {"title": "井盖缺失", "category": "1101", "lon": A1_1[0], "lat": A1_1[1]}
BODY["attributes"] = {"hazard": "missing"}


def bearer(user, **headers):
    key = issue_token(user=user, name="app")[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", **headers}


def post(client, auth, body=BODY, key=None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/api/v1/events", body, content_type="application/json", **auth, **extra)


def test_a_retry_with_the_same_key_answers_the_same_event(client, staff):
    auth = bearer(staff["alice"])
    first = post(client, auth, key="retry-1")
    again = post(client, auth, key="retry-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Event.objects.count() == 1

    clash = post(client, auth, body=BODY | {"title": "别的事"}, key="retry-1")
    assert clash.status_code == 409 and clash.json()["error"]["field"] == "Idempotency-Key"
    assert Event.objects.count() == 1

    # Keys are per client user, and without a key every request is a report.
    assert post(client, bearer(staff["bob"]), key="retry-1").status_code == 201
    post(client, auth)
    assert Event.objects.count() == 3


def test_keys_expire_after_a_day(client, staff):
    auth = bearer(staff["alice"])
    post(client, auth, key="k")
    ReportKey.objects.update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert post(client, auth, key="k").status_code == 201
    assert Event.objects.count() == 2 and ReportKey.objects.count() == 1
    ReportKey.objects.update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert services.purge_report_keys() == 1


@pytest.mark.parametrize("key", ["", "x" * 101, "tab\there"])
def test_bad_keys_are_refused(client, staff, key):
    response = post(client, bearer(staff["alice"]), key=key)
    assert response.status_code == 400 and response.json()["error"]["field"] == "Idempotency-Key"
    assert not Event.objects.exists()


def test_a_step_without_version_is_not_taken_twice(client, staff, report):
    event = services.accept_event(actor=staff["frank"], event=report())
    auth = bearer(staff["carol"])
    url = f"/api/v1/events/{event.number}/steps/supervise"
    body = {"note": "抓紧办"}
    assert client.post(url, body, content_type="application/json", **auth).status_code == 200
    again = client.post(url, body, content_type="application/json", **auth)
    assert again.status_code == 409 and again.json()["error"]["field"] == "version"
    assert EventStep.objects.filter(event=event, action="supervise").count() == 1
    # Sent with the version just read, a second supervision is meant: it is taken.
    version = again.json()["error"]["details"]["version"]
    body |= {"version": version}
    assert client.post(url, body, content_type="application/json", **auth).status_code == 200
    assert EventStep.objects.filter(event=event, action="supervise").count() == 2


def test_a_double_click_on_the_page_takes_the_step_once(client, staff, report):
    event = services.accept_event(actor=staff["frank"], event=report())
    client.force_login(staff["carol"])
    url = reverse("events:act", args=[event.number, "supervise"])
    for _click in range(2):
        client.post(url, {"version": event.version, "note": "抓紧办"})
    for _click in range(2):  # a form that lost its version field
        client.post(url, {"note": "抓紧办"})
    assert EventStep.objects.filter(event=event, action="supervise").count() == 2 - 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_report_and_the_same_step_at_once_happen_once(staff, report, at_once):
    alice = staff["alice"]
    fields = {
        "title": "井盖缺失",
        "category": services.Category.objects.get(code="1101"),
        "lon": A1_1[0],
        "lat": A1_1[1],
        "attributes": {"hazard": "missing"},
    }
    made = []

    def report_once():
        made.append(
            services.report_event_once(actor=alice, key="k", fingerprint="f", **fields)[0].pk
        )

    assert at_once([report_once, report_once, report_once]) == ["ok"] * 3
    assert len(set(made)) == 1 and Event.objects.count() == 1

    event = services.accept_event(actor=staff["frank"], event=Event.objects.get())
    carol = staff["carol"]

    def supervise():
        services.take_step(actor=carol, event=event, action="supervise", note="抓紧办")

    assert sorted(at_once([supervise, supervise])) == ["Conflict", "ok"]
    assert EventStep.objects.filter(event=event, action="supervise").count() == 1
