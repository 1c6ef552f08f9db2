"""History import (interop.history): figures equal the file's own, all or nothing, idempotent,
rollups equal a recount, live reports between chunks, the pages."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from civicgrid.core.errors import InvalidInput
from civicgrid.events import rollups, selectors, services
from civicgrid.events.models import Category, Event, EventStep, Satisfaction, Source, Status
from civicgrid.events.workdays import add_working_days, add_working_hours
from civicgrid.events.workflow import EVENTS
from civicgrid.interop import history
from civicgrid.interop.models import CategoryMapping, HistoryImport, WorkOrder
from civicgrid.org.roles import Role
from civicgrid.people.ledgers import ImportRejected

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = list(history.COLUMNS)
# Inside grid A1-1, A1-2 and B1-1 of the test district (conftest.py), off the micro-grid.
A1_1 = ("34.73", "113.53")
A1_2 = ("34.73", "113.57")
B1_1 = ("34.72", "113.62")


def line(
    order: str,
    code: str,
    requested: str,
    *,
    status: str = "closed",
    closed: str = "",
    expected: str = "",
    accepted: str = "",
    place=A1_1,
    rating: str = "",
    agency: str = "",
    source: str = "",
    address: str = "",
) -> dict:
    lat, lon = place if place else ("", "")
    return {
        "service_request_id": order,
        "source": source,
        "service_code": code,
        "description": f"问题 {order}",
        "lat": lat,
        "long": lon,
        "address_id": address,
        "requested_datetime": requested,
        "expected_datetime": expected,
        "accepted_datetime": accepted,
        "closed_datetime": closed,
        "status": status,
        "agency_responsible": agency,
        "rating": rating,
    }


def as_csv(rows: list[dict], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


# 2201 邻里纠纷 (closure_days from the category), 0101 暴露垃圾: civicgrid codes, no mapping.
SAMPLE = [
    # on time by its own deadline
    line(
        "H1",
        "2201",
        "2025-03-03T09:00:00+08:00",
        closed="2025-03-04T10:00:00+08:00",
        expected="2025-03-05T18:00:00+08:00",
        accepted="2025-03-03T09:30:00+08:00",
        rating="5",
        agency="甲派出所",
    ),
    # late by its own deadline
    line(
        "H2",
        "2201",
        "2025-03-03T10:00:00",
        closed="2025-03-10T10:00:00",
        expected="2025-03-04T18:00:00",
        accepted="2025-03-03T16:00:00",
        rating="不满意",
    ),
    # no deadline of its own: the category's default decides
    line(
        "H3",
        "0101",
        "2025-03-04T08:00:00+08:00",
        closed="2025-03-05T08:00:00+08:00",
        accepted="2025-03-04T08:10:00+08:00",
        rating="基本满意",
        place=A1_2,
    ),
    line("H4", "0101", "2025-03-04T08:00:00+08:00", closed="2025-03-20T08:00:00+08:00", place=B1_1),
    # closed in UTC, no acceptance time
    line(
        "H5",
        "2201",
        "2025-03-05T01:00:00Z",
        closed="2025-03-06T01:00:00Z",
        expected="2025-03-06T02:00:00Z",
        agency="不存在的单位",
    ),
    # still open, long past its deadline
    line(
        "H6",
        "2201",
        "2025-03-06T09:00:00+08:00",
        status="open",
        accepted="2025-03-06T10:00:00+08:00",
    ),
    line("H7", "0101", "2025-03-07T09:00:00+08:00", status="open"),
    # late, and rated
    line(
        "H8",
        "0101",
        "2025-03-07T09:00:00+08:00",
        closed="2025-03-31T09:00:00+08:00",
        expected="2025-03-08T09:00:00+08:00",
        accepted="2025-03-07T20:00:00+08:00",
        rating="4",
        place=B1_1,
    ),
]


def moment(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


def expected_figures(rows: list[dict], start: dt.date, end: dt.date) -> dict[str, tuple]:
    """The four rates and on-time closure computed from the file alone, with the definitions
    of events.selectors.RATE_DEFINITIONS (each counted on the day of its own moment)."""

    def within(at: dt.datetime | None) -> bool:
        return at is not None and start <= at.astimezone(SHANGHAI).date() <= end

    counts = dict.fromkeys(
        [
            "dispatched",
            "responded",
            "due",
            "due_closed",
            "closed",
            "on_time",
            "follow",
            "solved",
            "pleased",
        ],
        0,
    )
    for row in rows:
        category = Category.objects.get(code=row["service_code"])
        requested = moment(row["requested_datetime"])
        closed = moment(row["closed_datetime"]) if row["closed_datetime"] else None
        accepted = moment(row["accepted_datetime"]) if row["accepted_datetime"] else None
        due = (
            moment(row["expected_datetime"])
            if row["expected_datetime"]
            else add_working_days(requested, category.closure_days)
        )
        if closed and accepted and within(accepted):
            counts["dispatched"] += 1
            if accepted <= add_working_hours(requested, category.response_hours):
                counts["responded"] += 1
        if within(due):
            counts["due"] += 1
            counts["due_closed"] += closed is not None
        if within(closed):
            counts["closed"] += 1
            counts["on_time"] += closed <= due
        if row["rating"] and within(closed):
            counts["follow"] += 1
            ok = row["rating"] in {"5", "4", "3", "满意", "基本满意"}
            counts["solved"] += ok
            counts["pleased"] += ok
    return {
        "response": (counts["responded"], counts["dispatched"]),
        "closure": (counts["due_closed"], counts["due"]),
        "solution": (counts["solved"], counts["follow"]),
        "satisfaction": (counts["pleased"], counts["follow"]),
        "on_time_closure": (counts["on_time"], counts["closed"]),
    }


@pytest.fixture
def plain_category(db):
    return Category.objects.get(code="2201")  # 邻里纠纷: no after-photo, no department


def run(rows, tree, **options):
    return history.import_file(as_csv(rows), district=tree.district, system="old", **options)


def snapshot() -> dict:
    return {
        "events": Event.objects.count(),
        "steps": EventStep.objects.count(),
        "orders": WorkOrder.objects.count(),
        "rollups": sorted(map(repr, rollups.stored(rollups.EventMonthRollup, ("month",)).items())),
    }


def test_it_gives_exactly_the_rates_computed_from_the_file(tree):
    outcome = run(SAMPLE, tree)
    assert (outcome.imported, outcome.skipped) == (len(SAMPLE), 0)
    start, end = dt.date(2025, 3, 1), dt.date(2025, 4, 30)
    figures = selectors.figures_for(tree.district, start, end)
    served = {rate.key: (rate.numerator, rate.denominator) for rate in figures.rates}
    assert served == expected_figures(SAMPLE, start, end)
    # The file's own on-time closure: H1, H3, H5 of six closed (H2, H4, H8 late).
    assert served["on_time_closure"] == (3, 6)
    assert rollups.check_all() == []


def test_imported_events_carry_the_real_times_and_a_valid_log(tree, django_assert_max_num_queries):
    run(SAMPLE, tree)
    first = Event.objects.get(work_order__order_number="H1")
    assert first.source == Source.HISTORY
    assert first.status == Status.RATED and first.satisfaction == Satisfaction.SATISFIED
    assert first.reported_at == moment("2025-03-03T09:00:00+08:00")
    assert first.closed_at == moment("2025-03-04T10:00:00+08:00")
    assert first.closure_due == moment("2025-03-05T18:00:00+08:00")
    assert first.number.startswith("E20250303-") and str(first.pk).startswith("20250303")
    assert first.handler_unit == tree.police_a  # agency matched by name
    assert first.unit == tree.grid_a1_1
    unknown_agency = Event.objects.get(work_order__order_number="H5")
    assert unknown_agency.handler_unit is None
    assert any("不存在的单位" in step.note for step in unknown_agency.steps.all())
    for event in Event.objects.all():
        assert EVENTS.check(event) == [], event.number
    steps = list(first.steps.order_by("id").values_list("action", "at"))
    assert steps[0] == ("report", first.reported_at)
    assert ("close", first.closed_at) in steps
    # Open and long past its deadlines: overdue, but marked raised so no escalation floods.
    late = Event.objects.get(work_order__order_number="H6")
    assert late.status == Status.ACCEPTED and late.overdue
    assert late.escalated_for is not None and late.escalated_for >= late.closure_due
    from civicgrid.events.deadlines import escalate_overdue

    assert escalate_overdue() == 0


def test_reimporting_changes_nothing(tree):
    run(SAMPLE, tree)
    before = snapshot()
    again = run(SAMPLE, tree)
    assert (again.imported, again.skipped, again.changed) == (0, len(SAMPLE), [])
    assert snapshot() == before
    assert rollups.check_all() == []


def test_a_changed_row_is_left_as_imported_and_reported(tree):
    run(SAMPLE, tree)
    before = snapshot()
    changed = [dict(row) for row in SAMPLE]
    changed[1]["closed_datetime"] = "2025-03-04T12:00:00"
    outcome = run(changed, tree)
    assert (outcome.imported, outcome.skipped, outcome.changed) == (0, len(SAMPLE), ["H2"])
    assert snapshot() == before


def test_a_bad_row_rejects_the_file_with_its_row_number_and_writes_nothing(tree):
    rows = [*SAMPLE[:2], line("BAD", "2201", "2025-03-03T09:00:00"), *SAMPLE[2:]]
    rows.append(line("BAD2", "2201", "2025-03-09T09:00:00", closed="2025-03-08T09:00:00"))
    rows.append(line("BAD3", "2201", "yesterday", status="open"))
    rows.append(line("FAR", "2201", "2025-03-09T09:00:00", status="open", place=("30.0", "120.0")))
    rows.append(line("OLD", "2201", "1900-03-09T09:00:00", status="open"))
    with pytest.raises(ImportRejected) as rejected:
        run(rows, tree)
    found = {(e["row"], e["column"]) for e in rejected.value.errors}
    assert (4, "closed_datetime") in found  # closed without a closed time: 1 header + 3rd row
    assert (len(rows) - 2, "closed_datetime") in found  # closed before it was requested
    assert (len(rows) - 1, "requested_datetime") in found
    assert (len(rows), "lat") in found  # outside the district
    assert (len(rows) + 1, "requested_datetime") in found  # before 2000: a typo, no partitions
    assert Event.objects.count() == WorkOrder.objects.count() == 0
    assert not HistoryImport.objects.exists()


def test_an_unreadable_csv_is_a_clear_error():
    huge = b"service_request_id,description\r\n1," + b"x" * 200_000 + b"\r\n"
    with pytest.raises(InvalidInput) as refused:
        history.read_file(huge, "history.csv")
    assert refused.value.field == "file"


def test_unknown_service_codes_are_listed_not_guessed(tree):
    rows = [
        *SAMPLE,
        line("U1", "LJ-01", "2025-03-03T09:00:00", status="open"),
        line("U2", "XX-9", "2025-03-03T09:00:00", status="open"),
        line("U3", "LJ-01", "2025-03-03T09:00:00", status="open"),
    ]
    with pytest.raises(ImportRejected) as rejected:
        run(rows, tree)
    messages = [e["message"] for e in rejected.value.errors if e["column"] == "service_code"]
    assert len(messages) == 2
    assert any("LJ-01" in m and "2 " in m for m in messages)
    assert any("XX-9" in m for m in messages)
    assert Event.objects.count() == 0


def test_the_mapping_maps_their_codes(tree):
    category = Category.objects.get(code="2201")
    CategoryMapping.objects.create(system="old", code="LJ-01", name="纠纷", category=category)
    # Another system's same code is not mapped by it.
    rows = [line("M1", "LJ-01", "2025-03-03T09:00:00", status="open")]
    run(rows, tree)
    assert Event.objects.get(work_order__order_number="M1").category == category
    with pytest.raises(ImportRejected):
        run([line("M2", "LJ-01", "2025-03-03T09:00:00", status="open", source="12345")], tree)


def test_a_unit_code_places_the_event_at_its_centre(tree):
    run(
        [
            line(
                "C1",
                "2201",
                "2025-03-03T09:00:00",
                status="open",
                place=None,
                address=tree.grid_b1_1.code,
            )
        ],
        tree,
    )
    event = Event.objects.get(work_order__order_number="C1")
    assert event.unit == tree.grid_b1_1
    assert (event.lon, event.lat) == (tree.grid_b1_1.centre_lon, tree.grid_b1_1.centre_lat)


def test_a_report_between_chunks_succeeds(tree, people, plain_category):
    reported = []

    def between(done: int) -> None:
        if not reported:
            event = services.report_event(
                actor=people["alice"],
                title="井盖缺失",
                category=plain_category,
                lon=113.53,
                lat=34.73,
            )
            reported.append(event)

    outcome = run(SAMPLE, tree, chunk=3, progress=between)
    assert outcome.imported == len(SAMPLE) and len(reported) == 1
    assert Event.objects.filter(source=Source.HISTORY).count() == len(SAMPLE)
    assert rollups.check_all() == []


def test_a_chunk_that_fails_takes_back_the_chunks_written(
    tree, people, plain_category, monkeypatch
):
    real = history.write_chunk
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        real(*args, **kwargs)

    def between(done: int) -> None:
        services.report_event(
            actor=people["alice"], title="路灯不亮", category=plain_category, lon=113.53, lat=34.73
        )

    monkeypatch.setattr(history, "write_chunk", failing)
    with pytest.raises(RuntimeError):
        run(SAMPLE, tree, chunk=3, progress=between)
    assert not Event.objects.filter(source=Source.HISTORY).exists()
    assert not WorkOrder.objects.exists()
    assert Event.objects.count() == 2  # the live reports stay
    assert rollups.check_all() == []
    assert HistoryImport.objects.get().state == HistoryImport.State.FAILED


def test_the_command_imports_and_dry_runs(tree, tmp_path, capsys):
    path = tmp_path / "history.csv"
    path.write_bytes(as_csv(SAMPLE))
    call_command(
        "import_history",
        str(path),
        "--system",
        "old",
        "--dry-run",
        "--district",
        tree.district.code,
    )
    assert Event.objects.count() == 0
    call_command("import_history", str(path), "--system", "old", "--district", tree.district.code)
    out = capsys.readouterr().out
    assert f"imported {len(SAMPLE)}" in out and "rows/s" in out
    assert Event.objects.count() == len(SAMPLE)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(as_csv([line("X", "2201", "2025-03-03T09:00:00")]))
    with pytest.raises(CommandError):
        call_command(
            "import_history", str(bad), "--system", "old", "--district", tree.district.code
        )


def test_an_xlsx_file_imports_like_a_csv(tree):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["extra", *HEADER])
    for row in SAMPLE[:3]:
        sheet.append(["ignored", *(row[name] for name in HEADER)])
    # A time typed into Excel arrives as a date-time cell, without a zone.
    sheet.append(
        [
            "",
            "X1",
            "",
            "2201",
            "",
            "34.73",
            "113.53",
            "",
            dt.datetime(2025, 3, 3, 9),
            "",
            "",
            "",
            "open",
            "",
            "",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = history.import_file(
        buffer.getvalue(), district=tree.district, system="old", filename="h.xlsx"
    )
    assert outcome.imported == 4
    assert Event.objects.get(work_order__order_number="X1").reported_at == moment(
        "2025-03-03T09:00:00+08:00"
    )


# ---- pages ---------------------------------------------------------------------------------


@pytest.fixture
def district_staff(tree, make_user):
    return make_user("zoe", unit=tree.district, role=Role.DISTRICT_STAFF)


def upload(rows, name="history.csv"):
    return SimpleUploadedFile(name, as_csv(rows), content_type="text/csv")


def test_district_staff_import_on_the_page(client, tree, district_staff):
    client.force_login(district_staff)
    url = reverse("interop:history", args=[tree.district.code])
    assert client.get(url).status_code == 200
    response = client.post(url, {"system": "old", "file": upload(SAMPLE)})
    job = HistoryImport.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "interop:history_job", args=[job.pk]
    )
    assert job.state == HistoryImport.State.DONE and job.imported == len(SAMPLE)
    page = client.get(response.url)
    assert page.status_code == 200
    assert not job.file


def test_the_page_shows_every_bad_row(client, tree, district_staff):
    client.force_login(district_staff)
    url = reverse("interop:history", args=[tree.district.code])
    rows = [*SAMPLE, line("BAD", "2201", "2025-03-03T09:00:00")]
    response = client.post(url, {"system": "old", "file": upload(rows)})
    job = HistoryImport.objects.get()
    assert job.state == HistoryImport.State.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(len(rows) + 1, "closed_datetime")]
    page = client.get(response.url).content.decode()
    assert "row-errors" in page and "closed_datetime" in page
    assert Event.objects.count() == 0


def test_a_large_file_runs_in_the_background(
    client, tree, district_staff, settings, django_capture_on_commit_callbacks
):
    settings.HISTORY_IMPORT_BACKGROUND_ROWS = 3
    client.force_login(district_staff)
    url = reverse("interop:history", args=[tree.district.code])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url, {"system": "old", "file": upload(SAMPLE)})
    job = HistoryImport.objects.get()
    assert job.state == HistoryImport.State.QUEUED and job.file
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.state == HistoryImport.State.DONE and job.imported == len(SAMPLE)
    assert not job.file
    assert rollups.check_all() == []


def test_the_pages_are_refused_to_others(client, tree, people, district_staff):
    history_url = reverse("interop:history", args=[tree.district.code])
    mappings_url = reverse("interop:mappings")
    client.force_login(district_staff)
    client.post(history_url, {"system": "old", "file": upload(SAMPLE[:1])})
    job_url = reverse("interop:history_job", args=[HistoryImport.objects.get().pk])
    expected = {
        # the read-only leader sees the district's unit, and may not import
        "dave": {history_url: 403, job_url: 404, mappings_url: 403},
        # street staff and grid workers do not see the district's unit at all
        "carol": {history_url: 404, job_url: 404, mappings_url: 403},
        "alice": {history_url: 404, job_url: 404, mappings_url: 403},
        "mallory": {history_url: 404, job_url: 404, mappings_url: 403},
    }
    for name, pages in expected.items():
        client.force_login(people[name])
        for url, status in pages.items():
            assert client.get(url).status_code == status, (name, url)
    client.force_login(people["carol"])
    client.post(reverse("interop:save_mapping"), {"system": "old", "code": "A", "category": "2201"})
    assert not CategoryMapping.objects.exists()
    client.logout()
    assert client.get(history_url).status_code == 302


def test_district_staff_keep_the_mapping(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.post(
        reverse("interop:save_mapping"),
        {"system": "old", "code": "LJ-01", "name": "垃圾", "category": "0101"},
    )
    assert response.status_code == 302
    mapping = CategoryMapping.objects.get()
    assert (mapping.system, mapping.code, mapping.category.code) == ("old", "LJ-01", "0101")
    client.post(
        reverse("interop:save_mapping"), {"system": "old", "code": "LJ-01", "category": "0102"}
    )
    assert CategoryMapping.objects.get().category.code == "0102"
    # a class is not a category an event can have
    client.post(reverse("interop:save_mapping"), {"system": "old", "code": "B", "category": "01"})
    assert CategoryMapping.objects.count() == 1
    page = client.get(reverse("interop:mappings")).content.decode()
    assert "LJ-01" in page
    client.post(reverse("interop:delete_mapping", args=[mapping.pk]))
    assert not CategoryMapping.objects.exists()


def test_the_list_pages_cost_the_same_for_many_rows(
    client, tree, district_staff, django_assert_max_num_queries
):
    client.force_login(district_staff)
    history_url = reverse("interop:history", args=[tree.district.code])
    mappings_url = reverse("interop:mappings")
    category = Category.objects.get(code="2201")

    def add(n: int) -> None:
        start = CategoryMapping.objects.count()
        for i in range(start, start + n):
            CategoryMapping.objects.create(system="old", code=f"C{i}", category=category)
            HistoryImport.objects.create(
                unit=tree.district, filename=f"{i}.csv", state="done", actor=district_staff
            )

    add(1)
    client.get(history_url)  # the session and postings, once
    counts = {}
    for url in (history_url, mappings_url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured)
    add(15)
    for url, count in counts.items():
        with django_assert_max_num_queries(count, info=url):
            assert client.get(url).status_code == 200
