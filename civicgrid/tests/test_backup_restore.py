"""The backup rehearsal of docs/backup.md, on PostgreSQL: a database dumped with `pg_dump -Fc`
and restored with `pg_restore` into a new database, with the same keys and a copy of the
photos, reads every phone number and serves every photo; with other keys the key fingerprint
refuses it. The extra database is dropped at the end."""

import io
import logging
import os
import shutil
import subprocess
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from civicgrid.core import keyring, privacy
from civicgrid.events.tests.conftest import A1_1, jpeg
from civicgrid.people.tests.conftest import estate  # noqa: F401  fixture


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL (DATABASE_URL)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed")
    conf = connection.settings_dict
    args = ["-h", conf["HOST"] or "127.0.0.1", "-p", str(conf["PORT"] or 5432)]
    args += ["-U", conf["USER"]] if conf["USER"] else []
    env = os.environ | ({"PGPASSWORD": conf["PASSWORD"]} if conf["PASSWORD"] else {})
    return args, env


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def _sealed(model, field: str) -> dict[int, str]:
    return {pk: token for pk, token in model.objects.values_list("pk", field) if token}


def _connect_to(name: str) -> None:
    """Point the default connection at database `name`, the connection pool too (a pooled
    connection would go back to the pool of the database it came from)."""
    connection.close()
    if getattr(connection, "pool", None) is not None:
        connection.close_pool()
    connection.settings_dict["NAME"] = name


# Committed for pg_dump to see; the migrations' data (categories) put back afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("estate")  # two persons with phones, one without
def test_a_dump_restored_with_the_keys_reads_every_phone_and_serves_every_photo(
    postgres, people, settings, tmp_path, client
):
    from civicgrid.events import services
    from civicgrid.events.models import Category, Event, EventPhoto
    from civicgrid.people.models import Person

    category = Category.objects.get(code="2101")
    for n in range(3):  # residents' reports (a phone each) and staff reports, with photos
        services.report_event(
            actor=None,
            title=f"消防通道被堵 {n}",
            category=category,
            lon=A1_1[0],
            lat=A1_1[1],
            reporter_phone=f"1380000{n:04d}",
            photos=[jpeg(f"r{n}.jpg", size=(80 + n, 60))],
        )
        services.report_event(
            actor=people["alice"],
            title=f"井盖缺失 {n}",
            category=category,
            lon=A1_1[0],
            lat=A1_1[1],
            photos=[jpeg(f"s{n}.jpg", size=(90 + n, 60))],
        )
    keyring.check()  # the app's first start recorded the keys' fingerprint
    phones = {pk: privacy.reveal(t) for pk, t in _sealed(Person, "phone").items()}
    reporters = {pk: privacy.reveal(t) for pk, t in _sealed(Event, "reporter_phone").items()}
    photos = {p.pk: p.image.read() for p in EventPhoto.objects.all()}
    assert len(phones) == 2 and len(reporters) == 3 and len(photos) == 6

    # The rehearsal: dump, a new database, restore; the media folder copied beside it.
    args, env = postgres
    dump, restored = tmp_path / "civicgrid.dump", f"restored_{uuid.uuid4().hex[:12]}"
    _run(["pg_dump", *args, "-Fc", "-f", str(dump), connection.settings_dict["NAME"]], env)
    _run(["createdb", *args, restored], env)
    original = connection.settings_dict["NAME"]
    media = settings.MEDIA_ROOT
    try:
        _run(["pg_restore", *args, "--no-owner", "-d", restored, str(dump)], env)
        settings.MEDIA_ROOT = tmp_path / "restored-media"
        shutil.copytree(media, settings.MEDIA_ROOT)
        shutil.rmtree(media)  # only the copy can serve them now
        _connect_to(restored)

        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            assert cursor.fetchone()[0] == restored
        assert keyring.problem() is None
        keyring.check()
        assert {pk: privacy.reveal(t) for pk, t in _sealed(Person, "phone").items()} == phones
        assert {
            pk: privacy.reveal(t) for pk, t in _sealed(Event, "reporter_phone").items()
        } == reporters
        for pk, phone in phones.items():
            assert Person.objects.get(phone_hash=privacy.phone_hash(phone)).pk == pk
        out = io.StringIO()
        call_command("check_restore", stdout=out)
        assert "events.EventPhoto.image: 6 files, 0 missing" in out.getvalue()
        assert "people.Person.phone: 2 sealed, 0 unreadable" in out.getvalue()
        client.force_login(people["carol"])
        for pk, data in photos.items():
            served = client.get(f"/events/photo/{pk}/")
            assert served.status_code == 200
            assert b"".join(served.streaming_content) == data

        # The same dump on a host with other keys: refused before it serves anything.
        settings.DATA_KEYS = ["a key this database never saw"]
        settings.INDEX_KEY = settings.DATA_KEYS[0]
        privacy._cipher.cache_clear()
        assert "CIVICGRID_DATA_KEYS cannot read" in (keyring.problem() or "")
        with pytest.raises(keyring.KeysMismatch):
            keyring.check_at_start("web app")
        with pytest.raises(CommandError, match=r"people\.Person\.phone: 2 values unreadable"):
            call_command("check_restore", "--no-files", stdout=io.StringIO())
    finally:
        privacy._cipher.cache_clear()
        _connect_to(original)
        _run(["dropdb", *args, "--if-exists", "--force", restored], env)


@pytest.mark.django_db
def test_a_photo_missing_from_storage_is_logged_and_named_by_check_restore(
    people, settings, client, caplog
):
    """On SQLite too: a restore without its photos (or a host with its own disk) is no 500."""
    from civicgrid.events import services
    from civicgrid.events.models import Category

    event = services.report_event(
        actor=people["alice"],
        title="井盖缺失",
        category=Category.objects.get(code="2101"),
        lon=A1_1[0],
        lat=A1_1[1],
        photos=[jpeg("a.jpg"), jpeg("b.jpg")],
    )
    call_command("check_restore", stdout=io.StringIO())
    lost = event.photos.first()
    lost.image.storage.delete(lost.image.name)
    client.force_login(people["alice"])
    with caplog.at_level(logging.ERROR, logger="civicgrid.core.photos"):
        assert client.get(f"/events/photo/{lost.pk}/").status_code == 404
    assert "is missing from storage" in caplog.text
    assert client.get(f"/events/photo/{event.photos.last().pk}/").status_code == 200
    with pytest.raises(CommandError, match=r"events\.EventPhoto\.image: 1 files missing"):
        call_command("check_restore", stdout=io.StringIO())
