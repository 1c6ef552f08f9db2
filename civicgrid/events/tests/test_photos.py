"""A report carrying a photo bomb or too many photos is refused whole (issue 12); the photo
checks themselves are tested in core/tests/test_photos.py."""

import pytest

from civicgrid.core.tests.test_photos import no_decoding, png_bomb  # noqa: F401  fixture
from civicgrid.events.models import Event
from civicgrid.events.tests.conftest import A1_1, jpeg

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("no_decoding")
def test_an_anonymous_report_with_a_bomb_is_refused(client, category):
    response = client.post(
        "/r/",
        {
            "title": "消防通道被堵",
            "category": category.code,
            "lon": A1_1[0],
            "lat": A1_1[1],
            "reporter_phone": "13800001234",
            "photos": [png_bomb()],
        },
    )
    assert response.status_code == 400
    assert not Event.objects.exists()


def test_a_report_with_too_many_photos_is_refused(client, category, settings):
    settings.PHOTO_MAX_FILES = 3
    response = client.post(
        "/r/",
        {
            "title": "消防通道被堵",
            "category": category.code,
            "lon": A1_1[0],
            "lat": A1_1[1],
            "reporter_phone": "13800001234",
            "photos": [jpeg(f"q{i}.jpg") for i in range(4)],
        },
    )
    assert response.status_code == 400
    assert not Event.objects.exists()
