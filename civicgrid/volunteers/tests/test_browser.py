"""点单 on phones, in real headless Chromium: a resident orders appliance repair from the
community's menu; a volunteer takes it on their phone page and finishes it with a photo; the
resident rates it on their order's link; the honour wall and the unit's figures change."""

import pytest

from civicgrid.events.tests.conftest import jpeg
from civicgrid.volunteers.models import OrderStatus, ServiceOrder

PASSWORD = "correct horse battery"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_order_take_finish_with_photo_rate(browser, live_server, service, tree, sent_code):
    code = tree.community_a1.code
    resident = browser.new_page(viewport={"width": 390, "height": 844})
    resident.goto(f"{live_server.url}/volunteers/c/{code}/")
    card = resident.locator("article.session", has_text="家电维修")
    card.locator("summary").click()
    card.locator("input[name=name]").fill("张秀英")
    card.locator("input[name=phone]").fill("13812345678")
    card.locator("input[name=address]").fill("保利百合3号楼2单元501")
    card.locator("input[name=note]").fill("冰箱不制冷")
    card.locator("button.send-code").click()
    card.locator(".code-status .ok").wait_for()
    card.locator("input[name=code]").fill(sent_code("13812345678"))
    card.locator("form > button.primary").click()
    resident.wait_for_url(f"{live_server.url}/volunteers/o/**")
    link = resident.url
    order = ServiceOrder.objects.get()
    assert order.status == OrderStatus.ORDERED

    worker = browser.new_page(viewport={"width": 390, "height": 844})
    worker.goto(f"{live_server.url}/login/?next=/volunteers/my/")
    worker.fill("#id_username", "li")
    worker.fill("#id_password", PASSWORD)
    worker.click("form:not([action*=logout]) button[type=submit]")
    worker.wait_for_url(f"{live_server.url}/volunteers/my/")
    worker.locator("#open a", has_text="家电维修").click()
    worker.locator("form:has(input[value=take]) button").click()
    worker.wait_for_selector("#complete")
    worker.fill("#complete input[name=hours]", "1.5")
    worker.fill("#complete input[name=report]", "更换温控器")
    worker.set_input_files(
        "#complete input[name=photos]",
        files=[{"name": "fridge.jpg", "mimeType": "image/jpeg", "buffer": jpeg().read()}],
    )
    worker.locator("#complete button[type=submit]").click()
    worker.wait_for_selector("img.thumb")
    order.refresh_from_db()
    assert order.status == OrderStatus.DONE and order.photos.count() == 1

    resident.goto(link)
    assert "更换温控器" in resident.inner_text("#status")
    resident.locator("#rate input[name=comment]").fill("师傅很细心")
    resident.locator("#rate button[value='5']").click()
    resident.wait_for_selector("#status >> text=师傅很细心")
    order.refresh_from_db()
    assert order.rating == 5

    wall = browser.new_page()
    wall.goto(f"{live_server.url}/volunteers/c/{code}/wall/")
    assert "李师傅" in wall.inner_text("#wall-volunteers")
    assert "1.5" in wall.inner_text("#wall-volunteers")
    staff = browser.new_context().new_page()
    staff.goto(f"{live_server.url}/login/?next=/volunteers/u/{code}/")
    staff.fill("#id_username", "cathy")
    staff.fill("#id_password", PASSWORD)
    staff.click("form:not([action*=logout]) button[type=submit]")
    staff.wait_for_url(f"{live_server.url}/volunteers/u/{code}/")
    figures = staff.inner_text("#figures")
    assert "1.5" in figures
