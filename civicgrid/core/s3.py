"""Private files in an S3-compatible object store (settings.STORAGES["private"] in production)."""

from typing import Any

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):  # type: ignore[misc]  # django-storages ships no types
    """Private files in an S3-compatible store: objects under their own prefix (or bucket) with
    the bucket's default access (private), never a URL, not even a signed one."""

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        raise ValueError("private files have no URL")
