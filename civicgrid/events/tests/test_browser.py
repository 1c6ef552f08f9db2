"""The whole loop in real headless Chromium: a grid worker reports on the phone page with a
photo; the community accepts and whistles; the police report in and resolve; the worker
verifies; the community closes and records the rating; the dashboard shows the figures. The
event page fits a phone's width while it is being handled."""

import pytest

from civicgrid.events.models import Category, Event
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


def reveal(page, action):
    """The step's form, opening "更多操作" when the step is not the page's main one."""
    form = page.locator(f"form.step-{action}")
    if not form.is_visible():
        page.locator("details.more-steps > summary").click()
    return form


def step(page, action, note=None, photo=None):
    form = reveal(page, action)
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
    reveal(desk, "whistle").locator(f"input[value='{tree.police_a.code}']").check()
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
    rate = reveal(desk, "rate")
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


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_event_page_fits_a_phone_while_it_is_handled(browser, live_server, staff, tree):
    from civicgrid.events import services
    from civicgrid.org import services as org_services
    from civicgrid.org.kinds import DepartmentKind, Kind

    # Real names are long: a market regulation office, a worker posted with her grid's name.
    org_services.create_unit(
        actor=None,
        parent=tree.street_a,
        kind=Kind.DEPARTMENT,
        name="郑州市中原区市场监督管理局林山寨市场监督管理所综合执法队",
        subkind=DepartmentKind.MARKET_REGULATION,
    )
    alice, frank = staff["alice"], staff["frank"]
    alice.full_name = "欧阳娜娜（甲一社区第1网格专职网格员兼微网格长）"
    alice.save()
    event = services.report_event(
        actor=alice,
        title="三号楼东侧消防通道被多辆私家车长期占用堵塞，影响消防车通行，居民反映强烈",
        description="现场照片见附件。" * 20,
        address="河南纺机社区三号楼东侧消防通道（靠近小区东门岗亭与垃圾分类投放点之间）",
        category=Category.objects.get(code="2101"),
        lon=A1_1[0],
        lat=A1_1[1],
    )
    waiting = services.accept_event(
        actor=frank,
        event=services.report_event(
            actor=alice,
            title="楼道堆物",
            category=Category.objects.get(code="0103"),
            lon=A1_1[0],
            lat=A1_1[1],
        ),
    )
    event = services.accept_event(actor=frank, event=event)
    event = services.dispatch_event(actor=frank, event=event, handler_user=alice)
    services.sign_event(actor=alice, event=event)

    phone = login(browser, live_server, "alice", viewport={"width": 375, "height": 800})
    phone.goto(f"{live_server.url}/events/{event.number}/")
    assert phone.locator("form.step-resolve button.primary").is_visible()
    assert fits(phone), phone.evaluate("document.documentElement.scrollWidth")
    phone.locator("details.more-steps > summary").click()
    assert phone.locator("form.step-return").is_visible()
    assert fits(phone), phone.evaluate("document.documentElement.scrollWidth")
    # A refused resolve (no photo) keeps the note and still fits.
    phone.locator("form.step-resolve input[name=note]").fill("已联系车主挪车")
    phone.locator("form.step-resolve button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.locator("form.step-resolve input[name=note]").input_value() == "已联系车主挪车"
    assert phone.locator("#resolve-error").is_visible()
    assert fits(phone), phone.evaluate("document.documentElement.scrollWidth")

    desk = login(browser, live_server, "frank", viewport={"width": 375, "height": 800})
    for number in (event.number, waiting.number):
        desk.goto(f"{live_server.url}/events/{number}/")
        if desk.locator("details.more-steps").count():
            desk.locator("details.more-steps > summary").click()
        assert fits(desk), (number, desk.evaluate("document.documentElement.scrollWidth"))
