"""core.exports (issue 19): formula-like texts stay text in CSV and xlsx, values as cells hold
them, the registry's errors, the background job (a personal export logged when its file is
made, a failure shown, not a job left running) and the purge of old files."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.core import exports
from civicgrid.core.errors import InvalidInput, NotAllowed
from civicgrid.core.exports import Column, Export, Listing
from civicgrid.core.models import AccessLog, ExportJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _registry():
    """Exports registered here are gone after each test."""
    saved = dict(exports.registry())
    yield
    exports._REGISTRY.clear()
    exports._REGISTRY.update(saved)


NASTY = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "plain", "a=b"]


def rows_listing(values):
    return Listing("410102", [{"v": v} for v in values], [Column("=header", lambda r: r["v"])])


def test_csv_cells_that_look_like_formulas_get_an_apostrophe():
    data, count = exports.write("csv", rows_listing(NASTY), "t")
    assert count == len(NASTY)
    text = data.decode("utf-8-sig")
    assert text.startswith("'=header")
    for value in ("'=1+1", "'+1", "'-1", "'@SUM(A1)", "plain", "a=b"):
        assert value in text.splitlines() or f'"{value}"' in text


def test_xlsx_cells_that_look_like_formulas_stay_strings():
    data, _count = exports.write("xlsx", rows_listing(NASTY), "t")
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    values = [c.value.replace("\n", "\r") for c in cells]  # openpyxl reads CR back as LF
    assert values == NASTY
    assert all(c.data_type == "s" for c in cells)


def test_plain_values():
    aware = dt.datetime(2026, 12, 1, 2, 30, 15, 9, tzinfo=dt.UTC)
    assert exports.plain(aware) == dt.datetime(2026, 12, 1, 10, 30, 15)  # Asia/Shanghai
    assert exports.plain(None) == "" and exports.plain(3) == 3
    assert exports.plain("a\x00b") == "ab"


def test_unknown_export_and_format_are_clear_errors(make_user):
    user = make_user("u")
    with pytest.raises(InvalidInput):
        exports.start(actor=user, name="nope", params={}, fmt="csv")
    exports.register(Export("test.rows", "Rows", lambda u, p: rows_listing(["a"])))
    with pytest.raises(InvalidInput) as error:
        exports.start(actor=user, name="test.rows", params={}, fmt="pdf")
    assert error.value.field == "format"


def _personal(fail=False):
    def build(user, params):
        if fail:
            raise NotAllowed("no")
        return rows_listing(["一", "二", "三"])

    return exports.register(Export("test.personal", "Personal", build, personal=True))


def test_a_large_personal_export_is_logged_when_its_file_is_made(
    make_user, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_ROWS = 2
    _personal()
    user = make_user("u")
    with pytest.raises(InvalidInput):
        exports.start(actor=user, name="test.personal", params={}, fmt="csv", reason="")
    with django_capture_on_commit_callbacks(execute=True):
        result = exports.start(
            actor=user, name="test.personal", params={}, fmt="csv", reason="核对"
        )
    job = ExportJob.objects.get(pk=result.job.pk)
    assert (job.state, job.rows_total, job.rows_done) == ("done", 3, 3)
    assert job.file.read().decode("utf-8-sig").splitlines()[1:] == ["一", "二", "三"]
    assert list(AccessLog.objects.values_list("record", "rows", "reason")) == [
        ("test.personal:410102", 3, "核对")
    ]


def test_a_job_that_fails_says_so(make_user, settings):
    settings.EXPORT_INLINE_ROWS = 0
    user = make_user("u")
    _personal()
    result = exports.start(actor=user, name="test.personal", params={}, fmt="csv", reason="核对")
    _personal(fail=True)  # the actor lost the right before the worker ran
    job = exports.run_job(result.job.pk)
    assert (job.state, job.error) == ("failed", "no")
    assert exports.run_job(result.job.pk) is None  # not run twice
    assert not AccessLog.objects.exists()


def test_old_files_are_purged(make_user, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_INLINE_ROWS = 0
    _personal()
    user = make_user("u")
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(
            actor=user, name="test.personal", params={}, fmt="csv", reason="核对"
        ).job
    job.refresh_from_db()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    assert exports.purge(timezone.now()) == 0
    later = timezone.now() + dt.timedelta(days=settings.EXPORT_KEEP_DAYS + 1)
    assert exports.purge(later) == 1
    assert not storage.exists(name) and not ExportJob.objects.exists()


def test_export_labels_buttons_and_job_states_are_in_chinese():
    from django.utils import translation

    texts = [e.label for e in exports.registry().values() if not e.name.startswith("test.")]
    texts += [label for _value, label in ExportJob.State.choices]
    texts += ["Export xlsx", "Export CSV", "My exports", "Download", "Choose xlsx or CSV."]
    with translation.override("en"):
        texts = [str(t) for t in texts]  # the msgids
    with translation.override("zh-hans"):
        untranslated = [t for t in texts if translation.gettext(t) == t]
    assert untranslated == []
