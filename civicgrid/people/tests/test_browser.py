"""提户知人 on a phone in real headless Chromium: the grid worker searches by pinyin initials,
opens the household, reveals the phone number with a reason (logged) and gets a call link."""

import pytest

from civicgrid.core.models import AccessLog

PASSWORD = "correct horse battery"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_find_by_initials_open_household_reveal_phone(browser, live_server, estate):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{live_server.url}/login/?next=/people/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/people/")

    # htmx searches as she types: initials and the building narrow it to one person.
    page.fill("input[name=q]", "保利百合 zxy")
    page.wait_for_selector("#results li a")
    results = page.locator("#results > ul > li")
    assert results.count() == 1 and "张秀英" in results.first.inner_text()
    assert "138****5678" in results.first.inner_text()

    results.first.locator("a", has_text="保利百合").click()
    page.wait_for_selector("#members")
    assert "李建国" in page.inner_text("#members")
    assert "13812345678" not in page.content()

    member = page.locator("#members li", has_text="张秀英")
    member.locator("input[name=reason]").fill("电话联系")
    member.locator("button[type=submit]").click()
    call = page.locator("#members .revealed a[href^='tel:']")
    call.wait_for()
    assert call.get_attribute("href") == "tel:13812345678"
    entry = AccessLog.objects.get()
    assert (entry.actor.username, entry.field, entry.reason) == ("alice", "phone", "电话联系")
    page.close()
