"""Encrypt every personal number again under the newest data key, so older keys can be retired.

    CIVICGRID_DATA_KEYS=<new>,<old> manage.py rotate_data_keys

Every text column of every model is searched for Fernet tokens, so a number kept by an app
added later is not forgotten. Rows are rewritten in batches, each batch in one transaction;
running it twice does no harm. Keyed hashes are not touched (they use CIVICGRID_INDEX_KEY).
The key fingerprint (core.keyring) is rotated last, so an interrupted run leaves it readable
only with the old key, and removing that key too early is refused at start.
"""

from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction

from civicgrid.core import privacy

# Every Fernet token starts with its version byte 0x80 and a timestamp, base64: "gAAAAA".
TOKEN_PREFIX = "gAAAAA"
BATCH = 500


def encrypted_columns() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every text column that may hold a Fernet token."""
    return [
        (model, field.name)
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField | models.CharField)
        and (field.max_length is None or field.max_length >= 100)
    ]


def rotate_column(model: type[models.Model], name: str) -> tuple[int, int]:
    """(rotated, unreadable): an unreadable token was written under a key no longer given."""
    rows = model._base_manager.filter(**{f"{name}__startswith": TOKEN_PREFIX}).order_by("pk")
    done = unreadable = 0
    last = None
    while True:
        page = rows if last is None else rows.filter(pk__gt=last)
        batch = list(page.values_list("pk", name)[:BATCH])
        if not batch:
            return done, unreadable
        with transaction.atomic():
            for pk, token in batch:
                try:
                    fresh = privacy.rotate(token)
                except InvalidToken:
                    unreadable += 1
                    continue
                model._base_manager.filter(pk=pk).update(**{name: fresh})
                done += 1
        last = batch[-1][0]


class Command(BaseCommand):
    help = "Re-encrypt every personal number under the newest of CIVICGRID_DATA_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        total = lost = 0
        # The key fingerprint (core.keyring) last: until every other value is under the new
        # key, hosts without the old key still refuse to start.
        columns = sorted(
            encrypted_columns(), key=lambda c: c[0]._meta.label == "core.KeyFingerprint"
        )
        for model, name in columns:
            count, unreadable = rotate_column(model, name)
            if count or unreadable:
                self.stdout.write(f"{model._meta.label}.{name}: {count}, unreadable {unreadable}")
            total, lost = total + count, lost + unreadable
        self.stdout.write(self.style.SUCCESS(f"{total} values re-encrypted under the newest key"))
        if lost:
            self.stderr.write(
                f"{lost} values were written under a key that is not in CIVICGRID_DATA_KEYS "
                "and were left as they are: add that key and run again."
            )
