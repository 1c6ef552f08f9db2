"""Check that this host can use its database: the keys and the files (docs/backup.md).

    manage.py check_restore [--no-files]

1. the key fingerprint (core.keyring): the data and index keys are the database's;
2. every Fernet token in any text column (as `rotate_data_keys` finds them) decrypts;
3. every file a row names (photos, ledgers waiting for their job) is in its storage.

Prints a count per column and exits with status 1 on any problem. Run it after a restore, after
changing keys, or on a new app server before it takes traffic.
"""

from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models

from civicgrid.core import keyring, privacy
from civicgrid.core.management.commands.rotate_data_keys import TOKEN_PREFIX, encrypted_columns


def unreadable_tokens(model: type[models.Model], name: str) -> tuple[int, int]:
    """(tokens, unreadable) in one column."""
    rows = model._base_manager.filter(**{f"{name}__startswith": TOKEN_PREFIX})
    total = unreadable = 0
    for token in rows.values_list(name, flat=True).iterator(chunk_size=2000):
        total += 1
        try:
            privacy.decrypt_token(token)
        except InvalidToken:
            unreadable += 1
    return total, unreadable


def missing_files(model: type[models.Model], field: models.FileField) -> tuple[int, int]:
    """(files, missing) that one file column names."""
    names = model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
    total = missing = 0
    for name in names.iterator(chunk_size=2000):
        total += 1
        missing += not field.storage.exists(name)
    return total, missing


class Command(BaseCommand):
    help = "Check that the keys read this database and that every file it names is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-files", action="store_true", help="skip the file check")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = []
        reason = keyring.problem()
        if reason:
            problems.append(reason)
        for model, name in encrypted_columns():
            total, unreadable = unreadable_tokens(model, name)
            if total:
                self.stdout.write(
                    f"{model._meta.label}.{name}: {total} sealed, {unreadable} unreadable"
                )
            if unreadable:
                problems.append(f"{model._meta.label}.{name}: {unreadable} values unreadable")
        if not options["no_files"]:
            for model in apps.get_models():
                for field in model._meta.concrete_fields:
                    if not isinstance(field, models.FileField):
                        continue
                    total, missing = missing_files(model, field)
                    if total:
                        self.stdout.write(
                            f"{model._meta.label}.{field.name}: {total} files, {missing} missing"
                        )
                    if missing:
                        problems.append(
                            f"{model._meta.label}.{field.name}: {missing} files missing"
                        )
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(
            self.style.SUCCESS("the keys read this database and every file is stored")
        )
