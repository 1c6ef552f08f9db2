"""查询进度: a resident who lost the tracking link finds the report by number and phone; the
answer never tells which of the two was wrong, the door is rate-limited, and the page it opens
shows the number and when the report is expected to be taken up and done."""

import re

import pytest
from django.urls import reverse
from django.utils.timezone import localtime

from civicgrid.events.models import Event
from civicgrid.events.tests.conftest import A1_1

pytestmark = pytest.mark.django_db

ME = "203.0.113.7"


@pytest.fixture
def reported(client, staff, category):
    data = {"title": "楼道堆物", "category": "2101", "lon": A1_1[0], "lat": A1_1[1]}
    data["reporter_phone"] = "138-0013-8000"
    assert client.post(reverse("events:public_report"), data, REMOTE_ADDR=ME).status_code == 302
    return Event.objects.get()


def _find(client, number, phone, address=ME):
    return client.post(
        reverse("events:lookup"), {"number": number, "phone": phone}, REMOTE_ADDR=address
    )


def test_number_and_phone_open_the_tracking_page(client, reported):
    # Typed loosely: lower case, full-width digits, +86, dashes.
    number = reported.number.lower().replace("2", "２")
    response = _find(client, f" {number} ", "+86 138-0013-8000")
    assert response.status_code == 302
    assert response["Location"] == reverse("events:track", args=[reported.token])


def test_a_wrong_number_or_phone_gets_one_answer(client, reported):
    wrong_phone = _find(client, reported.number, "13900139000")
    wrong_number = _find(client, reported.number[:-1] + "9", "13800138000")
    assert wrong_phone.status_code == wrong_number.status_code == 404
    first, second = (_main(r.content.decode()) for r in (wrong_phone, wrong_number))
    assert reported.token not in first
    assert 'aria-invalid="true"' in first
    # The same words whichever was wrong (only the echoed number differs).
    assert first.replace(reported.number, "") == second.replace(reported.number[:-1] + "9", "")


def _main(page: str) -> str:
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def test_a_report_without_a_phone_cannot_be_found(client, staff, report):
    event = report(actor=None)
    assert not event.reporter_phone_hash
    assert _find(client, event.number, "").status_code == 404


def test_the_lookup_is_rate_limited_by_address_and_by_phone(client, reported, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {
        "lookup_ip": (3, 3600),
        "lookup_phone": (2, 86400),
    }
    assert [_find(client, "E1", f"1390013900{i}").status_code for i in range(3)] == [404] * 3
    assert _find(client, reported.number, "13800138000").status_code == 429
    assert _find(client, reported.number, "13800138000", "203.0.113.8").status_code == 302
    # Guessing numbers for one phone from many addresses: the phone's own count stops it.
    assert _find(client, "E2", "13800138000", "203.0.113.9").status_code == 404
    assert _find(client, reported.number, "13800138000", "203.0.113.10").status_code == 429


def test_the_tracking_page_shows_the_number_and_the_deadlines(client, reported):
    page = client.get(reverse("events:track", args=[reported.token])).content.decode()
    assert reported.number in page
    assert reported.response_due and reported.closure_due
    expected = _main(page)[_main(page).index('id="expected"') :]
    for due in (reported.response_due, reported.closure_due):
        assert f'<time datetime="{localtime(due).isoformat()}">' in expected
    assert reverse("events:lookup") in page
