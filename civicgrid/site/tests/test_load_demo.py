"""`manage.py load_demo` asks every app for its part (core.demo) and runs the parts in order;
no app is named in the command."""

import io

import pytest
from django.core.management import CommandError, call_command

from civicgrid.core import demo
from civicgrid.core.errors import InvalidInput
from civicgrid.org.roles import Role

CALLS: list[tuple[str, str, bool]] = []


def units_part(district: str, *, progress: bool) -> str:
    CALLS.append(("units", district, progress))
    return f"units for {district}"


def people_part(district: str, *, progress: bool) -> str:
    CALLS.append(("people", district, progress))
    return ""  # the district has them already


def failing_part(district: str, *, progress: bool) -> str:
    raise InvalidInput("没有这个区")


@pytest.fixture
def parts(monkeypatch):
    monkeypatch.setattr(demo, "_PARTS", {})
    CALLS.clear()
    here = __name__
    demo.register("people", f"{here}.people_part", after=["units"])
    demo.register("units", f"{here}.units_part")
    return demo


def test_the_apps_parts_run_in_the_order_the_demo_was_always_built():
    assert [part.name for part in demo.parts()] == [
        "org",
        "events",
        "people",
        "classes",
        "volunteers",
        "community",
        "mediation",
        "assessment",
        "selections",
        "cockpit_maps",
        "cockpit_reports",
        # The routing models learn from the demo's closed events (issue 20).
        "routing",
    ]


@pytest.mark.django_db
def test_it_runs_every_part_in_order_and_prints_what_each_added(parts):
    out = io.StringIO()
    call_command("load_demo", "--district", "410103", stdout=out, verbosity=0)
    assert CALLS == [("units", "410103", False), ("people", "410103", False)]
    assert out.getvalue().splitlines() == ["units for 410103"]


@pytest.mark.django_db
def test_it_loads_nothing_when_the_database_has_units_and_prints_the_logins(parts, tree, make_user):
    make_user("gridworker", unit=tree.grid_a1_1, role=Role.GRID_WORKER)
    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert CALLS == []
    lines = out.getvalue().splitlines()
    assert lines[0] == "The database already has units; the demo is not loaded again."
    assert "Demo logins (password: " in lines[2]
    assert lines[-1].split()[0] == "gridworker" and tree.grid_a1_1.name in lines[-1]


@pytest.mark.django_db
def test_a_parts_error_stops_the_command_with_its_message(parts):
    demo.register("broken", f"{__name__}.failing_part", after=["units"])
    with pytest.raises(CommandError, match="没有这个区"):
        call_command("load_demo", stdout=io.StringIO(), verbosity=0)
    assert [call[0] for call in CALLS] == ["units", "people"]


def test_the_demo_refuses_a_production_database_unless_forced(db, settings):
    """Its accounts share a public password: with DATABASE_URL set (outside the tests) the demo
    is loaded only with --force; `make run` (no DATABASE_URL) loads it as before."""
    from civicgrid.org.models import Kind, OrgUnit

    OrgUnit.objects.create(code="410102", name="中原区", kind=Kind.DISTRICT)
    settings.PRODUCTION = True  # DATABASE_URL set, outside the tests (settings.py)
    with pytest.raises(CommandError, match=r"DATABASE_URL is set.*civicgrid-demo.*--force"):
        call_command("load_demo", "--if-empty")
    out = io.StringIO()
    call_command("load_demo", "--if-empty", "--force", stdout=out)
    assert "already has units" in out.getvalue()
    settings.PRODUCTION = False
    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "already has units" in out.getvalue()
