"""The data keys this database is sealed with, checked by every host before it serves.

With several app servers and a task consumer, a host started with other keys than the rest
would write phone numbers nobody else can read and show the others' as "?". So the database
keeps a fingerprint (models.KeyFingerprint): a fixed text encrypted under the newest data key,
and the keyed hash of a fixed text under the index key. The web app (wsgi.py) and the task
consumer (core/tasks.py) check it when they start and refuse to start, loudly, when their keys
cannot read it; the first start on an empty database records it (on a database that holds
numbers already, only if these keys read them). The readiness check calls
`problem()` (one query by primary key and one decryption).

Rotation (docs/security.md) keeps it readable: with `CIVICGRID_DATA_KEYS=<new>,<old>` the old
token still decrypts, `manage.py rotate_data_keys` encrypts it again under the new key like
every other token, and then `<old>` can go. The index key never changes.
"""

import logging

from cryptography.fernet import InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from civicgrid.core import privacy

logger = logging.getLogger(__name__)

# The text sealed in the fingerprint; any fixed text would do.
MARK = "civicgrid key fingerprint v1"


class KeysMismatch(ImproperlyConfigured):
    """This host's keys cannot read the personal data of its database."""


def _index_proof() -> str:
    return privacy.blind_index(MARK)


def _read(token: str, index_proof: str) -> str | None:
    try:
        readable = privacy.decrypt_token(token) == MARK
    except InvalidToken:
        readable = False
    if not readable:
        return (
            "CIVICGRID_DATA_KEYS cannot read this database's personal data (its key fingerprint "
            "was sealed with another key): give this host the data keys the other hosts use, or "
            "the ones the backup was made with (docs/backup.md)."
        )
    if index_proof != _index_proof():
        return (
            "CIVICGRID_INDEX_KEY is not the key this database's keyed hashes were made with: no "
            "phone or ID number would be found. Give this host the index key the other hosts use "
            "(by default the last, oldest, of CIVICGRID_DATA_KEYS; docs/security.md)."
        )
    return None


def problem() -> str | None:
    """None when this host's keys read the database's fingerprint (or none is recorded yet),
    else why not, in words for an operator. Cheap: one row by primary key, one decryption."""
    from civicgrid.core.models import KeyFingerprint

    try:
        row = KeyFingerprint.objects.filter(pk=1).values_list("token", "index_proof").first()
    except DatabaseError as error:
        return f"the key fingerprint could not be read from the database: {error}"
    return None if row is None else _read(*row)


def _unreadable_sample() -> str | None:
    """The first column whose first sealed value these keys cannot read, if any: a database
    that holds numbers but no fingerprint yet (made before there was one) is recorded only by
    a host that reads them."""
    from civicgrid.core.management.commands.rotate_data_keys import (
        TOKEN_PREFIX,
        encrypted_columns,
    )

    for model, name in encrypted_columns():
        rows = model._base_manager.filter(**{f"{name}__startswith": TOKEN_PREFIX})
        token = rows.values_list(name, flat=True).first()
        if token is None:
            continue
        try:
            privacy.decrypt_token(token)
        except InvalidToken:
            return f"{model._meta.label}.{name}"
    return None


def record() -> bool:
    """Record the fingerprint of this host's keys unless one is recorded; True if it was now.
    KeysMismatch when the database already holds numbers these keys cannot read."""
    from civicgrid.core.models import KeyFingerprint

    if KeyFingerprint.objects.filter(pk=1).exists():
        return False
    unreadable = _unreadable_sample()
    if unreadable:
        raise KeysMismatch(
            f"CIVICGRID_DATA_KEYS cannot read the personal data already in this database "
            f"({unreadable}), which has no key fingerprint yet: give this host the keys the data "
            "was written with (docs/backup.md)."
        )
    _row, created = KeyFingerprint.objects.get_or_create(
        pk=1, defaults={"token": privacy.encrypt(MARK), "index_proof": _index_proof()}
    )
    return created


def check() -> None:
    """Record the fingerprint on an empty database, else raise KeysMismatch when this host's
    keys cannot read it."""
    if record():
        logger.warning("key fingerprint recorded: this database's personal data uses these keys")
        return
    reason = problem()
    if reason is not None:
        raise KeysMismatch(reason)


def check_at_start(process: str) -> None:
    """`check`, for a process that is starting (`process` names it in the log): a mismatch is
    logged as critical and raised; a database that cannot be reached is logged and left to the
    readiness check, so a host does not fail to start only because the database was late."""
    try:
        check()
    except KeysMismatch as error:
        logger.critical("%s refuses to start: %s", process, error)
        raise
    except DatabaseError as error:
        logger.error(
            "%s: key fingerprint not checked, the database is unavailable: %s", process, error
        )
