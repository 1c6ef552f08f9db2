from django.core.management.base import BaseCommand, CommandError

from civicgrid.accounts.models import User
from civicgrid.accounts.tokens import issue_token


class Command(BaseCommand):
    help = "Issue an API token acting as USERNAME (for the JSON API and Open311 api_key)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="API client")

    def handle(self, *args, username: str, name: str, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        _token, key = issue_token(user=user, name=name)
        self.stdout.write(key)
