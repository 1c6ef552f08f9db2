"""The duplicate hint (/events/nearby/ and the event page): residents learn only that a
similar PUBLIC problem is close by, in a coarse band; staff see only their scope."""

import re

import pytest
from django.urls import reverse

from civicgrid.events.tests.conftest import A1_1

pytestmark = pytest.mark.django_db

# About 7 m east of A1_1, and two points either side of the A1-1 / A1-2 grid border.
CLOSE = (A1_1[0] + 0.00008, A1_1[1])
WEST_OF_BORDER = (113.5499, 34.73)
EAST_OF_BORDER = (113.5501, 34.73)


def hint(client, category, point):
    response = client.get(
        reverse("events:nearby"), {"category": category.code, "lon": point[0], "lat": point[1]}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_never_learns_of_a_non_public_event(client, report, plain_category):
    dispute = report(category=plain_category, title="张家婆媳纠纷")
    assert not plain_category.public
    for point in (A1_1, CLOSE, (A1_1[0] + 0.0005, A1_1[1] + 0.0003)):
        page = hint(client, plain_category, point)
        assert dispute.title not in page and dispute.number not in page
        assert "<li" not in page


def test_anonymous_gets_a_coarse_band_without_number_or_metres(client, report, category):
    event = report(title="消防通道被堵")
    page = hint(client, category, CLOSE)
    assert event.title in page
    assert event.number not in page and "data-number" not in page
    listed = re.search(r"<ul>(.*)</ul>", page, re.S).group(1)
    # The only figure in the list is the band, a multiple of 50 m: never the 7 m.
    figures = {int(figure) for figure in re.findall(r"\d+", listed)}
    assert figures and all(figure % 50 == 0 for figure in figures)


def test_staff_see_only_their_scope(client, report, staff, category):
    alices = report(actor=staff["alice"], point=WEST_OF_BORDER)
    bobs = report(actor=staff["bob"], point=EAST_OF_BORDER)
    assert alices.unit_code != bobs.unit_code

    client.force_login(staff["grace"])  # community B1: neither event is hers
    page = hint(client, category, WEST_OF_BORDER)
    assert alices.number not in page and alices.title not in page and "<li" not in page

    client.force_login(staff["bob"])
    page = hint(client, category, WEST_OF_BORDER)
    assert bobs.number in page and alices.number not in page
    detail = client.get(reverse("events:detail", args=[bobs.number])).content.decode()
    assert alices.number not in detail

    client.force_login(staff["frank"])  # community A1 sees both, with their numbers
    page = hint(client, category, WEST_OF_BORDER)
    assert alices.number in page and bobs.number in page


@pytest.mark.parametrize(
    "point", [("nan", "nan"), ("inf", "-inf"), ("1e308", "1e308"), ("-200", "100"), ("", "")]
)
def test_a_point_that_is_not_on_earth_gives_no_hint_and_no_500(client, staff, category, point):
    assert hint(client, category, point) == ""
    client.force_login(staff["alice"])
    assert hint(client, category, point) == ""
