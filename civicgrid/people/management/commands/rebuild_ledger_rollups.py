from typing import Any

from django.core.management.base import BaseCommand

from civicgrid.people import ledger_rollups


class Command(BaseCommand):
    help = (
        "Recompute the basic data per unit (LedgerRollup: persons, households, houses, "
        "organisations and their completeness counts) from the ledgers, for every unit or the "
        "units under --under: after a restore, or rows written around the services."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--under", default="", help="only the units under this unit code")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = ledger_rollups.rebuild(options["under"] or None)
        self.stdout.write(self.style.SUCCESS(f"Ledger rollups rebuilt: {rows} units."))
