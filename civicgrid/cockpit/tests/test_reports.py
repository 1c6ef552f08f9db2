"""The monthly and quarterly reports (issue 19): the figures they state are figures.overview()'s
for the same unit and period, in the source reports' words; the files; the schedule on the
first working day; the page, its scoping and its query count; the report told and mailed."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.cockpit import figures, report_selectors, report_services
from civicgrid.cockpit.figures import Figure, Period
from civicgrid.cockpit.models_reports import Report
from civicgrid.cockpit.reports import approx, change_words, phrase

pytestmark = pytest.mark.django_db

A1_1 = (113.53, 34.73)
B1_1 = (113.62, 34.72)


@pytest.fixture
def staff(people, tree, make_user):
    from civicgrid.org.roles import Role

    return people | {
        "frank": make_user("frank", unit=tree.community_a1, role=Role.COMMUNITY_STAFF),
        "gina": make_user("gina", unit=tree.grid_a1_1, role=Role.GRID_LEADER),
    }


@pytest.fixture
def events(staff):
    """Three events in street A and one in street B, reported now."""
    from civicgrid.events import services
    from civicgrid.events.models import Category

    category = Category.objects.get(code="2201")

    def report(point):
        return services.report_event(
            actor=staff["alice"] if point == A1_1 else staff["carol"],
            title="楼道堆物",
            category=category,
            lon=point[0],
            lat=point[1],
        )

    made = [report(A1_1) for _n in range(3)]
    return made


def this_month() -> Period:
    return Period.containing("month", timezone.localdate())


def generate(unit, period, actor, capture) -> Report:
    with capture(execute=True):
        report = report_services.request_report(actor=actor, unit=unit, period=period)
    report.refresh_from_db()
    return report


# ---- the words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "0"),
        (25, "25"),
        (99, "99"),
        (200, "200"),
        (213, "210余"),
        (1234, "1200余"),
        (12345, "1.2万余"),
        (30000, "3万"),
        (123456, "12万余"),
        (123456789, "1.2亿余"),
        (100.0, "100"),
        (87.5, "87.5"),
        (None, "—"),
    ],
)
def test_approx_cuts_as_newspapers_do(value, words):
    assert approx(value) == words


def test_phrases_say_the_source_reports_words_and_the_change():
    held = Figure("classes.held", "开课", 25, "期", previous=22)
    assert phrase(held, "month").sentence == "已开展25期，较上月增加3期"
    closure = Figure("events.closure", "办结率", 100.0, "%", previous=97.5)
    assert phrase(closure, "quarter").sentence == "办结率100%，较上季度上升2.5个百分点"
    notes = Figure("events.quick_notes", "随手记", 12345, "件", previous=12345)
    assert phrase(notes, "month").sentence == "随手记1.2万余条，与上月持平"
    orders = Figure("volunteers.orders", "志愿服务", 301, "次", previous=None)
    assert phrase(orders, "month").sentence == "志愿服务300余次"
    fewer = Figure("events.overdue", "超期", 2, "件", previous=5, better="down")
    assert change_words(fewer, "month") == "较上月减少3件"


# ---- the figures equal the overview's -----------------------------------------------------------


def test_the_report_states_the_overviews_figures(
    events, staff, tree, django_capture_on_commit_callbacks
):
    period = this_month()
    report = generate(tree.street_a, period, staff["carol"], django_capture_on_commit_callbacks)
    assert report.state == Report.State.DONE, report.error
    overview = figures.overview(tree.street_a, period)
    expected = overview.values()
    assert report.figures == expected
    assert expected["events.reported"] == 3  # real figures, not zeros
    assert f"上报事件{approx(3)}件" in " ".join(report.phrases)

    # Each module's sheet holds the same values, figure by figure, with the previous period's.
    book = load_workbook(io.BytesIO(report.xlsx.open("rb").read()))
    for section in overview.sections:
        sheet = next(s for s in book.worksheets if s.title == section.title[:28])
        rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
        for figure in section.figures:
            assert rows[figure.label][1] == figure.value, figure.key
            assert rows[figure.label][2] == figure.previous, figure.key
    summary = book.worksheets[0]
    assert summary["A1"].value == report_selectors.title_of(tree.street_a, period)


def test_the_pdf_opens_with_pdftoppm_and_has_its_charts(
    events, staff, tree, tmp_path, django_capture_on_commit_callbacks
):
    report = generate(
        tree.street_a, this_month(), staff["carol"], django_capture_on_commit_callbacks
    )
    data = report.pdf.open("rb").read()
    assert data.startswith(b"%PDF")
    assert b"STSong-Light" in data
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm is not installed (scripts/ensure-browser installs poppler-utils)")
    (tmp_path / "report.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", str(tmp_path / "report.pdf"), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and pages[0].stat().st_size > 1000


# ---- the page -----------------------------------------------------------------------------------


def test_staff_generate_and_download_a_report(
    client, events, staff, tree, django_capture_on_commit_callbacks
):
    client.force_login(staff["carol"])
    url = reverse("cockpit:report_list", args=[tree.street_a.code])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cockpit:report_generate", args=[tree.street_a.code]),
            {"period": this_month().value},
        )
    assert response.status_code == 302 and response.url == url
    report = Report.objects.get(unit=tree.street_a)
    assert report.state == Report.State.DONE and report.requested_by == staff["carol"]
    page = client.get(url).content.decode()
    assert 'data-state="done"' in page and "上报事件3件" in page
    pdf = client.get(reverse("cockpit:report_file", args=[tree.street_a.code, report.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = client.get(reverse("cockpit:report_file", args=[tree.street_a.code, report.pk, "xlsx"]))
    assert "attachment" in xlsx["Content-Disposition"]


def test_a_bad_period_is_a_message_not_an_error(client, staff, tree):
    client.force_login(staff["carol"])
    for value in ["2026-13", "nonsense", "2026", "2999-01"]:
        response = client.post(
            reverse("cockpit:report_generate", args=[tree.street_a.code]),
            {"period": value},
            follow=True,
        )
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"], value
    assert not Report.objects.exists()


def test_scoping_another_street_is_missing_and_workers_read_none(client, staff, tree):
    other = Report.objects.create(
        unit=tree.street_b, kind="month", first=this_month().first, state="done"
    )
    client.force_login(staff["carol"])
    assert client.get(reverse("cockpit:report_list", args=[tree.street_b.code])).status_code == 404
    own = reverse("cockpit:report_file", args=[tree.street_a.code, other.pk, "pdf"])
    assert client.get(own).status_code == 404  # B's report under A's code: missing
    theirs = reverse("cockpit:report_file", args=[tree.street_b.code, other.pk, "pdf"])
    assert client.get(theirs).status_code == 404
    assert (
        client.post(
            reverse("cockpit:report_generate", args=[tree.street_b.code]), {"period": "2026-11"}
        ).status_code
        == 404
    )
    # A grid worker reads no reports, even of her own grid (404, like the overview); a grid
    # leader does.
    client.force_login(staff["alice"])
    assert client.get(reverse("cockpit:report_list", args=[tree.grid_a1_1.code])).status_code == 404
    client.force_login(staff["gina"])
    assert client.get(reverse("cockpit:report_list", args=[tree.grid_a1_1.code])).status_code == 200
    client.logout()
    response = client.get(reverse("cockpit:report_list", args=[tree.street_a.code]))
    assert response.status_code == 302 and "login" in response.url


def test_a_read_only_leader_reads_but_does_not_generate(client, staff, tree):
    client.force_login(staff["dave"])
    url = reverse("cockpit:report_list", args=[tree.street_b.code])
    page = client.get(url)
    assert page.status_code == 200 and not page.context["may_generate"]
    assert "report-generate" not in page.content.decode()
    response = client.post(
        reverse("cockpit:report_generate", args=[tree.street_b.code]),
        {"period": this_month().value},
        follow=True,
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not Report.objects.exists()


def test_the_list_costs_the_same_with_one_report_or_many(
    client, staff, tree, django_assert_max_num_queries
):
    client.force_login(staff["carol"])
    url = reverse("cockpit:report_list", args=[tree.street_a.code])
    periods = [this_month()]

    def add(count: int) -> None:
        for _n in range(count):
            period = periods[-1].previous()
            periods.append(period)
            Report.objects.create(
                unit=tree.street_a,
                kind="month",
                first=period.first,
                state="done",
                requested_by=staff["carol"],
                phrases=["上报事件3件"],
            )

    add(1)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    add(12)
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert len(page.context["reports"]) == 13


# ---- the schedule -------------------------------------------------------------------------------


def test_first_working_day_follows_the_official_calendar():
    assert report_services.first_working_day(2025, 10) == dt.date(2025, 10, 9)  # 国庆 and 中秋
    assert report_services.first_working_day(2026, 6) == dt.date(2026, 6, 1)
    assert report_services.due_periods(dt.date(2025, 10, 8)) == []
    assert report_services.due_periods(dt.date(2025, 10, 9)) == [
        Period("month", dt.date(2025, 9, 1)),
        Period("quarter", dt.date(2025, 7, 1)),
    ]
    assert report_services.due_periods(dt.date(2026, 6, 1)) == [
        Period("month", dt.date(2026, 5, 1))
    ]
    assert report_services.due_periods(dt.date(2026, 6, 2)) == []


def test_the_schedule_writes_each_units_report_once(
    staff, tree, settings, outbox, django_capture_on_commit_callbacks
):
    settings.REPORT_MAIL_TO = [["410102001", "street-a@example.gov.cn"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert report_services.schedule_reports(dt.date(2025, 10, 8)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        queued = report_services.schedule_reports(dt.date(2025, 10, 9))
    # district, two streets, two communities; a month and a quarter each
    assert queued == 10
    assert set(Report.objects.values_list("state", flat=True)) == {"done"}
    with django_capture_on_commit_callbacks(execute=True):
        assert report_services.schedule_reports(dt.date(2025, 10, 9)) == 0
    # Mailed where an address is configured (street A's two reports), and told in the inbox.
    mails = [m for m in outbox if m.channel == "email"]
    assert sorted(m.subject for m in mails) == [
        "甲街道2025年9月工作月报",
        "甲街道2025年第3季度工作季报",
    ]
    assert all(m.to == "street-a@example.gov.cn" for m in mails)
    assert staff["carol"].notifications.filter(link__contains="410102001/reports/").count() == 2


def test_a_failure_is_kept_on_the_report(
    staff, tree, monkeypatch, django_capture_on_commit_callbacks
):
    from civicgrid.cockpit import report_pdf

    def broken(found):
        raise RuntimeError("no paper")

    monkeypatch.setattr(report_pdf, "pdf", broken)
    report = generate(
        tree.street_a, this_month(), staff["carol"], django_capture_on_commit_callbacks
    )
    assert report.state == Report.State.FAILED and "no paper" in report.error
    assert not report.pdf


def test_every_modules_figures_are_stated_as_the_source_reports_do(
    rolled, staff, django_capture_on_commit_callbacks
):
    """November 2025 in street A (w-overview's rollup fixture): the classes, mediation,
    volunteers' and community's figures, with the change against October."""
    period = Period("month", dt.date(2025, 11, 1))
    report = generate(rolled.street_a, period, staff["carol"], django_capture_on_commit_callbacks)
    assert report.state == Report.State.DONE, report.error
    assert report.figures == figures.overview(rolled.street_a, period).values()
    said = report.phrases
    assert "已开展4期，较上月增加2期" in said
    assert "参加学习60人次，较上月增加30人次" in said
    assert "受理矛盾纠纷8件，较上月增加4件" in said
    assert "开展志愿服务10次，较上月增加7次" in said
    assert "服务群众7人次，较上月增加4人次" in said


def test_generating_again_replaces_the_files(staff, tree, django_capture_on_commit_callbacks):
    first = generate(
        tree.street_a, this_month(), staff["carol"], django_capture_on_commit_callbacks
    )
    old = first.pdf.name
    again = generate(
        tree.street_a, this_month(), staff["carol"], django_capture_on_commit_callbacks
    )
    assert again.pk == first.pk and again.state == Report.State.DONE
    assert again.pdf.name != old and again.pdf.storage.exists(again.pdf.name)
    assert not again.pdf.storage.exists(old)


def test_the_demo_writes_last_months_reports_of_the_district_and_its_streets(tree):
    from civicgrid.cockpit.report_demo import demo_part

    assert demo_part("410102", progress=False).startswith("3 demo reports")
    assert set(Report.objects.values_list("unit_code", "state")) == {
        ("410102", "done"),
        ("410102001", "done"),
        ("410102002", "done"),
    }
    assert demo_part("410102", progress=False) == ""
