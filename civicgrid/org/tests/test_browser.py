"""Real headless Chromium against a live server: log in, open the map, count what it draws."""

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_map_draws_the_users_units_and_no_others(browser, live_server, tree, people):
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "carol")
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "甲街道" in page.content()

    page.goto(f"{live_server.url}/org/map/")
    # Street, community, grid and dedicated-grid layers are on by default, micro-grids off.
    page.wait_for_function(
        "() => document.getElementById('map').dataset.loading === '0'"
        " && window.civicgridMap.codes.size > 0"
    )
    drawn = set(page.evaluate("Array.from(window.civicgridMap.codes.keys())"))
    assert drawn == {
        tree.street_a.code,
        tree.community_a1.code,
        tree.grid_a1_1.code,
        tree.grid_a1_2.code,
    }
    assert page.locator(".leaflet-interactive").count() > 0 or page.locator("canvas").count() > 0

    page.check("input[value=micro_grid]")
    page.wait_for_function("() => window.civicgridMap.codes.size === 5")
    assert tree.micro_a1_1_1.code in page.evaluate("Array.from(window.civicgridMap.codes.keys())")
    page.close()


PAYLOAD = "<img src=x onerror=window.__pwned=1>"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_unit_name_is_shown_as_text_not_run_as_html(browser, live_server, tree, people):
    from civicgrid.org import services

    services.update_unit(actor=None, unit=tree.grid_a1_1, name=PAYLOAD)
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "carol")
    page.fill("#id_password", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/org/map/")
    page.wait_for_function(
        "() => document.getElementById('map').dataset.loading === '0'"
        " && window.civicgridMap.codes.size > 0"
    )
    code = tree.grid_a1_1.code
    page.evaluate(f"window.civicgridMap.codes.get('{code}').openTooltip()")
    page.evaluate(f"window.civicgridMap.codes.get('{code}').openPopup()")
    assert page.locator(".leaflet-tooltip").inner_text() == PAYLOAD
    assert PAYLOAD in page.locator(".leaflet-popup-content").inner_text()
    assert page.locator(".leaflet-pane img").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.close()
