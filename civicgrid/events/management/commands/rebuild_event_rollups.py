from django.core.management.base import BaseCommand
from tqdm import tqdm

from civicgrid.events import rollups
from civicgrid.events.models import Event


class Command(BaseCommand):
    help = "Recompute every event rollup row from the events (after a restore or a bulk load)."

    def handle(self, *args, **options) -> None:
        with tqdm(
            total=Event.objects.count(), unit="event", disable=options["verbosity"] < 1
        ) as bar:
            rollups.rebuild(progress=bar)
        self.stdout.write(self.style.SUCCESS("Event rollups rebuilt."))
