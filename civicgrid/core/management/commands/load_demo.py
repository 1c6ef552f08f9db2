from django.core.management.base import BaseCommand, CommandError

from civicgrid.classes.demo import has_classes, load_demo_classes
from civicgrid.community.demo import has_community, load_demo_community
from civicgrid.core.errors import CivicgridError
from civicgrid.events.demo import has_events, load_demo_events
from civicgrid.org.demo import DEMO_DISTRICT, DEMO_LOGINS, DEMO_PASSWORD, load_demo
from civicgrid.org.models import OrgUnit, Posting
from civicgrid.people.demo import has_people, load_demo_people
from civicgrid.volunteers.demo import has_volunteers, load_demo_volunteers


class Command(BaseCommand):
    help = (
        "Load a demo district (default 郑州市中原区) with generated grids, departments, users "
        "a year of events and the demo community's residents."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", default=DEMO_DISTRICT, help="district code, e.g. 410103")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database has units"
        )

    def handle(self, *args, district, if_empty, **options):
        if if_empty and OrgUnit.objects.exists():
            self.stdout.write("The database already has units; the demo is not loaded again.")
        else:
            try:
                result = load_demo(district, progress=options["verbosity"] > 0)
            except CivicgridError as error:
                raise CommandError(error.message) from error
            self.stdout.write(
                self.style.SUCCESS(
                    f"{result['units_created']} units created; "
                    f"district {district} has {result['units']}."
                )
            )
            if not has_events(district):
                made = load_demo_events(district)
                self.stdout.write(self.style.SUCCESS(f"{made} demo events added."))
            if not has_people(district):
                made = load_demo_people(district)
                self.stdout.write(self.style.SUCCESS(f"{made} demo residents added."))
            if not has_classes(district):
                made = load_demo_classes(district)
                self.stdout.write(self.style.SUCCESS(f"{made} demo class sessions added."))
            if not has_volunteers(district):
                made = load_demo_volunteers(district)
                self.stdout.write(self.style.SUCCESS(f"{made} demo service orders added."))
            if not has_community(district):
                made = load_demo_community(district)
                self.stdout.write(self.style.SUCCESS(f"{made} demo needs added."))
        self.print_logins()

    def print_logins(self) -> None:
        postings = {
            p.user.username: p
            for p in Posting.objects.filter(
                user__username__in=[name for name, _, _ in DEMO_LOGINS], active=True
            ).select_related("user", "unit")
        }
        if not postings:
            return
        self.stdout.write(f"\nDemo logins (password: {DEMO_PASSWORD})")
        self.stdout.write(f"  {'admin':<12} superuser")
        self.stdout.write(
            f"  {'volunteer':<12} volunteer · 河南纺机社区 (phone page /volunteers/my/)"
        )
        for name, _, _ in DEMO_LOGINS:
            if name in postings:
                posting = postings[name]
                self.stdout.write(
                    f"  {name:<12} {posting.get_role_display()} · {posting.unit.name}"
                )
