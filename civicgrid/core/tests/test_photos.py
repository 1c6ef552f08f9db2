"""Photo uploads against decompression bombs and floods of files (issue 12)."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from civicgrid.core.errors import InvalidInput
from civicgrid.core.photos import read_photo, read_photos


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 12000, height: int = 13000) -> SimpleUploadedFile:
    """A valid one-colour 1-bit PNG of width x height: a few hundred KB on the wire, one byte
    per pixel (156 MB at the default size) once Pillow decodes it."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)  # filter byte, then the packed pixels
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )
    return SimpleUploadedFile("bomb.png", data, content_type="image/png")


def jpeg(name: str = "photo.jpg", size: tuple[int, int] = (64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 60, 60)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def no_decoding(monkeypatch):
    """Any decoding of pixel data fails the test."""

    def refuse(self):
        raise AssertionError("an image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def test_a_png_bomb_is_refused_from_its_header_without_decoding(no_decoding):
    bomb = png_bomb()
    assert bomb.size < 1024 * 1024  # small enough to pass the byte limit
    with pytest.raises(InvalidInput) as caught:
        read_photo(bomb)
    assert caught.value.field == "photos"


def test_the_pixel_limit_is_a_setting(settings):
    settings.PHOTO_MAX_PIXELS = 640 * 480 - 1
    with pytest.raises(InvalidInput):
        read_photo(jpeg(size=(640, 480)))
    settings.PHOTO_MAX_PIXELS = 640 * 480
    assert read_photo(jpeg(size=(640, 480))).width == 640


def test_too_many_photos_in_one_request_are_refused_before_any_is_read(settings):
    settings.PHOTO_MAX_FILES = 3
    uploads = [jpeg(f"p{i}.jpg") for i in range(4)]
    with pytest.raises(InvalidInput) as caught:
        read_photos(uploads)
    assert caught.value.field == "photos"
    assert all(upload.tell() == 0 for upload in uploads)  # none was read
    assert len(read_photos(uploads[:3])) == 3
