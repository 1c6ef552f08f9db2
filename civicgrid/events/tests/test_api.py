import threading

import pytest
from django.db import connection

from civicgrid.accounts.tokens import issue_token
from civicgrid.events import services
from civicgrid.events.tests.conftest import A1_1

pytestmark = pytest.mark.django_db

# The Open311 tests are in test_open311.py (against the published GeoReport v2 schemas).


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
