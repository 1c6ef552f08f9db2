"""The dispatch board's export (core.exports, issue 19): the board's filters applied, scoping,
the background path with its progress page, formula-like texts kept as text."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.core.models import ExportJob
from civicgrid.events.models import Source
from civicgrid.events.tests.conftest import A1_1

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def export(client, user, code, fmt="csv", **query):
    client.force_login(user)
    url = reverse("cockpit:export", args=["events.board"])
    params = {"unit": code} | query
    return client.post(url + "?" + "&".join(f"{k}={v}" for k, v in params.items()), {"format": fmt})


def test_board_exports_csv_with_its_filters(client, staff, tree, report):
    report(title="热线来的", source=Source.HOTLINE)
    report(title="网格员报的")
    response = export(client, staff["carol"], tree.street_a.code)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    titles = [row[1] for row in rows_of(response)[1:]]
    assert sorted(titles) == ["热线来的", "网格员报的"]
    response = export(client, staff["carol"], tree.street_a.code, source=Source.HOTLINE)
    assert [row[1] for row in rows_of(response)[1:]] == ["热线来的"]


def test_board_page_shows_the_export_buttons_with_its_filters(client, staff, tree):
    client.force_login(staff["carol"])
    page = client.get(reverse("events:board", args=[tree.street_a.code]) + "?source=hotline")
    html = page.content.decode()
    assert 'data-export="events.board"' in html
    assert "source=hotline" in html and f"unit={tree.street_a.code}" in html


def test_another_streets_unit_is_404(client, staff, tree, report):
    report()
    response = export(client, staff["grace"], tree.street_a.code)
    assert response.status_code == 404


def test_rows_outside_the_users_scope_are_not_exported(client, staff, tree, report):
    report(title="甲一的")
    response = export(client, staff["grace"], tree.community_b1.code)
    assert rows_of(response)[1:] == []


def test_formula_like_titles_stay_text(client, staff, tree, report):
    report(title="=HYPERLINK(1)")
    report(title="@SUM(A1)")
    rows = rows_of(export(client, staff["carol"], tree.street_a.code))
    assert sorted(row[1] for row in rows[1:]) == ["'=HYPERLINK(1)", "'@SUM(A1)"]
    response = export(client, staff["carol"], tree.street_a.code, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in cells) == ["=HYPERLINK(1)", "@SUM(A1)"]
    assert all(c.data_type == "s" for c in cells)


def test_a_large_list_runs_in_the_background(
    client, staff, tree, report, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_ROWS = 1
    report(title="一")
    report(title="二")
    with django_capture_on_commit_callbacks(execute=True):
        response = export(client, staff["carol"], tree.street_a.code, fmt="xlsx")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cockpit:export_job", args=[job.pk])
    assert job.state == ExportJob.State.DONE and job.rows_total == 2  # tasks run at once in tests
    page = client.get(response["Location"])
    assert "export-download" in page.content.decode()
    download = client.get(reverse("cockpit:export_download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sorted(r[1].value for r in sheet.iter_rows(min_row=2)) == ["一", "二"]
    # another user's job is not found
    client.force_login(staff["frank"])
    assert client.get(reverse("cockpit:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("cockpit:export_download", args=[job.pk])).status_code == 404


def test_bad_format_is_a_message_not_a_500(client, staff, tree):
    response = export(client, staff["carol"], tree.street_a.code, fmt="pdf")
    assert response.status_code == 302
    response = client.post(reverse("cockpit:export", args=["nope"]), {"format": "csv"})
    assert response.status_code == 302


def test_export_query_count_does_not_grow_with_rows(
    client, staff, tree, report, django_assert_max_num_queries
):
    for i in range(5):
        report(title=f"第{i}件", lon=A1_1[0] + 0.001 * i)
    client.force_login(staff["carol"])
    url = reverse("cockpit:export", args=["events.board"]) + f"?unit={tree.street_a.code}"
    with django_assert_max_num_queries(12) as captured:
        response = client.post(url, {"format": "csv"})
    assert len(rows_of(response)) == 6, [q["sql"][:120] for q in captured.captured_queries]


def test_four_rates_table_of_the_units_below(client, staff, tree, report):
    report()
    client.force_login(staff["dave"])
    url = reverse("cockpit:export", args=["events.units_below"])
    response = client.post(url + f"?unit={tree.district.code}", {"format": "csv"})
    rows = rows_of(response)
    assert [(r[1], r[2]) for r in rows[1:]] == [
        (tree.street_a.code, "1"),
        (tree.street_b.code, "0"),
    ]
    assert rows[0][3].endswith("%")
    response = client.post(url + f"?unit={tree.district.code}&start=2026-13-01", {"format": "csv"})
    assert response.status_code == 302  # a bad date: a message, not a 500
    page = client.get(reverse("events:dashboard", args=[tree.district.code]))
    assert 'data-export="events.units_below"' in page.content.decode()
