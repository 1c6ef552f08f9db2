"""Every list page exports (issue 19): xlsx and CSV, with the page's filters applied.

- A small registry: each app's `exports.py` registers its lists with `register(Export(...))`:
  a name ("events.board"), a label, whether the rows hold personal data, and `build(user,
  params)` which reads the rows with the SAME selector and filter parsing the list page uses
  (so scoping, 404 for another street's unit and masking are the page's) and returns a
  `Listing` (the unit's code, the rows, the columns). `build` raises NotAllowed when the
  user's role may not export that list.
- Small lists (≤ settings.EXPORT_INLINE_ROWS rows) download at once; larger ones become an
  ExportJob run on the task queue (core.tasks.run_export), with a progress page; the files
  are kept in private storage and purged after settings.EXPORT_KEEP_DAYS.
- Exports of personal data need a reason and are written to the access log (who, what, the
  unit's code, how many rows, why), as the people ledgers' exports are.
- Texts that a spreadsheet would read as a formula (= + - @ tab CR) stay texts: a quote-prefixed
  string cell in xlsx, a leading apostrophe in CSV.

core imports nothing from the apps: the apps' modules are found by autodiscovery.
"""

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from civicgrid.core import jobs
from civicgrid.core.errors import InvalidInput, NotAllowed
from civicgrid.core.models import AccessLog, ExportJob

log = logging.getLogger(__name__)

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# A text starting with one of these is a formula to Excel, LibreOffice or WPS.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column: its header (translated when written) and how a row's value is read."""

    header: Any
    value: Callable[[Any], Any]


@dataclass
class Listing:
    """What an export writes: the rows (a queryset or any iterable of objects) under the unit
    `unit_code`, in `columns`."""

    unit_code: str
    rows: Any
    columns: list[Column]
    # What the access log names (personal exports), when more than "<export>:<unit code>".
    record: str = ""

    def count(self) -> int:
        if isinstance(self.rows, QuerySet):
            return self.rows.count()
        self.rows = list(self.rows)
        return len(self.rows)

    def objects(self) -> Iterator[Any]:
        if isinstance(self.rows, QuerySet):
            return self.rows.iterator(chunk_size=2000)
        return iter(self.rows)


Params = dict[str, list[str]]


@dataclass(frozen=True)
class Export:
    name: str
    label: Any
    build: Callable[[Any, Params], Listing]
    personal: bool = False
    # The list page's filters this export reads (the template tag passes only these on).
    filters: tuple[str, ...] = field(default_factory=tuple)


_REGISTRY: dict[str, Export] = {}
_discovered = False


def register(export: Export) -> Export:
    _REGISTRY[export.name] = export
    return export


def registry() -> dict[str, Export]:
    global _discovered
    if not _discovered:
        _discovered = True
        autodiscover_modules("exports")
    return _REGISTRY


def get(name: str) -> Export:
    """The export named `name`; InvalidInput (never a 500) for an unknown one."""
    export = registry().get(name)
    if export is None:
        raise InvalidInput(_("There is no such export."), field="export")
    return export


# ---- the list page's filters ---------------------------------------------------------------


def param(params: Params, key: str, default: str = "") -> str:
    """The last value of `key` in `params` (as QueryDict.get does), stripped."""
    values = params.get(key) or []
    return values[-1].strip() if values else default


class Query:
    """`params` read like request.GET (`.get(key, default)`: the last value), so the list
    page's own filter parsing (a selector taking request.GET) reads an export's params too."""

    def __init__(self, params: Params) -> None:
        self.params = params

    def get(self, key: str, default: Any = None) -> Any:
        values = self.params.get(key) or []
        return values[-1] if values else default

    def getlist(self, key: str) -> list[str]:
        return list(self.params.get(key) or [])


def unit_code(params: Params) -> str:
    """The list page's unit (the export buttons add it from the page's path)."""
    return param(params, "unit")


def params_of(query: Any) -> Params:
    """A QueryDict (request.GET) as a plain dict of lists, as stored with a job."""
    return {key: [str(v)[:200] for v in values][:20] for key, values in query.lists()}


def request_params(name: str, request: Any) -> Params:
    """The list page's filters: its query string, and the export's own filters when the form
    posts them (a select beside the buttons, e.g. the persons' tag)."""
    params = params_of(request.GET)
    export = registry().get(name)
    for key in export.filters if export else ():
        if key in request.POST:
            params[key] = [str(v)[:200] for v in request.POST.getlist(key)][:20]
    return params


# ---- writing ---------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A value as a cell holds it: local time without zone, texts as str, None as blank."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.replace(microsecond=0)
    if isinstance(value, (int, float, dt.date)):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def csv_text(value: Any) -> str:
    """A value as a CSV field: a text a spreadsheet would read as a formula gets a leading
    apostrophe (shown as text by Excel, LibreOffice and WPS)."""
    value = plain(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """A value as written into a write-only sheet; a formula-like text is a quote-prefixed
    string cell, never a formula."""
    value = plain(value)
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def write(
    fmt: str,
    listing: Listing,
    title: str,
    progress: Callable[[int], None] | None = None,
) -> tuple[bytes, int]:
    """The listing as `fmt` bytes and the number of rows written."""
    headers = [str(column.header) for column in listing.columns]
    count = 0

    def rows() -> Iterable[list[Any]]:
        nonlocal count
        for obj in listing.objects():
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(count)
            yield [column.value(obj) for column in listing.columns]

    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([csv_text(h) for h in headers])
        for row in rows():
            writer.writerow([csv_text(v) for v in row])
        return ("\ufeff" + out.getvalue()).encode("utf-8"), count  # BOM: Excel reads UTF-8
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "export")
    sheet.append([xlsx_cell(sheet, h) for h in headers])
    for row in rows():
        sheet.append([xlsx_cell(sheet, v) for v in row])
    out_bytes = io.BytesIO()
    workbook.save(out_bytes)
    return out_bytes.getvalue(), count


def filename(export: Export, unit_code: str, fmt: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{export.name.replace('.', '-')}-{unit_code or 'all'}-{stamp}.{fmt}"


# ---- running an export -----------------------------------------------------------------------


@dataclass
class Result:
    """An export done at once (`data`, `filename`, `content_type`) or queued (`job`)."""

    data: bytes = b""
    filename: str = ""
    content_type: str = ""
    job: ExportJob | None = None


def _check(export: Export, fmt: str, reason: str) -> str:
    if fmt not in FORMATS:
        raise InvalidInput(_("Choose xlsx or CSV."), field="format")
    reason = (reason or "").strip()
    if export.personal and len(reason) < 2:
        raise InvalidInput(_("Say why you need it (the reason is logged)."), field="reason")
    return reason[:200]


def _log(
    actor: Any, export: Export, listing: Listing, rows: int, reason: str, ip: str | None
) -> None:
    """An export of personal data in the access log: who, what, the unit, how many rows, why."""
    if not export.personal:
        return
    AccessLog.objects.create(
        actor=actor,
        action=AccessLog.Action.EXPORT,
        record=(listing.record or f"{export.name}:{listing.unit_code}")[:60],
        reason=reason,
        unit_code=listing.unit_code,
        rows=rows,
        ip=ip or None,
    )


def start(
    *,
    actor: Any,
    name: str,
    params: Params,
    fmt: str,
    reason: str = "",
    ip: str | None = None,
) -> Result:
    """Export list `name` with the list page's `params` for `actor`: at once when small, else
    as a background job. Raises InvalidInput, NotAllowed, or Http404 (a unit out of scope)."""
    export = get(name)
    reason = _check(export, fmt, reason)
    listing = export.build(actor, params)
    total = listing.count()
    if total > settings.EXPORT_INLINE_ROWS:
        with transaction.atomic():
            job = ExportJob.objects.create(
                actor=actor,
                name=export.name,
                label=str(export.label)[:100],
                params=params,
                fmt=fmt,
                reason=reason,
                ip=ip or None,
                unit_code=listing.unit_code,
                state=ExportJob.State.QUEUED,
                rows_total=total,
            )
            _queue(job.pk)
        return Result(job=job)
    data, count = write(fmt, listing, str(export.label))
    with transaction.atomic():
        _log(actor, export, listing, count, reason, ip)
    return Result(
        data=data,
        filename=filename(export, listing.unit_code, fmt),
        content_type=FORMATS[fmt],
    )


def _queue(job_id: int) -> None:
    from civicgrid.core.tasks import run_export

    def failed(error: Exception) -> None:
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.FAILED,
            error=_("The task queue could not be reached; try again later."),
            finished_at=timezone.now(),
        )

    jobs.enqueue_on_commit(run_export, job_id, failed=failed)


def run_job(job_id: int) -> ExportJob | None:
    """Make the file of a queued job (in the worker), as its actor: the rows are read again by
    the export's selector, so scoping and masking are those of the actor now."""
    claimed = ExportJob.objects.filter(pk=job_id, state=ExportJob.State.QUEUED).update(
        state=ExportJob.State.RUNNING
    )
    if not claimed:
        return None  # run already, or gone
    job = ExportJob.objects.select_related("actor").get(pk=job_id)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(rows_done=done)

    try:
        export = get(job.name)
        listing = export.build(job.actor, job.params)
        data, count = write(job.fmt, listing, job.label, progress)
        name = filename(export, listing.unit_code, job.fmt)
        with transaction.atomic():
            job.file.save(f"exports/{job.pk}-{name}", ContentFile(data), save=False)
            job.filename, job.rows_done, job.rows_total = name, count, count
            job.state, job.finished_at = ExportJob.State.DONE, timezone.now()
            job.save()
            _log(job.actor, export, listing, count, job.reason, job.ip)
    except Exception as exc:  # a failed job says so on its page; never left "running"
        log.exception("export job %s failed", job_id)
        message = exc.message if isinstance(exc, (InvalidInput, NotAllowed)) else ""
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.FAILED,
            error=(message or _("The export failed."))[:300],
            finished_at=timezone.now(),
        )
    return ExportJob.objects.get(pk=job_id)


def job_for(user: Any, pk: int) -> ExportJob:
    """One of the user's own export jobs; another's is answered like a missing one (404)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(ExportJob, pk=pk, actor=user)


def jobs_for(user: Any) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(actor=user).order_by("-created_at", "-id")


def purge(now: dt.datetime | None = None) -> int:
    """Delete export jobs (and their files) older than EXPORT_KEEP_DAYS; how many went."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.EXPORT_KEEP_DAYS)
    old = list(ExportJob.objects.filter(created_at__lt=cutoff))
    for job in old:
        if job.file:
            job.file.delete(save=False)
        job.delete()
    return len(old)
