"""Database settings from the environment (issue 15): a psycopg 3 pool per process on
PostgreSQL sized by CIVICGRID_DB_POOL_*, no persistent connections beside it, off with
CIVICGRID_DB_POOL=false; DATABASE_REPLICA_URL adds the `replica` the figures are read from."""

import runpy
from pathlib import Path

import pytest
from django.db import connection

import civicgrid.settings

NAMES = (
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "CIVICGRID_DB_POOL",
    "CIVICGRID_DB_POOL_MIN",
    "CIVICGRID_DB_POOL_MAX",
    "CIVICGRID_DB_POOL_TIMEOUT",
    "CIVICGRID_DB_POOL_MAX_IDLE",
)
PRIMARY = "postgres://civicgrid:pw@db.internal:5432/civicgrid"
REPLICA = "postgres://civicgrid:pw@replica.internal:5432/civicgrid"


@pytest.fixture
def read(monkeypatch, tmp_path):
    def settings_with(**env: str) -> dict:
        monkeypatch.setenv("CIVICGRID_VAR_DIR", str(tmp_path))
        for name in NAMES:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(Path(civicgrid.settings.__file__)))

    return settings_with


def test_postgresql_gets_a_pool_sized_from_the_environment(read):
    values = read(DATABASE_URL=PRIMARY, CIVICGRID_DB_POOL_MAX="6", CIVICGRID_DB_POOL_MIN="2")
    default = values["DATABASES"]["default"]
    assert default["OPTIONS"]["pool"] == {
        "min_size": 2,
        "max_size": 6,
        "timeout": 10,
        "max_idle": 300,
    }
    assert default["CONN_MAX_AGE"] == 0  # Django refuses persistent connections with a pool
    assert values["FIGURES_DATABASE"] == ""


def test_the_pool_can_be_turned_off_for_pgbouncer(read):
    default = read(DATABASE_URL=PRIMARY, CIVICGRID_DB_POOL="false")["DATABASES"]["default"]
    assert "pool" not in default.get("OPTIONS", {})
    assert default["CONN_MAX_AGE"] == 0


def test_a_replica_url_adds_the_figures_database(read):
    values = read(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA)
    assert values["DATABASES"]["replica"]["HOST"] == "replica.internal"
    assert values["DATABASES"]["replica"]["OPTIONS"]["pool"]["max_size"] == 4
    assert values["FIGURES_DATABASE"] == "replica"


def test_a_laptop_needs_none_of_it(read):
    values = read()
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["FIGURES_DATABASE"] == ""


@pytest.mark.django_db
def test_the_running_postgresql_connection_comes_from_the_pool(settings):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    pooled = "pool" in settings.DATABASES["default"].get("OPTIONS", {})
    assert (connection.pool is not None) == pooled
