from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.core.errors import CivicgridError
from civicgrid.org.divisions import import_divisions


class Command(BaseCommand):
    help = (
        "Import streets and communities with their national codes from the bundled table, "
        "e.g. `import_divisions 410103` for 二七区 or `import_divisions 4101` for all of 郑州."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="+", help="division codes: a city, district or street")

    def handle(self, *args: Any, codes: list[str], **options: Any) -> None:
        try:
            created = import_divisions(codes, progress=options["verbosity"] > 0)
        except CivicgridError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"{created} units created"))
