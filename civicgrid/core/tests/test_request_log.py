"""Structured logs (issue 15): one line per request with its id, user, method, path (never
the query string), status and duration; the id comes from a trusted proxy only, and the tasks a
request queues log under it."""

import contextvars
import ipaddress
import json
import logging

import pytest
from huey import signals
from huey.contrib.djhuey import HUEY, db_task

from civicgrid.core.logs import REQUEST_ID, JsonFormatter, RequestContext

pytestmark = pytest.mark.django_db

SECRET = "cg_pGVfXbBoL3S11XJhXWTYLB13"


def _request_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "civicgrid.request"]


def test_each_request_writes_one_json_line(client, caplog):
    caplog.set_level(logging.INFO, logger="civicgrid.request")
    response = client.get(f"/healthz?api_key={SECRET}")
    (record,) = _request_lines(caplog)
    RequestContext().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line and SECRET not in line
    entry = json.loads(line)
    assert entry["method"] == "GET" and entry["path"] == "/healthz" and entry["status"] == 200
    assert entry["duration_ms"] >= 0 and entry["user_id"] is None
    assert entry["request_id"] == response["X-Request-ID"] and len(entry["request_id"]) == 32


def test_the_signed_in_user_is_logged(client, caplog, django_user_model):
    user = django_user_model.objects.create_user("logged", password="x-long-password-1")
    client.force_login(user)
    caplog.set_level(logging.INFO, logger="civicgrid.request")
    client.get("/")
    assert _request_lines(caplog)[-1].user_id == user.pk


def test_a_request_id_is_taken_from_trusted_proxies_only(client, settings):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] != "abc-123"
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    odd = client.get("/healthz", HTTP_X_REQUEST_ID='a"b\nc')["X-Request-ID"]
    assert odd != 'a"b\nc' and len(odd) == 32


@db_task()
def _request_id_in_task() -> str:
    return REQUEST_ID.get()


def test_a_task_logs_under_the_id_of_the_request_that_queued_it():
    task = _request_id_in_task.s()
    token = REQUEST_ID.set("req-42")
    try:
        HUEY._emit(signals.SIGNAL_ENQUEUED, task)  # as enqueue does, before serializing
    finally:
        REQUEST_ID.reset(token)
    message = HUEY.serialize_task(task)

    def consumer() -> str:  # another thread of another process: no request id of its own
        received = HUEY.deserialize_task(message)
        HUEY.execute(received)
        return str(HUEY.get(received.id))

    assert contextvars.Context().run(consumer) == "req-42"
    assert contextvars.Context().run(lambda: REQUEST_ID.get()) == ""


def test_django_s_own_line_for_an_error_carries_the_request_id_and_no_secret(client):
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContext())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        response = client.get(f"/no-such-page/?api_key={SECRET}")
    finally:
        root.removeHandler(handler)
    assert response.status_code == 404
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert SECRET not in stream.getvalue()
    not_found = next(e for e in entries if e["logger"] == "django.request")
    assert not_found["request_id"] == response["X-Request-ID"]
