"""The outbox: written in the step's transaction, delivered after commit to a real local HTTP
server, retried on a backoff and given up with a logged error; the staff page."""

import datetime as dt
import http.server
import json
import logging
import threading

import pytest
from django.utils import timezone

from civicgrid.core.errors import Conflict
from civicgrid.events import services
from civicgrid.events.models import Event, Status
from civicgrid.interop import outbox
from civicgrid.interop.models import DeliveryAttempt, DeliveryStatus, OutboxMessage


@pytest.fixture
def server():
    """A real HTTP server on a free local port answering `answer[0]` and keeping what it got."""
    received: list[dict] = []
    answer = [200]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append(
                {
                    "body": json.loads(self.rfile.read(length)),
                    "token": self.headers.get("X-Token"),
                    "type": self.headers.get("Content-Type"),
                }
            )
            self.send_response(answer[0])
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/orders", received, answer
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def pushed(push, hotline):
    return Event.objects.get(number=push().json()["event"])


def test_a_step_writes_exactly_one_outbox_message_in_its_transaction(pushed, staff):
    assert not OutboxMessage.objects.exists()  # receiving it tells the system nothing new
    services.accept_event(actor=staff["frank"], event=pushed)
    message = OutboxMessage.objects.get()
    assert (message.action, message.status) == ("accept", DeliveryStatus.PENDING)
    assert message.payload["order_number"] == "GD2026120300017"
    assert message.payload["status"] == Status.ACCEPTED
    assert message.payload["id"] == message.pk


def test_a_step_that_fails_leaves_no_outbox_message(pushed, staff, monkeypatch):
    def broken(event, step):
        raise RuntimeError("a later part of the step failed")

    monkeypatch.setattr(services, "step_hooks", [*services.step_hooks, broken])
    with pytest.raises(RuntimeError):
        services.accept_event(actor=staff["frank"], event=pushed)
    assert not OutboxMessage.objects.exists()
    assert Event.objects.get(pk=pushed.pk).status == Status.REPORTED


def test_an_event_without_an_order_writes_nothing(report, staff):
    services.accept_event(actor=staff["frank"], event=report())
    assert not OutboxMessage.objects.exists()


def test_delivery_to_a_real_http_server_after_commit_is_logged(
    pushed, staff, hotline, server, django_capture_on_commit_callbacks
):
    url, received, _answer = server
    connector = hotline[0]
    connector.adapter, connector.url, connector.headers = "http", url, {"X-Token": "s3cret"}
    connector.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_event(actor=staff["frank"], event=pushed)
        assert received == []  # nothing leaves before the step commits
    assert len(received) == 1
    assert received[0]["body"]["event"] == pushed.number
    assert received[0]["body"]["action"] == "accept"
    assert received[0]["token"] == "s3cret"
    assert received[0]["type"].startswith("application/json")
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts, message.last_status_code) == ("sent", 1, 200)
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.ok, attempt.status_code, attempt.error) == (True, 200, "")


def test_a_failing_server_is_retried_on_the_backoff_then_given_up_with_a_logged_error(
    pushed, staff, hotline, server, settings, caplog, django_capture_on_commit_callbacks
):
    url, received, answer = server
    answer[0] = 500
    settings.INTEROP_RETRY_DELAYS = [60, 300]
    connector = hotline[0]
    connector.adapter, connector.url = "http", url
    connector.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_event(actor=staff["frank"], event=pushed)
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("pending", 1)
    first_try = message.next_attempt_at
    # Due now, a worker may be sending it: staff cannot start it over (it would go out twice).
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    with pytest.raises(Conflict):
        outbox.retry_message(actor=staff["frank"], message=message)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=first_try)
    # Not due yet: nothing is tried.
    assert outbox.retry_due(timezone.now()) == 0
    assert len(received) == 1
    later = timezone.now() + dt.timedelta(seconds=61)
    assert outbox.retry_due(later) == 0
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at - first_try >= dt.timedelta(seconds=300)
    with caplog.at_level(logging.ERROR, logger="civicgrid.interop.outbox"):
        outbox.retry_due(later + dt.timedelta(seconds=301))
    message.refresh_from_db()
    assert (message.status, message.attempts) == (DeliveryStatus.FAILED, 3)
    assert (message.last_status_code, message.last_error) == (500, "answered 500")
    assert message.next_attempt_at is None
    assert len(received) == 3
    assert [a.status_code for a in DeliveryAttempt.objects.all()] == [500, 500, 500]
    assert "given up" in caplog.text
    # Given up: the periodic job leaves it alone; staff send it again, and now it goes.
    assert outbox.retry_due(later + dt.timedelta(days=1)) == 0
    answer[0] = 204
    with django_capture_on_commit_callbacks(execute=True):
        outbox.retry_message(actor=staff["frank"], message=message)
    message.refresh_from_db()
    assert (message.status, message.last_status_code) == (DeliveryStatus.SENT, 204)


def test_an_unreachable_server_is_a_failed_attempt(pushed, staff, hotline):
    connector = hotline[0]
    connector.adapter, connector.url, connector.timeout = "http", "http://127.0.0.1:9/x", 2
    connector.save()
    services.accept_event(actor=staff["frank"], event=pushed)
    message = OutboxMessage.objects.get()
    assert outbox.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.last_status_code is None
    assert "unreachable" in message.last_error


def test_the_file_adapter_writes_json_lines(pushed, staff, settings, tmp_path):
    settings.INTEROP_FILE = tmp_path / "outbox.jsonl"
    services.accept_event(actor=staff["frank"], event=pushed)
    assert outbox.deliver(OutboxMessage.objects.get().pk) is True
    line = json.loads(settings.INTEROP_FILE.read_text().splitlines()[0])
    assert (line["connector"], line["event"], line["action"]) == ("12345", pushed.number, "accept")


def test_a_whistle_goes_to_the_departments_own_system_too(pushed, staff, tree):
    from civicgrid.interop.models import Connector

    police = Connector.objects.create(system="police", name="派出所", department=tree.police_a)
    event = services.accept_event(actor=staff["frank"], event=pushed)
    services.whistle_event(
        actor=staff["frank"], event=event, kind="routine", departments=[tree.police_a]
    )
    whistles = OutboxMessage.objects.filter(action="whistle")
    assert sorted(m.connector.system for m in whistles) == ["12345", "police"]
    assert whistles.get(connector=police).payload["details"]["departments"] == [tree.police_a.code]


def test_the_outbox_page_lists_failures_for_staff_in_scope(
    client, pushed, staff, tree, django_assert_max_num_queries
):
    def fail_all():
        OutboxMessage.objects.update(status=DeliveryStatus.FAILED, last_error="answered 500")
        for message in OutboxMessage.objects.filter(tries=None):
            DeliveryAttempt.objects.create(
                message=message, at=timezone.now(), ok=False, status_code=500, error="answered 500"
            )

    event = services.accept_event(actor=staff["frank"], event=pushed)
    fail_all()
    client.force_login(staff["frank"])
    # The same queries for one row as for four (no query per row or per attempt).
    for rows in (1, 4):
        with django_assert_max_num_queries(10):
            page = client.get("/interop/outbox/")
        assert page.status_code == 200
        assert page.content.decode().count("data-message=") == rows
        for note in ("甲", "乙", "丙"):
            services.supervise_event(actor=staff["carol"], event=event, note=note)
        fail_all()
    # Out of scope: community B1's staff see none of them; a grid worker has no page.
    client.force_login(staff["grace"])
    assert client.get("/interop/outbox/").content.decode().count("data-message=") == 0
    retry = client.post(f"/interop/outbox/{OutboxMessage.objects.first().pk}/retry/")
    assert retry.status_code == 404
    client.force_login(staff["alice"])
    assert client.get("/interop/outbox/").status_code == 403
