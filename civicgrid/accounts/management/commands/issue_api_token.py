from django.core.management.base import BaseCommand, CommandError

from civicgrid.accounts.models import User
from civicgrid.accounts.tokens import issue_token


class Command(BaseCommand):
    help = "Issue an API token acting as USERNAME (for the JSON API and Open311 api_key)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="API client")
        parser.add_argument(
            "--trusted-times",
            action="store_true",
            help="Let this key give the times of what it reports through Open311 (a replay of a "
            "311 history): requested_datetime, updated_datetime, expected_datetime.",
        )

    def handle(
        self, *args, username: str, name: str, trusted_times: bool = False, **options
    ) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        _token, key = issue_token(user=user, name=name, trusted_times=trusted_times)
        self.stdout.write(key)
