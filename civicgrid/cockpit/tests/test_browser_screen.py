"""The big screen in real Chromium at 1920×1080 (issue 19): a secret link opens it without a
log-in, it states the overview's figures, fits the display without scrolling, rotates its
panels and refreshes its figures without a reload; signed in, a district's screen ranks its
streets."""

import os

import pytest
from django.core.cache import cache
from django.utils import timezone

from civicgrid.cockpit import figures, screens
from civicgrid.events.tests.conftest import A1_1

PASSWORD = "correct horse battery"
FULL_HD = {"width": 1920, "height": 1080}


def report(actor, title, lon, lat):
    from civicgrid.events import services
    from civicgrid.events.models import Category

    return services.report_event(
        actor=actor,
        title=title,
        category=Category.objects.get(code="2201"),
        lon=lon,
        lat=lat,
    )


def tile(page, key: str) -> str:
    return page.locator(f'#headline li[data-key="{key}"] .tile-value b').inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_big_screen_at_full_hd(browser, live_server, people, tree, make_user, tmp_path):
    from civicgrid.org.roles import Role

    cache.clear()
    alice = people["alice"]
    for i in range(3):
        report(alice, f"楼道堆物{i}", A1_1[0] + i * 0.001, A1_1[1])
    bea = make_user("bea", unit=tree.grid_b1_1, role=Role.GRID_WORKER)
    report(bea, "乙街道的井盖", 113.62, 34.72)
    link, token = screens.create_link(actor=people["carol"], unit=tree.street_a, label="大厅")
    month = figures.Period.containing("month", timezone.localdate())
    expected = figures.overview(tree.street_a, month)

    page = browser.new_context(viewport=FULL_HD).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(f"{live_server.url}/screen/s/{token}/")
    assert response.status == 200
    page.wait_for_function("() => document.getElementById('screen').dataset.ready === '1'")
    assert tile(page, "events.reported") == str(expected.figure("events.reported").value) == "3"
    assert tile(page, "people.persons") == str(expected.figure("people.persons").value)
    assert page.locator("#screen-title").inner_text() == tree.street_a.name
    assert page.locator("#points-count").inner_text() == "3"
    # A wall display: everything fits 1920×1080, nothing scrolls.
    size = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size[0] <= 1920 and size[1] <= 1080
    # The map, the trend chart (12 months) and the first ranking are drawn.
    assert page.evaluate("!!civicgridScreen.map") is True
    assert page.locator("#screen-trend svg").count() == 1
    assert tree.community_a1.name in page.locator("#panel").inner_text()
    # The panels rotate: after the rankings come the modules' figures and the honour list.
    count = page.evaluate("civicgridScreen.panels.length")
    assert count >= 3
    page.evaluate(f"civicgridScreen.showPanel({count - 1})")
    assert page.locator('#panel [data-panel="honours"]').count() == 1
    # No event title anywhere on a secret link's screen.
    assert "楼道堆物" not in page.content()
    if os.environ.get("CIVICGRID_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["CIVICGRID_SCREENSHOTS"], "screen-link.png"))

    # A new event: the screen shows it at its next refresh, without a reload.
    report(alice, "楼道堆物3", A1_1[0] + 0.004, A1_1[1])
    cache.clear()
    page.evaluate("civicgridScreen.refresh()")
    page.wait_for_function("() => civicgridScreen.refreshed === 1")
    assert tile(page, "events.reported") == "4"
    assert page.locator("#points-count").inner_text() == "4"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert errors == []
    # Revoked: at its next refresh the screen drops its figures.
    screens.revoke_link(actor=people["carol"], link=link)
    page.evaluate("civicgridScreen.refresh()")
    page.wait_for_function("() => civicgridScreen.gone === true")
    assert page.locator("#headline").count() == 0 and page.locator("#screen-gone").count() == 1

    # Signed in, the district's screen ranks its two streets.
    signed_in = browser.new_context(viewport=FULL_HD).new_page()
    signed_in.goto(f"{live_server.url}/login/")
    signed_in.fill("#id_username", "dave")
    signed_in.fill("#id_password", PASSWORD)
    signed_in.click("button[type=submit]")
    signed_in.wait_for_url(f"{live_server.url}/")
    signed_in.goto(f"{live_server.url}/screen/{tree.district.code}/")
    signed_in.wait_for_function("() => document.getElementById('screen').dataset.ready === '1'")
    assert tile(signed_in, "events.reported") == "5"
    ranking = signed_in.locator("#panel").inner_text()
    assert tree.street_a.name in ranking and tree.street_b.name in ranking
    if os.environ.get("CIVICGRID_SCREENSHOTS"):
        path = os.path.join(os.environ["CIVICGRID_SCREENSHOTS"], "screen-district.png")
        signed_in.screenshot(path=path)
