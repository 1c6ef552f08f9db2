from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from civicgrid.events.synth import synthesize
from civicgrid.org.demo import DEMO_DISTRICT


class Command(BaseCommand):
    help = "Add synthetic events (Faker zh_CN) over the grids of a district, for load tests."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--events", type=int, required=True)
        parser.add_argument("--district", default=DEMO_DISTRICT)
        parser.add_argument("--days", type=int, default=730, help="spread over the last N days")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--with-steps", action="store_true", help="also write timelines")

    def handle(self, *args, **options) -> None:
        with tqdm(total=options["events"], unit="event", disable=options["verbosity"] < 1) as bar:
            try:
                made = synthesize(
                    district=options["district"],
                    count=options["events"],
                    days=options["days"],
                    seed=options["seed"],
                    with_steps=options["with_steps"],
                    progress=bar,
                )
            except ValueError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{made} events added"))
