"""Issue 14, maps that help: the grid worker's event map opens on their events (it opened on
the district's centre, 11 km away), draws the buildings and places civicgrid knows as
labelled context and lists what it shows; Leaflet's flag gives way to plain text."""

import math

import pytest

from civicgrid.events.tests.conftest import A1_1

PASSWORD = "correct horse battery"


def login(browser, live_server, username):
    page = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def km(a, b) -> float:
    """Distance between two (lat, lon) points, flat-earth: fine for a few km."""
    dy = (a[0] - b[0]) * 111.2
    dx = (a[1] - b[1]) * 111.2 * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


@pytest.fixture
def area(people, tree):
    from civicgrid.events import services
    from civicgrid.events.models import Category
    from civicgrid.people import services as people_services
    from civicgrid.people.models import PlaceKind

    alice = people["alice"]
    category = Category.objects.get(code="2201")
    events = [
        services.report_event(
            actor=alice,
            title=f"楼道堆物{i}",
            category=category,
            lon=A1_1[0] + i * 0.001,
            lat=A1_1[1],
        )
        for i in range(3)
    ]
    people_services.save_building(
        actor=alice, unit=tree.grid_a1_1, estate="锦绣城", name="3号楼", lon=113.531, lat=34.7305
    )
    people_services.save_place(
        actor=alice,
        unit=tree.grid_a1_1,
        name="老王面馆",
        kind=PlaceKind.values[0],
        lon=113.5312,
        lat=34.7298,
    )
    # In another grid: never shown to alice.
    people_services.save_building(
        actor=people["bob"],
        unit=tree.grid_a1_2,
        estate="别家小区",
        name="1号楼",
        lon=113.5315,
        lat=34.7301,
    )
    return events


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_event_map_opens_on_the_workers_events_with_context(browser, live_server, area):
    page = login(browser, live_server, "alice")
    page.goto(f"{live_server.url}/events/map/")
    page.wait_for_function("() => window.civicgridEvents && window.civicgridEvents.count === 3")
    page.wait_for_function("() => document.getElementById('events-map').dataset.context > '0'")
    # The view holds the events (it used to open on the district's centre, 11 km away).
    centre = page.evaluate(
        "(() => { const c = civicgridEvents.map.getCenter(); return [c.lat, c.lng]; })()"
    )
    assert km(centre, (A1_1[1], A1_1[0])) < 0.5
    assert page.evaluate("civicgridEvents.map.getZoom()") >= 15
    assert page.locator("#event-list li").count() == 3
    assert area[0].number in page.locator("#event-list").inner_text()
    context = page.locator("#context-list").inner_text()
    assert "锦绣城3号楼" in context and "老王面馆" in context and "别家小区" not in context
    # Plain text, no flag image, in the attribution.
    attribution = page.locator(".leaflet-control-attribution")
    assert attribution.locator("svg").count() == 0 and "Leaflet" in attribution.inner_text()
