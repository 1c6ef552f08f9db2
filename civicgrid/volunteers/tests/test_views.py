"""Volunteer pages: staff, a volunteer's phone page, the public menu, an order's link."""

from decimal import Decimal

import pytest
from django.db import connection

from civicgrid.volunteers import services
from civicgrid.volunteers.models import OrderStatus, ServiceOrder


def test_staff_pages_render(client, service, order, tree):
    made = order()
    client.force_login(service.staff)
    code = tree.community_a1.code
    for url in (
        f"/volunteers/u/{code}/",
        f"/volunteers/orders/{made.pk}/",
        f"/volunteers/v/{service.li.pk}/",
        f"/volunteers/c/{code}/wall/",
    ):
        assert client.get(url).status_code == 200, url
    client.post(f"/volunteers/orders/{made.pk}/", {"step": "assign", "volunteer": service.li.pk})
    made.refresh_from_db()
    assert made.volunteer == service.li
    client.post(
        f"/volunteers/orders/{made.pk}/", {"step": "complete", "hours": "2", "report": "修好了"}
    )
    response = client.post(f"/volunteers/v/{service.li.pk}/", {"action": "certificate"})
    assert response.status_code == 302 and "/volunteers/certificates/" in response.url
    page = client.get(response.url).content.decode()
    assert "2.0" in page and service.li.number in page


def test_out_of_scope_is_not_found(client, service, order, people):
    made = order()
    client.force_login(people["bob"])
    assert client.get(f"/volunteers/orders/{made.pk}/").status_code == 404
    assert client.get(f"/volunteers/v/{service.li.pk}/").status_code == 404


def test_a_volunteer_lands_on_their_page_and_takes_an_order(client, service, order):
    made = order()
    client.force_login(service.li.user)
    assert client.get("/volunteers/").url == "/volunteers/my/"
    assert made.item.name in client.get("/volunteers/my/").content.decode()
    client.post(f"/volunteers/orders/{made.pk}/", {"step": "take"})
    made.refresh_from_db()
    assert made.status == OrderStatus.TAKEN and made.volunteer == service.li


def test_resident_orders_and_rates(client, service, tree, sent_code):
    code = tree.community_a1.code
    menu = client.get(f"/volunteers/c/{code}/").content.decode()
    assert "家电维修" in menu and "爱心理发" in menu
    bad = client.post(
        f"/volunteers/c/{code}/",
        {"item": service.repair.pk, "name": "张", "phone": "123", "address": "x"},
        follow=True,
    )
    assert "mainland mobile" in bad.content.decode() and not ServiceOrder.objects.exists()
    form = {"item": service.repair.pk, "name": "张秀英", "phone": "13812345678", "address": "3号楼"}
    client.post(f"/volunteers/c/{code}/", form)
    client.post(f"/volunteers/c/{code}/", form | {"code": "000000"})
    assert not ServiceOrder.objects.exists()  # no code, or a wrong one: no order
    client.post("/m/code/?purpose=order", {"phone": "13812345678"}, headers={"HX-Request": "1"})
    made = client.post(f"/volunteers/c/{code}/", form | {"code": sent_code("13812345678")})
    order = ServiceOrder.objects.get()
    assert made.url == f"/volunteers/o/{order.token}/"
    services.take_order(actor=service.li.user, order=order)
    services.complete_order(actor=service.li.user, order=order, hours=Decimal(1), report="好")
    client.post(made.url, {"action": "rate", "rating": "5", "comment": "谢谢"})
    order.refresh_from_db()
    assert order.rating == 5


def test_public_api_order_needs_the_code(client, service, tree, sent_code):
    url = f"/api/v1/volunteers/public/{tree.community_a1.code}/orders"
    body = {"item": service.repair.pk, "name": "张秀英", "phone": "13812345678", "address": "3号楼"}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "code"
    client.post(
        "/api/v1/messaging/public/codes",
        {"phone": "13812345678", "purpose": "order"},
        content_type="application/json",
    )
    made = client.post(
        url, body | {"code": sent_code("13812345678")}, content_type="application/json"
    )
    assert made.status_code == 201 and ServiceOrder.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_volunteers_take_one_order_at_once(service, order, at_once):
    made = order()
    outcomes = at_once(
        [
            lambda: services.take_order(actor=service.li.user, order=made),
            lambda: services.take_order(actor=service.wang.user, order=made),
        ]
    )
    assert sorted(outcomes) == ["Conflict", "ok"]
    made.refresh_from_db()
    assert made.status == OrderStatus.TAKEN and made.steps.filter(action="take").count() == 1


def test_a_wrong_code_shows_the_order_form_again_filled_in(client, service, tree):
    url = f"/volunteers/c/{tree.community_a1.code}/"
    data = {"item": service.repair.pk, "name": "张秀英", "phone": "13812345678"}
    data |= {"address": "保利百合3号楼2单元501", "note": "冰箱不制冷", "code": "000000"}
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="张秀英"' in page and 'value="保利百合3号楼2单元501"' in page
    assert 'value="冰箱不制冷"' in page and "<details open>" in page
    assert "000000" not in page  # a code is never echoed
    assert not ServiceOrder.objects.exists()


def test_asking_for_a_code_without_javascript_brings_the_form_back_filled_in(
    client, service, tree, sent_code
):
    url = f"/volunteers/c/{tree.community_a1.code}/"
    data = {"item": service.repair.pk, "name": "张秀英", "phone": "13812345678"}
    data |= {"address": "保利百合3号楼2单元501"}
    back = client.post(f"/m/code/?purpose=order&next={url}", data)
    assert back.status_code == 302 and back.url == url
    page = client.get(url).content.decode()
    assert 'value="张秀英"' in page and 'value="保利百合3号楼2单元501"' in page
    assert "<details open>" in page and sent_code("13812345678")
    assert "<details open>" not in client.get(url).content.decode()  # once only


# What a page answers for an id a form sends that is no id: a stale or altered form.
NO_SUCH_ITEM = "The form names an item that does not exist"


def test_non_numeric_ids_in_volunteer_forms_are_refused(client, service, order, tree):
    waiting = order()
    code = tree.community_a1.code
    posts = [
        (f"/volunteers/u/{code}/", {"action": "volunteer", "name": "赵", "teams": ["abc"]}),
        (f"/volunteers/u/{code}/", {"action": "item", "name": "理发", "team": "abc"}),
        (f"/volunteers/orders/{waiting.pk}/", {"step": "assign", "volunteer": "abc"}),
        (f"/volunteers/c/{code}/", {"item": "abc", "name": "张", "phone": "13812345678"}),
    ]
    client.force_login(service.staff)
    for url, data in posts:
        response = client.post(url, data, follow=True)
        assert response.status_code in {200, 400}, (url, data)
        assert NO_SUCH_ITEM in response.content.decode(), (url, data)
    waiting.refresh_from_db()
    assert waiting.status == OrderStatus.ORDERED and waiting.volunteer is None
    assert ServiceOrder.objects.count() == 1


def test_a_rating_that_is_no_number_is_refused_with_a_message(client, order):
    waiting = order()
    response = client.post(
        f"/volunteers/o/{waiting.token}/", {"action": "rate", "rating": "abc"}, follow=True
    )
    assert response.status_code == 200
    assert "Enter a whole number." in response.content.decode()
