"""Photos and uploaded ledgers in an S3-compatible object store (issue 15), against a real S3
server on this machine (moto in server mode, on a free port of 127.0.0.1): a photo uploaded
through the report service is stored in the bucket and served by the permission-checking view;
a ledger waits for its job as a private object and is gone when the job ends."""

import json
import os
import socket
import subprocess
import sys

import pytest
from django.test import override_settings

from civicgrid.events.tests.conftest import A1_1, jpeg
from civicgrid.people.tests.test_ledgers import houses, xlsx

pytestmark = pytest.mark.django_db
BUCKET = "civicgrid-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    pytest.importorskip("moto.server")
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _storages_from_environment(endpoint: str) -> dict:
    """STORAGES as settings.py builds them from CIVICGRID_S3_* (read in a fresh interpreter)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("CIVICGRID_S3_") and name != "DATABASE_URL"
    } | {
        "DJANGO_SETTINGS_MODULE": "civicgrid.settings",
        "CIVICGRID_S3_BUCKET": BUCKET,
        "CIVICGRID_S3_ENDPOINT_URL": endpoint,
        "CIVICGRID_S3_REGION": "us-east-1",
        "CIVICGRID_S3_ACCESS_KEY_ID": "testing",
        "CIVICGRID_S3_SECRET_ACCESS_KEY": "testing",
        "CIVICGRID_S3_ADDRESSING_STYLE": "path",
    }
    code = "import json, civicgrid.settings as s; print(json.dumps(s.STORAGES))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def s3(s3_server, settings):
    """STORAGES pointed at a fresh bucket, as settings.py builds them from CIVICGRID_S3_*; yields
    a boto3 client to look into the bucket."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    storages = _storages_from_environment(s3_server)
    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storages["private"]["BACKEND"] == "civicgrid.core.s3.PrivateS3Storage"
    assert storages["private"]["OPTIONS"]["location"] == "private/imports"
    storages["staticfiles"] = settings.STORAGES["staticfiles"]  # the tests' own
    with override_settings(STORAGES=storages):
        yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client, prefix: str) -> list[str]:
    listing = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_a_reported_photo_is_stored_in_the_bucket_and_served_by_the_view(s3, people, client):
    from civicgrid.events import services
    from civicgrid.events.models import Category

    event = services.report_event(
        actor=people["alice"],
        title="消防通道被堵",
        category=Category.objects.get(code="2101"),
        lon=A1_1[0],
        lat=A1_1[1],
        photos=[jpeg("door.jpg", size=(320, 240))],
    )
    photo = event.photos.get()
    stored = _keys(s3, "media/events/")
    assert stored == [f"media/{photo.image.name}"]
    in_bucket = s3.get_object(Bucket=BUCKET, Key=stored[0])["Body"].read()
    assert in_bucket[:2] == b"\xff\xd8"  # the cleaned JPEG
    grants = s3.get_object_acl(Bucket=BUCKET, Key=stored[0])["Grants"]
    assert not [g for g in grants if "AllUsers" in str(g.get("Grantee", {}).get("URI", ""))]

    client.force_login(people["alice"])
    served = client.get(f"/events/photo/{photo.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == in_bucket

    client.force_login(people["bob"])  # another grid's worker: the view still checks
    assert client.get(f"/events/photo/{photo.pk}/").status_code == 404


def test_a_ledger_waits_as_a_private_object_and_is_deleted_when_its_job_ends(
    s3, tree, people, django_capture_on_commit_callbacks
):
    from civicgrid.people import ledgers
    from civicgrid.people.models import House, ImportJob

    rows = houses(ledgers.BACKGROUND_ROWS + 5, "")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = ledgers.start_import(
            actor=people["alice"], unit=tree.grid_a1_1, kind="houses", upload=xlsx("houses", rows)
        )
    # Stored before its job runs, so a consumer on another host can read it.
    assert job.state == ImportJob.State.QUEUED
    assert _keys(s3, "private/imports/") == [f"private/imports/{job.file.name}"]
    assert not _keys(s3, "media/")
    with pytest.raises(ValueError, match="no URL"):
        job.file.url  # noqa: B018 - never a link, not even a signed one
    for callback in queued:
        callback()  # the consumer's run (tests run huey tasks at once)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.errors
    assert House.objects.count() == len(rows)
    assert not job.file and not _keys(s3, "private/")


def test_a_rejected_ledger_is_deleted_from_the_bucket_too(
    s3, tree, people, django_capture_on_commit_callbacks
):
    from civicgrid.people import ledgers
    from civicgrid.people.models import ImportJob

    rows = houses(ledgers.BACKGROUND_ROWS + 5, "999999")  # a grid that does not exist
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = ledgers.start_import(
            actor=people["alice"], unit=tree.grid_a1_1, kind="houses", upload=xlsx("houses", rows)
        )
    assert _keys(s3, "private/imports/")
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and job.errors
    assert not job.file and not _keys(s3, "private/")
