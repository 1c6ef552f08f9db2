"""The whole loop in real headless Chromium: a grid worker reports on the phone page with a
photo; the community accepts and whistles; the police report in and resolve; the worker
verifies; the community closes and records the rating; the dashboard shows the figures."""

import pytest

from civicgrid.events.models import Event
from civicgrid.events.tests.conftest import A1_1, jpeg

PASSWORD = "correct horse battery"


def login(browser, live_server, username, **viewport):
    page = browser.new_page(**viewport)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def step(page, action, note=None, photo=None):
    form = page.locator(f"form.step-{action}")
    if note is not None:
        form.locator("input[name=note]").fill(note)
    if photo is not None:
        form.locator("input[type=file]").set_input_files(photo)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_report_whistle_resolve_verify_close_rate(browser, live_server, staff, tree, tmp_path):
    photo = tmp_path / "fire-lane.jpg"
    photo.write_bytes(jpeg(size=(400, 300)).read())

    phone = login(browser, live_server, "alice", viewport={"width": 375, "height": 800})
    phone.goto(f"{live_server.url}/events/report/")
    phone.select_option("#category", "2101")
    phone.fill("#title", "消防通道被私家车堵塞")
    phone.set_input_files("#photos", str(photo))
    phone.evaluate(f"window.civicgridReport.set({A1_1[0]}, {A1_1[1]}, 'wgs84')")
    phone.click("button.primary")
    phone.wait_for_url("**/events/E*/")
    assert phone.viewport_size["width"] == 375
    number = Event.objects.get().number
    assert number in phone.content() and phone.locator("img.thumb").count() == 1

    desk = login(browser, live_server, "frank")
    desk.goto(f"{live_server.url}/events/{number}/")
    step(desk, "accept")
    desk.locator(f"form.step-whistle input[value='{tree.police_a.code}']").check()
    step(desk, "whistle", note="社区协调不动，请派出所报到")
    assert "甲派出所" in desk.locator(".reportin").inner_text()

    police = login(browser, live_server, "erin")
    police.goto(f"{live_server.url}/events/inbox/")
    police.click(f"text={number}")
    step(police, "report_in")
    step(police, "resolve", note="已联系车主挪车", photo=str(photo))
    assert Event.objects.get().status == "resolved"

    phone.goto(f"{live_server.url}/events/tasks/")
    phone.click("#verify >> text=消防通道被私家车堵塞")
    step(phone, "verify", note="现场已畅通")

    desk.goto(f"{live_server.url}/events/{number}/")
    step(desk, "close")
    rate = desk.locator("form.step-rate")
    rate.locator("input[name=solved][value=yes]").check()
    rate.locator("select[name=satisfaction]").select_option("satisfied")
    rate.locator("button[type=submit]").click()
    desk.wait_for_load_state()
    assert Event.objects.get().status == "rated"
    assert desk.locator(".timeline li").count() == 8
    actions = list(Event.objects.get().steps.values_list("action", flat=True))
    assert actions == [
        "report",
        "accept",
        "whistle",
        "report_in",
        "resolve",
        "verify",
        "close",
        "rate",
    ]

    desk.goto(f"{live_server.url}/events/dashboard/{tree.community_a1.code}/")
    desk.wait_for_selector("#trend[data-ready='1']")
    assert desk.locator("[data-count=reported]").inner_text() == "1"
    assert desk.locator("[data-count=whistled]").inner_text() == "1"
    assert "100.0%" in desk.locator("[data-rate=satisfaction]").inner_text()
    assert "100.0%" in desk.locator("[data-rate=solution]").inner_text()
