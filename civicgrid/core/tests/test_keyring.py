"""Stateless app servers (issue 15): production keys come from the environment, and the
database's key fingerprint keeps a host with other keys from starting."""

import importlib
import io
import logging
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from civicgrid.core import keyring, privacy
from civicgrid.core.models import KeyFingerprint

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
READ_SETTINGS = (
    "import django; from django.conf import settings; django.setup(); "
    "print(len(settings.SECRET_KEY), len(settings.DATA_KEYS))"
)


def _settings_in_subprocess(tmp_path, **env: str) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter (not under pytest, so not TESTING)."""
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("CIVICGRID_") and name not in {"DATABASE_URL", "REDIS_URL"}
    }
    clean |= {"DJANGO_SETTINGS_MODULE": "civicgrid.settings", "CIVICGRID_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        env=clean | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_keys_from_the_environment(tmp_path):
    url = "postgres://nobody@127.0.0.1:5432/nothing"
    refused = _settings_in_subprocess(tmp_path, DATABASE_URL=url)
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr
    assert "CIVICGRID_SECRET_KEY and CIVICGRID_DATA_KEYS must come from the" in refused.stderr
    assert not (tmp_path / "secret_key").exists() and not (tmp_path / "data_key").exists()

    one_missing = _settings_in_subprocess(tmp_path, DATABASE_URL=url, CIVICGRID_SECRET_KEY="s" * 50)
    assert one_missing.returncode != 0
    assert "so CIVICGRID_DATA_KEYS must come from the" in one_missing.stderr

    given = _settings_in_subprocess(
        tmp_path, DATABASE_URL=url, CIVICGRID_SECRET_KEY="s" * 50, CIVICGRID_DATA_KEYS="k1,k2"
    )
    assert given.returncode == 0, given.stderr
    assert given.stdout.split() == ["50", "2"]


def test_a_laptop_without_a_database_url_still_generates_its_keys(tmp_path):
    laptop = _settings_in_subprocess(tmp_path)
    assert laptop.returncode == 0, laptop.stderr
    assert (tmp_path / "secret_key").exists() and (tmp_path / "data_key").exists()


@pytest.fixture
def keys(settings):
    """Use data keys by name ("old" is the test run's own key); the index key stays the old one
    unless given."""
    old = settings.DATA_KEYS[0]

    def use(*names: str, index: str = "old") -> None:
        settings.DATA_KEYS = [old if name == "old" else name for name in names]
        settings.INDEX_KEY = old if index == "old" else index
        privacy._cipher.cache_clear()

    yield use
    privacy._cipher.cache_clear()


@pytest.mark.django_db
def test_the_first_start_records_the_fingerprint_and_later_starts_check_it(keys):
    keys("old")
    assert not KeyFingerprint.objects.exists()
    assert keyring.problem() is None  # nothing recorded: nothing to disagree with
    keyring.check()
    row = KeyFingerprint.objects.get()
    assert privacy.decrypt(row.token) == keyring.MARK
    keyring.check()  # a second start reads it and records nothing more
    assert KeyFingerprint.objects.get() == row
    assert keyring.problem() is None


@pytest.mark.django_db
def test_a_host_with_other_data_keys_is_refused_loudly(keys, caplog):
    keys("old")
    keyring.check()
    keys("another")
    reason = keyring.problem()
    assert reason is not None and "CIVICGRID_DATA_KEYS cannot read" in reason
    with (
        caplog.at_level(logging.CRITICAL, logger="civicgrid.core.keyring"),
        pytest.raises(keyring.KeysMismatch, match="CIVICGRID_DATA_KEYS cannot read"),
    ):
        keyring.check_at_start("web app")
    assert "web app refuses to start" in caplog.text
    assert KeyFingerprint.objects.count() == 1  # never overwritten by the wrong host


@pytest.mark.django_db
def test_a_host_with_another_index_key_is_refused(keys):
    keys("old")
    keyring.check()
    keys("old", index="another index key")
    reason = keyring.problem()
    assert reason is not None and "CIVICGRID_INDEX_KEY" in reason
    with pytest.raises(keyring.KeysMismatch):
        keyring.check()


@pytest.mark.django_db
def test_rotating_the_keys_the_documented_way_keeps_the_fingerprint_readable(keys):
    keys("old")
    keyring.check()
    keys("new", "old")  # 1. the new key first, the index key pinned to the old one
    assert keyring.problem() is None
    call_command("rotate_data_keys", stdout=io.StringIO())  # 2. every token, this one too
    keys("new")  # 3. the old key retired
    assert keyring.problem() is None
    keyring.check()


@pytest.mark.django_db
def test_dropping_the_old_key_before_rotating_is_refused(keys):
    keys("old")
    keyring.check()
    keys("new")
    assert keyring.problem() is not None


@pytest.mark.django_db
def test_the_web_app_refuses_to_start_with_other_keys(keys):
    keys("old")
    keyring.check()
    keys("another")
    sys.modules.pop("civicgrid.wsgi", None)
    with pytest.raises(keyring.KeysMismatch):
        importlib.import_module("civicgrid.wsgi")
    keys("old")
    sys.modules.pop("civicgrid.wsgi", None)
    assert importlib.import_module("civicgrid.wsgi").application is not None


@pytest.mark.django_db
def test_the_task_consumer_ends_before_any_job_with_other_keys(keys, monkeypatch, caplog):
    from civicgrid.core import tasks

    def exit_now(status: int) -> None:
        raise SystemExit(status)

    monkeypatch.setattr(tasks.os, "_exit", exit_now)
    monkeypatch.setattr(tasks.logging, "shutdown", lambda: None)
    keys("old")
    tasks.check_keys()  # the first start records, and goes on
    assert KeyFingerprint.objects.exists()
    keys("another")
    with (
        caplog.at_level(logging.CRITICAL, logger="civicgrid.core.keyring"),
        pytest.raises(SystemExit) as ended,
    ):
        tasks.check_keys()
    assert ended.value.code == 3
    assert "task consumer refuses to start" in caplog.text
    from huey.contrib.djhuey import HUEY

    assert HUEY._startup["check_keys"] is tasks.check_keys


def test_the_rotation_rewrites_the_fingerprint_last(monkeypatch):
    from civicgrid.core.management.commands import rotate_data_keys

    calls = []

    def record(model, name):
        calls.append(model._meta.label)
        return 0, 0

    monkeypatch.setattr(rotate_data_keys, "rotate_column", record)
    call_command("rotate_data_keys", stdout=io.StringIO())
    assert calls[-1] == "core.KeyFingerprint" and calls.count("core.KeyFingerprint") == 1
    assert len(calls) > 5


@pytest.mark.django_db
def test_a_database_with_numbers_but_no_fingerprint_is_recorded_only_by_keys_that_read_them(
    keys, people
):
    from civicgrid.events import services
    from civicgrid.events.models import Category

    keys("old")
    services.report_event(  # a resident's report: the phone is sealed
        actor=None,
        title="路灯不亮",
        category=Category.objects.get(code="2101"),
        lon=113.53,
        lat=34.73,
        reporter_phone="13800001111",
    )
    assert not KeyFingerprint.objects.exists()  # a database from before the fingerprint
    keys("another")
    with pytest.raises(keyring.KeysMismatch, match="already in this database"):
        keyring.check()
    assert not KeyFingerprint.objects.exists()
    keys("old")
    keyring.check()
    assert KeyFingerprint.objects.exists()
