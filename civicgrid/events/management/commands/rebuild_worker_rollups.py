from typing import Any

from django.core.management.base import BaseCommand

from civicgrid.events import worker_rollups


class Command(BaseCommand):
    help = (
        "Recompute every per-worker row (WorkerMonthRollup: events, verify steps, patrols, quick "
        "notes) from the rows they count: once after the upgrade that adds them, or a restore."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_rollups.rebuild()
        self.stdout.write(self.style.SUCCESS("Per-worker rollups rebuilt."))
