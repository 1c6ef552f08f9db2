"""An upload while the task queue is down (issue 15): a clear message, no 500, and no
"queued" job that will never run; its private file is deleted."""

import os

import pytest
from django.utils import translation
from huey import RedisHuey
from huey.contrib.djhuey import HUEY

from civicgrid.people import ledgers
from civicgrid.people.models import ImportJob
from civicgrid.people.tests.test_ledgers import houses, xlsx

pytestmark = pytest.mark.django_db

QUEUE_DOWN = (
    "The background queue could not be reached, so the file was not imported. "
    "Upload it again in a few minutes, or tell the administrator."
)


@pytest.fixture
def queue_down(monkeypatch):
    """A huey whose Redis is on a closed port, as a consumer machine that is down."""
    monkeypatch.setattr(HUEY, "_immediate", False)
    monkeypatch.setattr(HUEY, "storage", RedisHuey("cg-test", url="redis://127.0.0.1:1/5").storage)


def test_an_upload_while_the_queue_is_down_fails_with_a_message(
    tree, people, client, queue_down, django_capture_on_commit_callbacks, settings
):
    client.force_login(people["alice"])
    upload = xlsx("houses", houses(ledgers.BACKGROUND_ROWS + 5, ""))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/people/units/{tree.grid_a1_1.code}/import/", {"kind": "houses", "file": upload}
        )
    assert response.status_code == 302  # to the job's page, not a 500
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.FAILED and job.finished_at
    with translation.override(settings.LANGUAGE_CODE):
        expected = translation.gettext(QUEUE_DOWN)
    assert job.errors[0]["message"] == expected
    assert not job.file and not os.listdir(ledgers.ImportJob.file.field.storage.location)
    assert expected in client.get(response["Location"]).content.decode()


def test_with_the_queue_up_the_job_waits_queued(tree, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = ledgers.start_import(
            actor=people["alice"],
            unit=tree.grid_a1_1,
            kind="houses",
            upload=xlsx("houses", houses(ledgers.BACKGROUND_ROWS + 5, "")),
        )
    assert job.state == ImportJob.State.QUEUED and job.file  # queued only after the commit
    assert len(callbacks) == 1


def test_a_job_whose_task_was_lost_is_queued_again(
    tree, people, settings, django_capture_on_commit_callbacks
):
    """Redis restarted empty: the job stays queued with its file; the sweep queues it again
    and the run imports it (a task that was only late would then find nothing to do)."""
    import datetime as dt

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=False):  # the task is lost
        job = ledgers.start_import(
            actor=people["alice"],
            unit=tree.grid_a1_1,
            kind="houses",
            upload=xlsx("houses", houses(ledgers.BACKGROUND_ROWS + 5, "")),
        )
    assert ledgers.sweep() == {"retried": 0, "failed": 0}  # not waiting long yet
    late = timezone.now() + dt.timedelta(minutes=settings.IMPORT_STALL_MINUTES + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert ledgers.sweep(now=late) == {"retried": 1, "failed": 0}
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and not job.file
    from civicgrid.people.tasks import import_ledger

    import_ledger.call_local(job.pk)  # the late original task: nothing left to do
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.attempts == 1
