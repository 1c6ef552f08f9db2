from typing import Any

from django.core.management.base import BaseCommand

from civicgrid.people import rollups


class Command(BaseCommand):
    help = (
        "Recompute every per-visitor row (VisitMonthRollup) from the household visits: once "
        "after the upgrade that adds them, or a restore."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rollups.rebuild()
        self.stdout.write(self.style.SUCCESS("Visit rollups rebuilt."))
