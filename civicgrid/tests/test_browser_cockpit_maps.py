"""Issue 19, the cockpit's maps in Chromium: the choropleth legend matches the table (each
row's value lies in the legend class of its colour, and its grid is filled with that
colour), the layers load, and the public map of service points opens without a login."""

import pytest
from django.utils import timezone

from civicgrid.cockpit.tests.conftest import IN_A1_1

PASSWORD = "correct horse battery"


def login(browser, live_server, username, width=1280, height=900):
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.fixture
def mapped(tree, people, make_user):
    """Events in two grids of street A (3 in A1-1, 1 in A1-2) and residents in both, so each
    grid has its own events per 1,000 residents; and one service point."""
    from civicgrid.cockpit.service_points import save_service_point
    from civicgrid.cockpit.tests.conftest import point_data
    from civicgrid.events import services
    from civicgrid.events.models import Category
    from civicgrid.people import services as people_services

    category = Category.objects.get(code="2201")
    for number in range(3):
        services.report_event(
            actor=people["alice"],
            title=f"堆物{number}",
            category=category,
            lon=IN_A1_1[0] + number * 0.001,
            lat=IN_A1_1[1],
        )
    services.report_event(
        actor=people["bob"], title="堆物", category=category, lon=113.57, lat=34.73
    )
    import datetime as dt

    from civicgrid.people.services import PersonData
    from civicgrid.people.tests.conftest import id_number

    serial = 1
    for worker, unit, count in (
        (people["alice"], tree.grid_a1_1, 4),
        (people["bob"], tree.grid_a1_2, 1),
    ):
        building = people_services.save_building(actor=worker, unit=unit, estate="园", name="1号楼")
        for number in range(count):
            house = people_services.save_house(
                actor=worker, building=building, entrance=1, room=f"{number + 1}01"
            )
            household = people_services.save_household(actor=worker, house=house)
            people_services.save_person(
                actor=worker,
                data=PersonData(
                    name=f"居民{serial}",
                    id_number=id_number(dt.date(1980, 1, 1), serial),
                    relation="head",
                ),
                household=household,
            )
            serial += 2
    save_service_point(actor=people["carol"], unit=tree.grid_a1_1, data=point_data())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_choropleth_legend_matches_the_table(browser, live_server, tree, mapped):
    page = login(browser, live_server, "carol")
    year = timezone.localdate().year
    page.goto(
        f"{live_server.url}/overview/{tree.street_a.code}/map/?figure=events_per_1000&period={year}"
    )
    page.wait_for_function(
        "() => Number(document.getElementById('unit-map').dataset.choropleth) > 0"
    )
    page.wait_for_function("() => document.getElementById('unit-map').dataset.layerServicePoints")
    rows = page.eval_on_selector_all(
        "#map-table tbody tr[data-code]",
        "rows => rows.map(r => [r.dataset.code, r.dataset.value, r.dataset.colour])",
    )
    legend = page.eval_on_selector_all(
        "#map-legend li",
        "items => items.map(i => [i.dataset.low, i.dataset.high, i.dataset.colour,"
        " Number(i.querySelector('.count').textContent)])",
    )
    fills = page.evaluate("civicgridUnitMap.fills")
    assert len(rows) == 2 and {code for code, _, _ in rows} == set(fills)
    for code, value, colour in rows:
        # The grid is filled with its row's colour ...
        assert fills[code] == colour
        # ... which is the colour of the one legend class that holds its value.
        holding = [
            c
            for low, high, c, _count in legend
            if value != ""
            and (low == "" or float(value) >= float(low))
            and (high == "" or float(value) < float(high))
        ]
        assert holding == [colour]
    # The legend counts the table's rows.
    assert sum(count for *_, count in legend) == len(rows)
    # 3 events over 4 residents, 1 over 1: two classes, two colours.
    assert sorted(float(value) for _, value, _ in rows) == [750.0, 1000.0]
    assert len({colour for *_, colour in rows}) == 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_public_map_lists_service_points_without_login(browser, live_server, mapped):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/service-points/")
    page.wait_for_function("() => document.getElementById('public-map').dataset.count === '1'")
    assert "暖心驿站·老王面馆" in page.locator("#point-list").inner_text()
    assert "充电" in page.locator("#point-list").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_map_pages_pass_axe(browser, live_server, tree, people, mapped):
    from civicgrid.tests.test_browser_axe import context, violations

    page = context(browser, width=1280, height=900).new_page()
    found = {}
    page.goto(f"{live_server.url}/service-points/")
    page.wait_for_function("() => document.getElementById('public-map').dataset.count === '1'")
    found["/service-points/"] = violations(page)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "carol")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for path in (
        f"/overview/{tree.street_a.code}/map/",
        f"/service-points/manage/?unit={tree.street_a.code}",
        f"/service-points/manage/new/?unit={tree.community_a1.code}",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        found[path] = violations(page)
    assert {path: lines for path, lines in found.items() if lines} == {}
