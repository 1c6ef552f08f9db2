"""Photos: accept real images only (by content), shrink them and store them without EXIF.

A phone photo's EXIF holds the place and the device; nothing of it is kept. The GPS position is
read from the original first, so it can fill in the location when the reporter gave none.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from civicgrid.core.errors import InvalidInput

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}
_GPS_IFD = 0x8825
# Refuse decompression bombs long before Pillow's own limit.
Image.MAX_IMAGE_PIXELS = 80_000_000


@dataclass
class Photo:
    content: ContentFile
    width: int
    height: int
    gps: tuple[float, float] | None


def _degrees(value, ref: str) -> float:
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


def read_photo(upload, *, field: str = "photos") -> Photo:
    """A cleaned copy of the uploaded file, or InvalidInput naming the file and the problem."""
    name = getattr(upload, "name", "") or _("photo")
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise InvalidInput(
            _("%(name)s is larger than %(limit)d MB.")
            % {"name": name, "limit": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
            field=field,
        )
    if upload.size == 0:
        raise InvalidInput(_("%(name)s is empty.") % {"name": name}, field=field)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
            kind = probe.format
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise InvalidInput(_("%(name)s is not an image.") % {"name": name}, field=field) from None
    if kind not in ACCEPTED_FORMATS:
        raise InvalidInput(
            _("%(name)s: images of type %(kind)s are not accepted.") % {"name": name, "kind": kind},
            field=field,
        )
    gps = _gps(image)
    image = ImageOps.exif_transpose(image)
    image.thumbnail((settings.PHOTO_MAX_SIDE, settings.PHOTO_MAX_SIDE))
    if image.mode not in {"RGB", "L"}:
        image = image.convert("RGB")
    out = io.BytesIO()
    # A fresh JPEG carries no EXIF unless asked to.
    image.save(out, "JPEG", quality=85, optimize=True)
    return Photo(ContentFile(out.getvalue(), name="photo.jpg"), image.width, image.height, gps)
