"""Where files live: photos in Django's default storage, uploaded ledgers in a private one.

Both are named in settings.STORAGES ("default", "private"): local folders on a laptop, an
S3-compatible object store in production (django-storages), so every app server and the task
consumer read the same files. Private files have no URL: a ledger holds ID numbers in clear,
it is read by its job and deleted when the job ends (people.ledgers). The S3 class is in
core/s3.py, so a laptop never imports boto3.
"""

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateFiles(FileSystemStorage):
    """Private files on local disk: under settings.IMPORT_DIR, outside MEDIA_ROOT so no URL ever
    serves them, in a folder only the server's user may open (0700), each file readable by that
    user only (0600)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700, **kwargs)

    @property
    def base_location(self) -> str:  # read each time, so a changed setting applies at once
        return str(settings.IMPORT_DIR)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def _save(self, name: str, content: Any) -> str:
        # A folder made earlier with looser modes (or by hand) is closed first.
        os.makedirs(self.location, mode=0o700, exist_ok=True)
        os.chmod(self.location, 0o700)
        return str(super()._save(name, content))  # type: ignore[misc]  # real; not in the stubs

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL")


class _Private(LazyObject):
    def _setup(self) -> None:
        self._wrapped = storages["private"]


private_storage: Storage = _Private()  # type: ignore[assignment]  # a lazy stand-in for one


@receiver(setting_changed)
def _storages_changed(*, setting: str, **kwargs: Any) -> None:
    # Tests that point STORAGES elsewhere (an S3 server) get the new private storage at once.
    if setting == "STORAGES":
        private_storage._wrapped = empty  # type: ignore[attr-defined]
