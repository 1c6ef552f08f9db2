"""The overview in real Chromium at 1280 px: every section's cards with real figures (events
reported through the services, classes from their rollup), the trend drawn, and a drill-down
by clicks from the district to a grid."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from civicgrid.events.tests.conftest import A1_1

PASSWORD = "correct horse battery"


@pytest.fixture
def this_month(people, tree):
    from civicgrid.classes.models import ClassRollup
    from civicgrid.events import services
    from civicgrid.events.models import Category

    category = Category.objects.get(code="2201")
    for i in range(3):
        services.report_event(
            actor=people["alice"],
            title=f"楼道堆物{i}",
            category=category,
            lon=A1_1[0] + i * 0.001,
            lat=A1_1[1],
        )
    month = timezone.localdate().replace(day=1)
    ClassRollup.objects.create(unit=tree.grid_a1_1, month=month, held=4, attended=61)
    return tree


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_overview_at_1280_px_drills_down_to_a_grid(browser, live_server, this_month):
    tree = this_month
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "dave")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/overview/")
    page.wait_for_url(f"**/overview/{tree.district.code}/")
    assert page.locator("[data-figure='events.reported'] .big a").inner_text() == "3"
    assert page.locator("[data-figure='classes.held'] .big a").inner_text() == "4"
    assert page.locator("[data-figure='classes.attendances'] .big a").inner_text() == "61"
    assert page.locator(".overview-section").count() >= 7
    page.wait_for_function("() => document.getElementById('overview-trend').dataset.ready")
    # The cards sit side by side at 1280 px, not one per line.
    boxes = [page.locator("#section-events .figure-card").nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[1]["x"] > boxes[0]["x"]
    row = page.locator(f"#below-table tr[data-unit='{tree.street_a.code}']")
    assert row.locator("[data-key='events.reported']").inner_text() == "3"
    assert row.locator("[data-key='classes.held']").inner_text() == "4"
    if os.environ.get("COCKPIT_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['COCKPIT_SCREENSHOTS']}/district.png", full_page=True)

    for unit in (tree.street_a, tree.community_a1, tree.grid_a1_1):
        page.click(f"#below-table tr[data-unit='{unit.code}'] th a")
        page.wait_for_url(f"**/overview/{unit.code}/?period=*")
        assert page.locator("h1").inner_text().startswith("全域概览")
    assert page.locator("[data-figure='events.reported'] .big a").inner_text() == "3"
    assert page.locator("#breadcrumbs a").count() == 3

    # The period picker: a year.
    page.select_option("#period-select", str(dt.date.today().year))
    page.wait_for_url(f"**period={dt.date.today().year}")
    assert page.locator("[data-figure='classes.held'] .big a").inner_text() == "4"
