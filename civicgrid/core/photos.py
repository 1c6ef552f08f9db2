"""Photos: accept real images only (by content), shrink them and store them without EXIF.

A phone photo's EXIF holds the place and the device; nothing of it is kept. The GPS position is
read from the original first, so it can fill in the location when the reporter gave none.

A small file can declare a huge picture (a 455 KB PNG of 156 megapixels takes 1.2 GB once
decoded), so the size written in the header is checked against CIVICGRID_PHOTO_MAX_PIXELS
before a single pixel is decoded, and one request carries at most CIVICGRID_PHOTO_MAX_FILES.
"""

import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import SupportsFloat

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from civicgrid.core.errors import InvalidInput

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}
_GPS_IFD = 0x8825
# Our own limit (settings.PHOTO_MAX_PIXELS) is checked first, with a clear message; Pillow's is a
# second guard for any other code path that opens an image (it raises past twice this).
Image.MAX_IMAGE_PIXELS = 80_000_000
logger = logging.getLogger(__name__)


@dataclass
class Photo:
    content: "ContentFile[bytes]"  # quoted: ContentFile takes no type argument at run time
    width: int
    height: int
    gps: tuple[float, float] | None


def _degrees(value: Iterable[SupportsFloat], ref: str) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    result = degrees + minutes / 60 + seconds / 3600
    return -result if ref in {"S", "W"} else result


def _gps(image: Image.Image) -> tuple[float, float] | None:
    try:
        gps = image.getexif().get_ifd(_GPS_IFD)
        lat = _degrees(gps[2], gps.get(1, "N"))
        lon = _degrees(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or (lon == 0 and lat == 0):
        return None
    return lon, lat


def read_photos(uploads: Iterable[UploadedFile] | None, *, field: str = "photos") -> list[Photo]:
    """Cleaned copies of the files of one request, at most settings.PHOTO_MAX_FILES of them
    (counted before any is read)."""
    uploads = [upload for upload in uploads or () if upload]
    if len(uploads) > settings.PHOTO_MAX_FILES:
        raise InvalidInput(
            _("At most %(n)d photos at a time.") % {"n": settings.PHOTO_MAX_FILES}, field=field
        )
    return [read_photo(upload, field=field) for upload in uploads]


def _too_large(name: str, field: str) -> InvalidInput:
    return InvalidInput(
        _("%(name)s has too many pixels (at most %(limit)d megapixels); send a smaller photo.")
        % {"name": name, "limit": settings.PHOTO_MAX_PIXELS // 1_000_000},
        field=field,
    )


def read_photo(upload: UploadedFile, *, field: str = "photos") -> Photo:
    """A cleaned copy of the uploaded file, or InvalidInput naming the file and the problem."""
    name = getattr(upload, "name", "") or _("photo")
    size = upload.size or 0
    if size > settings.PHOTO_MAX_BYTES:
        raise InvalidInput(
            _("%(name)s is larger than %(limit)d MB.")
            % {"name": name, "limit": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
            field=field,
        )
    if size == 0:
        raise InvalidInput(_("%(name)s is empty.") % {"name": name}, field=field)
    data = upload.read()
    try:
        # Opening reads the header only: the declared size is known before any decoding.
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > settings.PHOTO_MAX_PIXELS:
                logger.warning("photo refused: %s x %s pixels, %s bytes", width, height, len(data))
                raise _too_large(name, field)
            kind = probe.format
            if kind not in ACCEPTED_FORMATS:
                raise InvalidInput(
                    _("%(name)s: images of type %(kind)s are not accepted.")
                    % {"name": name, "kind": kind},
                    field=field,
                )
            probe.verify()
        image: Image.Image = Image.open(io.BytesIO(data))
        # JPEG can decode straight at a reduced scale: a large photo never sits whole in memory.
        image.draft("RGB", (settings.PHOTO_MAX_SIDE, settings.PHOTO_MAX_SIDE))
        image.load()
    except Image.DecompressionBombError:
        raise _too_large(name, field) from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise InvalidInput(_("%(name)s is not an image.") % {"name": name}, field=field) from None
    gps = _gps(image)
    image = ImageOps.exif_transpose(image)
    image.thumbnail((settings.PHOTO_MAX_SIDE, settings.PHOTO_MAX_SIDE))
    if image.mode not in {"RGB", "L"}:
        image = image.convert("RGB")
    out = io.BytesIO()
    # A fresh JPEG carries no EXIF unless asked to.
    image.save(out, "JPEG", quality=85, optimize=True)
    return Photo(ContentFile(out.getvalue(), name="photo.jpg"), image.width, image.height, gps)


def serve(image: FieldFile) -> FileResponse:
    """A stored photo streamed from its storage (local disk or the S3 bucket), for a view that
    has checked the viewer may see it: the bucket stays private and the browser sees this site
    only (CSP img-src 'self'), and no link outlives the permission check. A file missing from
    storage (a host with its own disk, a restore without the photos) is logged and a 404."""
    try:
        handle = image.open("rb")
    except OSError:  # FileNotFoundError from disk; django-storages raises it for S3 too
        logger.error("photo file %r is missing from storage (docs/backup.md)", image.name)
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
