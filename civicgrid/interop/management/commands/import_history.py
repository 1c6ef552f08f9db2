"""`manage.py import_history FILE [--system NAME] [--district CODE] [--dry-run]`: a district's
past events with their real times (interop.history, docs/history-import.md)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from tqdm import tqdm

from civicgrid.core.errors import CivicgridError
from civicgrid.interop import history
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.people.ledgers import ImportRejected


class Command(BaseCommand):
    help = "Import a district's history of events (CSV or .xlsx) with their real times."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a CSV (UTF-8 or GB18030) or .xlsx file")
        parser.add_argument(
            "--system", default="", help="source system of rows with an empty source column"
        )
        parser.add_argument(
            "--district",
            default="",
            help="the district's unit code (default: the only district of the deployment)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the whole file, write nothing"
        )
        parser.add_argument(
            "--chunk", type=int, default=history.CHUNK, help="rows per write transaction"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        district = self._district(options["district"])
        bar: tqdm | None = None
        written = 0

        def on_rows(n: int) -> None:
            nonlocal bar
            if not options["dry_run"]:
                bar = tqdm(total=n, unit="rows", desc="import", disable=None)

        def progress(done: int) -> None:
            nonlocal written
            if bar is not None:
                bar.update(done - written)
            written = done

        with translation.override(settings.LANGUAGE_CODE):
            try:
                outcome = history.import_file(
                    path.read_bytes(),
                    district=district,
                    system=options["system"],
                    filename=path.name,
                    dry_run=options["dry_run"],
                    progress=progress,
                    on_rows=on_rows,
                    chunk=max(1, options["chunk"]),
                )
            except ImportRejected as rejected:
                for error in rejected.errors:
                    row = error["row"] if error["row"] is not None else "-"
                    self.stderr.write(f"row {row} {error['column']}: {error['message']}")
                raise CommandError(rejected.message) from None
            except CivicgridError as error:
                raise CommandError(error.message) from None
            finally:
                if bar is not None:
                    bar.close()
        verb = "would import" if options["dry_run"] else "imported"
        self.stdout.write(
            f"{outcome.rows} rows: {verb} {outcome.rows - outcome.skipped}, "
            f"already imported {outcome.skipped} "
            f"({len(outcome.changed)} of them different in this file)"
        )
        if outcome.changed:
            self.stdout.write("different, left as imported: " + ", ".join(outcome.changed[:20]))
        self.stdout.write(f"{outcome.seconds:.1f} s, {outcome.rows_per_second} rows/s")

    def _district(self, code: str) -> OrgUnit:
        if code:
            unit = OrgUnit.objects.filter(code=code, active=True).first()
            if unit is None:
                raise CommandError(f"no unit {code}")
            return unit
        districts = list(OrgUnit.objects.filter(kind=Kind.DISTRICT, active=True)[:2])
        if len(districts) != 1:
            raise CommandError("name the district with --district CODE")
        return districts[0]
