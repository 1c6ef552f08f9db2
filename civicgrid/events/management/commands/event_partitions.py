"""`manage.py event_partitions list | create FIRST [LAST] | detach MONTH` (PostgreSQL)."""

from django.core.management.base import BaseCommand, CommandError

from civicgrid.core.errors import Conflict, InvalidInput
from civicgrid.events import partitions


class Command(BaseCommand):
    help = (
        "The monthly partitions of the events and their step log on PostgreSQL: list them, "
        "create them for a range of months (e.g. before importing history), or detach a month "
        "for archiving (docs/partitions.md)."
    )

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="every partition, its month and its estimated rows")
        create = actions.add_parser(
            "create",
            help="create the months FIRST to LAST (YYYY-MM), moving their events out of the "
            "DEFAULT partition",
        )
        create.add_argument("first")
        create.add_argument("last", nargs="?")
        detach = actions.add_parser(
            "detach", help="detach MONTH's partitions of both tables (they stay as tables)"
        )
        detach.add_argument("month")

    def handle(self, *args, **options) -> None:
        if not partitions.is_partitioned():
            raise CommandError("The events are not partitioned on this database (PostgreSQL only).")
        try:
            getattr(self, f"_{options['action']}")(options)
        except (InvalidInput, Conflict) as error:
            raise CommandError(str(error)) from error

    def _list(self, options) -> None:
        for partition in partitions.partitions():
            month = f"{partition.month:%Y-%m}" if partition.month else "DEFAULT"
            self.stdout.write(f"{partition.name:<36} {month:<8} ~{partition.rows} rows")

    def _create(self, options) -> None:
        first = partitions.parse_month(options["first"])
        last = partitions.parse_month(options["last"]) if options["last"] else first
        if last < first:
            raise CommandError("LAST comes before FIRST.")
        created = partitions.ensure(first, last)
        for month in created:
            self.stdout.write(f"created {month:%Y-%m}")
        self.stdout.write(self.style.SUCCESS(f"{len(created)} month(s) created."))

    def _detach(self, options) -> None:
        month = partitions.parse_month(options["month"])
        for name in partitions.detach(month):
            self.stdout.write(f"detached {name}")
        self.stdout.write(
            self.style.SUCCESS("Now pg_dump these tables, check the dump, then DROP them.")
        )
