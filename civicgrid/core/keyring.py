"""The data keys this database is sealed with, checked by every host before it serves.

With several app servers and a task consumer, a host started with other keys than the rest
would write phone numbers nobody else can read and show the others' as "?". So the database
keeps a fingerprint (models.KeyFingerprint): a fixed text encrypted under the newest data key,
and the keyed hash of a fixed text under the index key. The web app (wsgi.py) and the task
consumer (core/tasks.py) check it when they start and refuse to start, loudly, when their keys
cannot read it; the first start on an empty database records it. The readiness check calls
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


def record() -> bool:
    """Record the fingerprint of this host's keys unless one is recorded; True if it was now."""
    from civicgrid.core.models import KeyFingerprint

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
