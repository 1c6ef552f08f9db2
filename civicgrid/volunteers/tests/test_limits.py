"""Rate limits on the volunteer services' public doors: the order form and API (by address and
by phone), the order's own page and API (reads, cancel, rate)."""

import pytest

from civicgrid.volunteers.models import ServiceOrder

pytestmark = pytest.mark.django_db

ME, OTHER = "203.0.113.5", "203.0.113.6"


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {
        name: (2, 3600) for name in ("order_ip", "order_phone", "track_ip", "read_ip")
    }


def _refused(response) -> bool:
    return response.status_code == 429 and int(response["Retry-After"]) > 0


def test_the_order_form_is_limited_by_address_and_by_phone(client, service, tree, tight, sent_code):
    url = f"/volunteers/c/{tree.community_a1.code}/"
    phones = iter(f"1380000{n:04d}" for n in range(100))

    def post(address=ME, phone=None, **extra):
        phone = phone or next(phones)
        client.post("/m/code/?purpose=order", {"phone": phone}, REMOTE_ADDR="192.0.2.99")
        data = {"item": service.repair.pk, "name": "张", "phone": phone}
        data["address"] = "保利百合3号楼2单元501"
        data["code"] = sent_code(phone)
        return client.post(url, data, REMOTE_ADDR=address, **extra)

    assert [post().status_code for _ in range(2)] == [302, 302]
    assert _refused(post())
    assert _refused(post(HTTP_X_FORWARDED_FOR="198.51.100.1"))
    assert post(OTHER).status_code == 302
    assert client.get(url, REMOTE_ADDR=ME).status_code == 200
    # One phone from many addresses.
    assert post("192.0.2.1", "13900000000").status_code == 302
    assert post("192.0.2.2", "13900000000").status_code == 302
    assert _refused(post("192.0.2.3", "139-0000-0000"))
    assert ServiceOrder.objects.count() == 5


def test_the_order_page_is_limited(client, order, tight):
    made = order()
    url = f"/volunteers/o/{made.token}/"
    assert [client.get(url, REMOTE_ADDR=ME).status_code for _ in range(2)] == [200, 200]
    assert _refused(client.get(url, REMOTE_ADDR=ME))
    assert client.get(url, REMOTE_ADDR=OTHER).status_code == 200
    for _ in range(2):
        assert client.post(url, {"rating": "5"}, REMOTE_ADDR=ME).status_code == 302
    assert _refused(client.post(url, {"action": "cancel"}, REMOTE_ADDR=ME))
    made.refresh_from_db()
    assert made.status != "cancelled"


def test_the_public_api_is_limited(client, service, tree, tight):
    base = f"/api/v1/volunteers/public/{tree.community_a1.code}"
    phones = iter(f"1380000{n:04d}" for n in range(100))

    def place(address=ME):
        return client.post(
            f"{base}/orders",
            {"item": service.repair.pk, "name": "张", "phone": next(phones), "address": "3号楼"},
            content_type="application/json",
            REMOTE_ADDR=address,
        )

    assert 429 not in [place().status_code for _ in range(2)]
    refused = place()
    assert _refused(refused) and refused.json()["error"]["details"]["retry_after"] > 0
    assert place(OTHER).status_code != 429

    def menu(address=ME):
        return client.get(f"{base}/menu", REMOTE_ADDR=address)

    assert [menu().status_code for _ in range(2)] == [200, 200]
    assert _refused(menu())
    assert _refused(client.get("/api/v1/volunteers/public/orders/nope", REMOTE_ADDR=ME))
    assert menu(OTHER).status_code == 200
