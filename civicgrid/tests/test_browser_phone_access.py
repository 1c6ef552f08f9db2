"""Issue 14, broken on a phone: at 375 px the resident search field keeps most of the row,
the dispatch board and the four-rates unit table become cards instead of squeezing titles
to 1–3 characters a line or running 80 px past the screen, and the report pages ask for no
file that is not there (the default Leaflet pin image used to answer 404)."""

import pytest

from civicgrid.events.tests.conftest import A1_1

PASSWORD = "correct horse battery"
PHONE = {"width": 375, "height": 812}
DESK = {"width": 1280, "height": 900}


def login(browser, live_server, username, viewport=PHONE, **context):
    page = browser.new_context(viewport=viewport, **context).new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def report_some(staff, n=3):
    from civicgrid.events import services
    from civicgrid.events.models import Category

    category = Category.objects.get(code="2201")
    return [
        services.report_event(
            actor=staff["alice"],
            title=f"楼道里堆放杂物影响通行需要尽快清理第{i}处",
            category=category,
            lon=A1_1[0],
            lat=A1_1[1],
        )
        for i in range(n)
    ]


@pytest.fixture
def staff(people, tree, make_user):
    from civicgrid.org.roles import Role

    return people | {
        "frank": make_user("frank", unit=tree.community_a1, role=Role.COMMUNITY_STAFF),
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_the_resident_search_field_takes_most_of_the_row(browser, live_server, staff, viewport):
    page = login(browser, live_server, "alice", viewport=viewport)
    page.goto(f"{live_server.url}/people/")
    form = page.locator("form.searchbox").bounding_box()
    field = page.locator("form.searchbox input[type=search]").bounding_box()
    button = page.locator("form.searchbox button").bounding_box()
    assert field["width"] >= 0.6 * form["width"]
    assert button["height"] >= 40 and button["y"] == pytest.approx(field["y"], abs=4)
    assert width(page) <= viewport["width"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_board_and_the_unit_table_are_cards_on_a_phone(browser, live_server, staff, tree):
    events = report_some(staff)
    page = login(browser, live_server, "frank")
    page.goto(f"{live_server.url}/events/board/{tree.community_a1.code}/")
    assert width(page) <= 375
    row = page.locator(f"tr[data-number='{events[0].number}']")
    title = row.locator("td[data-label]").nth(1)
    # The title cell gets the card's width: a few lines, not one character a line.
    assert title.bounding_box()["width"] >= 200
    assert "楼道里堆放杂物" in title.inner_text()
    assert row.bounding_box()["width"] >= 300

    page.goto(f"{live_server.url}/events/dashboard/{tree.community_a1.code}/")
    assert width(page) <= 375
    assert page.locator("td[data-label]").count() >= 6

    desk = login(browser, live_server, "frank", viewport=DESK)
    desk.goto(f"{live_server.url}/events/board/{tree.community_a1.code}/")
    # On a desk it stays a table with its header row.
    assert desk.locator("table.events thead th").first.is_visible()
    first_cell = desk.locator(f"tr[data-number='{events[0].number}'] td").first
    assert first_cell.bounding_box()["height"] < 60


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_report_pages_ask_for_no_missing_file(browser, live_server, staff):
    context = {
        "geolocation": {"longitude": A1_1[0], "latitude": A1_1[1]},
        "permissions": ["geolocation"],
    }
    public = browser.new_context(viewport=PHONE, **context).new_page()
    worker = login(browser, live_server, "alice", **context)
    for page, path in ((public, "/r/"), (worker, "/events/report/")):
        missing = []
        page.on("response", lambda r, missing=missing: r.status >= 400 and missing.append(r.url))
        page.goto(f"{live_server.url}{path}")
        page.click("#locate")
        page.wait_for_function("() => document.getElementById('lon').value !== ''")
        page.wait_for_load_state("networkidle")
        assert missing == [], path
        assert page.locator("#pick-map path.leaflet-interactive").count() >= 1
        assert width(page) <= 375


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_unit_picker_works_from_the_keyboard(browser, live_server, staff, tree):
    page = login(browser, live_server, "carol")
    page.goto(f"{live_server.url}/people/units/{tree.street_a.code}/situations/")
    search = page.locator("#unit-search")
    search.focus()
    page.keyboard.type("jyd")
    page.wait_for_selector("#unit-list [role=option]")
    options = page.locator("#unit-list [role=option]")
    assert options.count() == 3  # two grids and the micro-grid
    assert "甲一社区 › 甲一第2网格" in options.nth(1).inner_text()
    assert "3" in page.locator("#unit-status").inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == "unit-search-option-1"
    page.keyboard.press("Enter")
    assert page.locator("#unit").input_value() == tree.grid_a1_2.code
    assert search.input_value() == "甲街道 › 甲一社区 › 甲一第2网格"
    assert "甲一第2网格" in page.locator("#unit-status").inner_text()
    assert width(page) <= 375
