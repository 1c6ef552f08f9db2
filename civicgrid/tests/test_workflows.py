"""Every state machine runs on the one engine and keeps the same invariants.

Random people take random steps through each registered machine (with the app's real
services): the status never leaves the table, the log is a chain of steps of the table ending
at the status, and the app's counters always equal a recount."""

import contextlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicgrid.core import workflow
from civicgrid.core.errors import CivicgridError
from civicgrid.tests.walking import factories

pytestmark = pytest.mark.django_db

# Models with a status that is not a workflow of people's steps: technical states of delivery
# and of background jobs, moved only by the task that does the work.
NOT_WORKFLOWS = {
    "events.ResponseTemplate",  # the status a ready answer is for, not a state of its own
    "messaging.Message",  # queued → sent / failed, by the sender task
    "interop.OutboxMessage",  # pending → sent / failed, by the delivery task (and a retry)
    "people.ImportJob",  # the import job's progress
}

MACHINES = [machine.name for machine in workflow.machines()]


def test_every_model_with_a_status_runs_on_the_engine():
    with_status = {
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("civicgrid.")
        and any(field.name == "status" for field in model._meta.get_fields())
    }
    assert with_status - NOT_WORKFLOWS - set(MACHINES) == set()


def test_every_machine_has_a_walk():
    assert set(MACHINES) - set(factories()) == set()


@pytest.mark.parametrize("name", MACHINES)
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_walks_keep_every_invariant(request, name, data):
    machine = workflow.machine_for(name)
    # Hypothesis runs the body once per example with the same fixtures: build the walk once.
    if not hasattr(request.node, "walk"):
        request.node.walk = factories()[name](request)
    walk = request.node.walk
    row = walk.start()
    assert machine.check(row) == []
    actions, people = sorted(walk.steps), sorted(walk.people)
    for _ in range(data.draw(st.integers(0, 14), label="length")):
        action = data.draw(st.sampled_from(actions), label="action")
        person = data.draw(st.sampled_from(people), label="person")
        with contextlib.suppress(CivicgridError):
            walk.steps[action](walk.people[person], machine.model.objects.get(pk=row.pk))
        assert machine.check(row) == []
    assert walk.recount() == []


def test_the_workflow_page_shows_every_machine(tmp_path):
    """docs/workflows.md is what `manage.py workflow_diagrams` writes from the registry."""
    call_command("workflow_diagrams", "--out", str(tmp_path / "workflows.md"))
    written = (tmp_path / "workflows.md").read_text()
    kept = (Path(__file__).resolve().parents[2] / "docs" / "workflows.md").read_text()
    assert written == kept, "run `python manage.py workflow_diagrams` and commit docs/workflows.md"
