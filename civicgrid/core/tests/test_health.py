"""Liveness, readiness and metrics (issue 15): /healthz touches nothing, /readyz names the
check that failed, /metrics answers only a token or an allowed address."""

import ipaddress
import json
import time

import pytest
from django.db import connection
from huey import RedisHuey

from civicgrid.core import jobs, keyring, metrics, privacy
from civicgrid.core.health import readiness

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/5"  # nothing listens on port 1


@pytest.fixture
def queue_down(monkeypatch):
    from huey.contrib.djhuey import HUEY

    monkeypatch.setattr(HUEY, "storage", RedisHuey("civicgrid-test", url=CLOSED_PORT).storage)


@pytest.fixture
def with_consumer(monkeypatch):
    """As in production: tasks go to a consumer, whose heartbeat readiness requires."""
    monkeypatch.setattr(jobs, "runs_immediately", lambda: False)


def _failed(client) -> list[str]:
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == (200 if body["ready"] else 503)
    assert response["Cache-Control"].startswith("max-age=0")
    return body["failed"]


def test_ready_when_everything_answers(client, with_consumer):
    jobs.beat()
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert set(checks) == {"database", "queue", "storage", "keys", "consumer"}
    assert all(check["ok"] for check in checks.values())
    assert checks["consumer"]["age_s"] < 60


def test_the_database_down_is_not_ready_but_alive(client, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["database"]
    assert body["checks"]["database"]["error"] == "OperationalError"  # no host, no detail


def test_the_queue_down_is_not_ready(client, queue_down):
    assert _failed(client) == ["queue"]


def test_storage_that_cannot_be_reached_is_not_ready(client, monkeypatch):
    from django.core.files.storage import default_storage

    def unreachable(name):
        raise OSError("no route to host")

    monkeypatch.setattr(default_storage, "exists", unreachable)
    assert _failed(client) == ["storage"]


def test_a_media_folder_that_cannot_be_made_is_not_ready(client, settings, tmp_path):
    (tmp_path / "a-file").write_text("")
    settings.MEDIA_ROOT = str(tmp_path / "a-file" / "media")
    assert _failed(client) == ["storage"]


def test_data_keys_that_cannot_read_the_database_are_not_ready(client, settings):
    keyring.check()  # the first start records the fingerprint of this run's keys
    assert _failed(client) == []
    own = settings.DATA_KEYS
    settings.DATA_KEYS = ["another key"]
    privacy._cipher.cache_clear()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503 and response.json()["failed"] == ["keys"]
        assert "CIVICGRID_DATA_KEYS" not in response.content.decode()  # details: the log only
    finally:
        settings.DATA_KEYS = own
        privacy._cipher.cache_clear()
    assert _failed(client) == []


def test_a_consumer_silent_for_too_long_is_not_ready(client, with_consumer, settings):
    settings.CONSUMER_STALE_MINUTES = 5
    from huey.contrib.djhuey import HUEY

    HUEY.delete(jobs.HEARTBEAT_KEY)
    assert _failed(client) == ["consumer"]  # never started
    jobs.beat(time.time() - 6 * 60)
    response = client.get("/readyz")
    assert response.json()["failed"] == ["consumer"]
    assert "heartbeat" in response.json()["checks"]["consumer"]["error"]
    jobs.beat()
    assert _failed(client) == []
    settings.CONSUMER_STALE_MINUTES = 0  # shown, not required
    jobs.beat(time.time() - 60 * 60)
    assert _failed(client) == []


def test_readiness_lists_every_failure_at_once(queue_down, with_consumer, monkeypatch):
    from django.core.files.storage import default_storage

    monkeypatch.setattr(default_storage, "exists", lambda name: 1 / 0)
    ready, checks = readiness()
    assert not ready
    assert {name for name, check in checks.items() if not check["ok"]} == {
        "queue",
        "storage",
        "consumer",  # its heartbeat is in the queue's storage
    }


# ---- /metrics ----------------------------------------------------------------------------------


def test_metrics_are_hidden_unless_configured(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOW = "", []
    assert client.get("/metrics").status_code == 404


def test_metrics_answer_the_token_only(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOW = "s3cret-token", []
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    client.get("/healthz")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    text = response.content.decode()
    for name in (
        "civicgrid_requests_total",
        "civicgrid_request_errors_total",
        "civicgrid_request_duration_seconds_bucket",
        "civicgrid_queue_depth",
        "civicgrid_overdue_events",
    ):
        assert name in text
    assert 'civicgrid_requests_total{method="GET",status="2xx"}' in text


def test_metrics_answer_an_allowed_address(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOW = [ipaddress.ip_network("10.0.0.0/8")]
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_metrics_count_server_errors():
    before = metrics.ERRORS._value.get()
    metrics.observe("GET", 502, 0.2)
    metrics.observe("GET", 404, 0.2)
    assert metrics.ERRORS._value.get() == before + 1


def test_the_consumer_heartbeat_age_is_a_metric(with_consumer):
    jobs.beat(time.time() - 90)
    text = metrics.exposition().decode()
    line = next(li for li in text.splitlines() if li.startswith("civicgrid_consumer_heartbeat"))
    assert 89 <= float(line.split()[-1]) < 200


def test_readiness_answers_json_without_personal_data(client):
    body = json.loads(client.get("/readyz").content)
    assert set(body) == {"ready", "failed", "checks"}
