from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from civicgrid.core import demo
from civicgrid.core.errors import CivicgridError
from civicgrid.org.demo import DEMO_DISTRICT, DEMO_LOGINS, DEMO_PASSWORD
from civicgrid.org.models import OrgUnit, Posting


class Command(BaseCommand):
    help = (
        "Load a demo district (default 郑州市中原区): each app's part of it (core.demo), the "
        "units and users first, then a year of events, residents, classes, volunteer "
        "services, the community's lists and a year of mediation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", default=DEMO_DISTRICT, help="district code, e.g. 410103")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database has units"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="load it into a production database (DATABASE_URL set) all the same",
        )

    def handle(self, *args, district, if_empty, force, **options):
        if settings.PRODUCTION and not force:
            raise CommandError(
                "DATABASE_URL is set: this looks like a production database. The demo creates "
                f"accounts (admin, district, …) whose password, {DEMO_PASSWORD!r}, is public. "
                "Use import_divisions and createsuperuser for a real site; add --force only for "
                "a demo or training site that nobody else can reach."
            )
        if if_empty and OrgUnit.objects.exists():
            self.stdout.write("The database already has units; the demo is not loaded again.")
        else:
            progress = options["verbosity"] > 0
            for part in demo.parts():
                try:
                    done = part.load(district, progress=progress)
                except CivicgridError as error:
                    raise CommandError(error.message) from error
                if done:
                    self.stdout.write(self.style.SUCCESS(done))
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
        self.stdout.write(f"  {'partner':<12} community partner (/community/partners/mine/)")
        self.stdout.write(
            f"  {'memberunit':<12} member unit · 郑州纺织机械股份有限公司 (/community/tasks/mine/)"
        )
        self.stdout.write(
            f"  {'partymember':<12} party member · 河南纺机社区 (no posting; /party/me/)"
        )
        self.stdout.write(
            f"  {'mediator':<12} people's mediator 民调员 · 河南纺机社区 "
            "(no posting; phone page /mediation/)"
        )
        for name, _, _ in DEMO_LOGINS:
            if name in postings:
                posting = postings[name]
                self.stdout.write(
                    f"  {name:<12} {posting.get_role_display()} · {posting.unit.name}"
                )
