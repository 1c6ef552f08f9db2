import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from civicgrid.core.errors import InvalidInput
from civicgrid.people import ledgers
from civicgrid.people.models import Building, House, Household, ImportJob, Person
from civicgrid.people.tests.conftest import id_number, with_check_digit

pytestmark = pytest.mark.django_db


def xlsx(kind: str, rows: list[dict]) -> SimpleUploadedFile:
    """A filled template: the template's headers, then `rows` by header."""
    template = load_workbook(io.BytesIO(ledgers.template(kind)))
    headers = [cell.value for cell in template.active[1]]
    workbook = Workbook()
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append([row.get(header, "") for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


def houses(n: int, grid: str) -> list[dict]:
    return [
        {
            "网格编码": grid,
            "小区": "保利百合",
            "楼栋": "5号楼",
            "单元": 1 + i % 2,
            "房号": f"{i:03d}",
            "用途": "自住",
            "户号": f"H{i}",
            "楼栋单元数": 2,
        }
        for i in range(1, n + 1)
    ]


def person(i: int, room: str, **extra) -> dict:
    return {
        "网格编码": "410102001001001",
        "小区": "保利百合",
        "楼栋": "5号楼",
        "单元": 1 + int(room) % 2,
        "房号": room,
        "户号": f"H{int(room)}",
        "姓名": f"居民{i}",
        "公民身份号码": id_number(dt.date(1950, 1, 1) + dt.timedelta(days=i), 1 + i % 998),
        "联系电话": f"139{i:08d}",
        "标签": "独居老人",
        **extra,
    }


def test_the_template_has_chinese_headers_with_required_ones_bold():
    sheet = load_workbook(io.BytesIO(ledgers.template("persons"))).active
    headers = {cell.value: cell.font.bold for cell in sheet[1]}
    assert headers["姓名"] is True and headers["公民身份号码"] is False


def test_a_good_file_loads(tree, people):
    alice = people["alice"]
    job = ledgers.start_import(
        actor=alice, unit=tree.grid_a1_1, kind="houses", upload=xlsx("houses", houses(4, ""))
    )
    assert job.state == ImportJob.State.DONE, job.errors
    assert Building.objects.get(estate="保利百合", name="5号楼").entrances == 2
    assert House.objects.count() == 4 and Household.objects.count() == 4
    rows = [person(i, f"{1 + i % 4:03d}", 与户主关系="户主" if i < 4 else "子") for i in range(8)]
    job = ledgers.start_import(
        actor=alice, unit=tree.grid_a1_1, kind="persons", upload=xlsx("persons", rows)
    )
    assert job.state == ImportJob.State.DONE, job.errors
    assert job.created == 8 and Person.objects.count() == 8
    first = Person.objects.get(name="居民0")
    assert first.phone_masked == "139****0000" and first.tags.get().name == "独居老人"
    assert not ImportJob.objects.exclude(file="").exists()  # no uploaded file kept


def test_one_bad_row_loads_nothing_and_every_bad_row_is_reported(tree, people):
    alice = people["alice"]
    ledgers.start_import(
        actor=alice, unit=tree.grid_a1_1, kind="houses", upload=xlsx("houses", houses(4, ""))
    )
    rows = [person(i, "001") for i in range(6)]
    rows[1]["公民身份号码"] = rows[1]["公民身份号码"][:-1] + (
        "0" if rows[1]["公民身份号码"][-1] != "0" else "1"
    )
    rows[2]["公民身份号码"] = with_check_digit("41010219500230001")
    rows[3]["楼栋"] = "9号楼"
    rows[4]["标签"] = "飞行员"
    rows[5]["公民身份号码"] = rows[0]["公民身份号码"]
    rows[5]["房号"], rows[5]["单元"], rows[5]["户号"] = "002", 1, "H2"
    job = ledgers.start_import(
        actor=alice, unit=tree.grid_a1_1, kind="persons", upload=xlsx("persons", rows)
    )
    assert job.state == ImportJob.State.FAILED and job.created == 0
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {
        (3, "公民身份号码"),
        (4, "公民身份号码"),
        (5, "楼栋"),
        (6, "标签"),
        (7, "公民身份号码"),
    }
    messages = " ".join(e["message"] for e in job.errors)
    assert "check digit" in messages and "two households" in messages and "飞行员" in messages
    assert Person.objects.count() == 0


def test_houses_outside_their_building_are_refused(tree, people):
    rows = houses(2, "")
    rows[1]["单元"] = 3
    job = ledgers.start_import(
        actor=people["alice"], unit=tree.grid_a1_1, kind="houses", upload=xlsx("houses", rows)
    )
    assert job.state == ImportJob.State.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "单元")]
    assert not Building.objects.exists()


def test_rows_outside_the_users_scope_are_refused(tree, people):
    rows = houses(1, tree.grid_b1_1.code)
    job = ledgers.start_import(
        actor=people["alice"], unit=tree.grid_a1_1, kind="houses", upload=xlsx("houses", rows)
    )
    assert job.state == ImportJob.State.FAILED and job.errors[0]["column"] == "网格编码"


@pytest.mark.parametrize(
    "content",
    [b"not a spreadsheet", b"PK\x03\x04 broken zip", b""],
)
def test_a_malformed_or_non_excel_file_gets_a_clear_error(tree, people, content):
    upload = SimpleUploadedFile("ledger.xlsx", content)
    with pytest.raises(InvalidInput) as error:
        ledgers.start_import(
            actor=people["alice"], unit=tree.grid_a1_1, kind="persons", upload=upload
        )
    assert ".xlsx" in error.value.message
    assert not ImportJob.objects.exists()


def test_a_sheet_without_the_headers(tree, people):
    workbook = Workbook()
    workbook.active.append(["名字", "电话"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(InvalidInput) as error:
        ledgers.start_import(
            actor=people["alice"],
            unit=tree.grid_a1_1,
            kind="persons",
            upload=SimpleUploadedFile("x.xlsx", buffer.getvalue()),
        )
    assert "姓名" in error.value.message


def test_large_files_run_in_the_background_with_progress(
    tree, people, django_capture_on_commit_callbacks
):
    # The task is queued when the upload commits; tests run huey tasks at once.
    rows = houses(ledgers.BACKGROUND_ROWS + 5, "")
    with django_capture_on_commit_callbacks(execute=True):
        job = ledgers.start_import(
            actor=people["alice"], unit=tree.grid_a1_1, kind="houses", upload=xlsx("houses", rows)
        )
        assert job.state == ImportJob.State.QUEUED and job.file
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.errors
    assert job.rows_done == job.rows_total == len(rows)
    assert not job.file


def test_organisations(tree, people):
    rows = [
        {"名称": "郑州某物业", "类型": "物业公司", "联系人": "王经理", "联系电话": "0371-66668888"},
        {"名称": "某超市", "类型": "飞船"},
    ]
    job = ledgers.start_import(
        actor=people["alice"],
        unit=tree.grid_a1_1,
        kind="organisations",
        upload=xlsx("organisations", rows),
    )
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "类型")]
    job = ledgers.start_import(
        actor=people["alice"],
        unit=tree.grid_a1_1,
        kind="organisations",
        upload=xlsx("organisations", rows[:1]),
    )
    assert job.state == ImportJob.State.DONE


def test_export_is_masked(estate):
    data = ledgers.export(["姓名", "联系电话"], [["张秀英", estate.mother.phone_masked]], "x")
    values = [c.value for c in load_workbook(io.BytesIO(data)).active[2]]
    assert values == ["张秀英", "138****5678"]
