import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# Inside grid A1-1, outside its micro-grid.
A1_1 = (113.53, 34.73)
B1_1 = (113.62, 34.72)


def jpeg(name: str = "photo.jpg", size=(64, 48), gps: tuple[float, float] | None = None):
    image = Image.new("RGB", size, (200, 60, 60))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps:
        lon, lat = gps

        def dms(value: float):
            degrees = int(value)
            minutes = int((value - degrees) * 60)
            seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
            return (degrees, minutes, seconds)

        exif.get_ifd(0x8825).update({1: "N", 2: dms(lat), 3: "E", 4: dms(lon)})
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def staff(people, tree, make_user):
    from civicgrid.org.roles import Role

    return people | {
        "frank": make_user("frank", unit=tree.community_a1, role=Role.COMMUNITY_STAFF),
        "grace": make_user("grace", unit=tree.community_b1, role=Role.COMMUNITY_STAFF),
    }


@pytest.fixture
def category(db):
    from civicgrid.events.models import Category

    return Category.objects.get(code="2101")  # 消防通道堵塞: after-photo required, fire brigade


@pytest.fixture
def plain_category(db):
    from civicgrid.events.models import Category

    return Category.objects.get(code="2201")  # 邻里纠纷: no after-photo, no department


@pytest.fixture
def fire(tree):
    from civicgrid.org import services
    from civicgrid.org.kinds import DepartmentKind, Kind

    return services.create_unit(
        actor=None,
        parent=tree.street_a,
        kind=Kind.DEPARTMENT,
        name="甲消防救援站",
        subkind=DepartmentKind.FIRE,
    )


@pytest.fixture
def report(staff, category):
    from civicgrid.events import services

    def make(actor=None, point=A1_1, **fields):
        actor = staff["alice"] if actor is None else actor
        values = {"title": "消防通道被堵", "category": category, "lon": point[0], "lat": point[1]}
        return services.report_event(actor=actor, **(values | fields))

    return make


MONDAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
