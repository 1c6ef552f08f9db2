"""The cockpit's maps (issue 19): the choropleth's classes, the unit map's data (scoped,
no descriptions), the public map of service points (no login, rate-limited) and the demo."""

import pytest
from django.utils import timezone

from civicgrid.cockpit import maps
from civicgrid.cockpit.figures import Period
from civicgrid.cockpit.models_maps import ServicePoint

pytestmark = pytest.mark.django_db


def this_year() -> Period:
    return Period.containing("year", timezone.localdate())


# ---- classes -----------------------------------------------------------------------------------


def test_completeness_has_fixed_classes():
    assert maps.breaks_for(maps.MAP_FIGURES["completeness"], [10.0, 99.0]) == [60, 80, 90, 95]


def test_count_classes_are_quintiles_each_starting_at_a_value():
    figure = maps.MAP_FIGURES["overdue"]
    assert maps.breaks_for(figure, [0, 0, 1, 2, 3, 4, 5, 6, 7, 9]) == [1, 3, 5, 7]
    # All alike: one class.
    assert maps.breaks_for(figure, [2, 2, 2]) == []


def test_every_row_falls_in_the_legend_class_of_its_colour(tree, people, residents, reported):
    found = maps.choropleth(
        people["carol"], tree.street_a, maps.MAP_FIGURES["events_per_1000"], this_year()
    )
    assert found.level == "grid"
    values = {row.unit.code: row.value for row in found.rows}
    # Three events over two residents in A1-1; none over one resident in A1-2.
    assert values == {tree.grid_a1_1.code: 1500.0, tree.grid_a1_2.code: 0.0}
    for row in found.rows:
        holding = [c for c in found.legend if c.holds(row.value)]
        assert len(holding) == 1 and holding[0].colour == row.colour
    assert sum(c.count for c in found.legend) == len(found.rows)
    assert found.colours[tree.grid_a1_1.code] == [found.rows[0].colour, 1500.0]


def test_completeness_without_residents_is_no_data(tree, people):
    found = maps.choropleth(
        people["carol"], tree.street_a, maps.MAP_FIGURES["completeness"], this_year()
    )
    assert [row.value for row in found.rows] == [None, None]
    assert found.no_data == 2 and all(row.colour == maps.NO_DATA for row in found.rows)


def test_too_many_grids_colour_the_units_below(tree, people, settings):
    settings.COCKPIT_MAP_MAX_UNITS = 2
    found = maps.choropleth(people["dave"], tree.district, maps.MAP_FIGURES["overdue"], this_year())
    assert found.fell_back and found.level == "child"
    assert [row.unit.code for row in found.rows] == [tree.street_a.code, tree.street_b.code]


def test_a_grid_colours_itself(tree, people):
    found = maps.choropleth(
        people["alice"], tree.grid_a1_1, maps.MAP_FIGURES["overdue"], this_year()
    )
    assert [row.unit.code for row in found.rows] == [tree.grid_a1_1.code]


# ---- the unit map ------------------------------------------------------------------------------


def test_the_unit_map_shows_table_and_legend(client, tree, people, reported):
    client.force_login(people["carol"])
    response = client.get(
        f"/overview/{tree.street_a.code}/map/",
        {"figure": "overdue", "period": this_year().value},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-code="{tree.grid_a1_1.code}"' in body
    assert f'data-code="{tree.grid_b1_1.code}"' not in body
    assert 'id="map-legend"' in body and "leaflet.markercluster.js" in body


def test_the_unit_map_reads_in_a_fixed_number_of_queries(
    client, tree, people, reported, django_assert_max_num_queries
):
    client.force_login(people["dave"])
    with django_assert_max_num_queries(20):
        response = client.get(f"/overview/{tree.district.code}/map/", {"figure": "events_per_1000"})
    assert response.status_code == 200


@pytest.mark.parametrize("query", [{"figure": "noise"}, {"period": "2026-13"}, {"level": "street"}])
def test_bad_map_input_is_a_clear_error(client, tree, people, query):
    client.force_login(people["carol"])
    response = client.get(f"/overview/{tree.street_a.code}/map/", query)
    assert response.status_code == 400


def test_another_streets_map_is_not_found(client, tree, people):
    client.force_login(people["alice"])
    for path in ("", "units.geojson", "events.json", "service_points.geojson"):
        assert client.get(f"/overview/{tree.street_b.code}/map/{path}").status_code == 404


def test_the_map_needs_a_login(client, tree):
    response = client.get(f"/overview/{tree.street_a.code}/map/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_events_are_points_without_descriptions(client, tree, people, reported):
    client.force_login(people["carol"])
    response = client.get(
        f"/overview/{tree.street_a.code}/map/events.json", {"period": this_year().value}
    )
    data = response.json()
    numbers = {point[2] for point in data["points"]}
    assert numbers == {event.number for event in reported[:3]}
    assert "楼道" not in response.content.decode() and "张某" not in response.content.decode()
    assert data["truncated"] is False


def test_events_are_limited_in_count(client, tree, people, reported, settings):
    settings.COCKPIT_MAP_EVENTS_LIMIT = 2
    client.force_login(people["carol"])
    data = client.get(f"/overview/{tree.street_a.code}/map/events.json").json()
    assert len(data["points"]) == 2 and data["truncated"] is True


def test_outlines_are_the_coloured_units(client, tree, people):
    client.force_login(people["carol"])
    data = client.get(f"/overview/{tree.street_a.code}/map/units.geojson?level=grid").json()
    codes = {f["properties"]["code"] for f in data["features"]}
    assert codes == {tree.grid_a1_1.code, tree.grid_a1_2.code}


def test_point_layers_are_scoped(client, tree, people, points):
    client.force_login(people["dave"])
    data = client.get(f"/overview/{tree.district.code}/map/service_points.geojson").json()
    names = {f["properties"]["name"] for f in data["features"]}
    assert names == {"暖心驿站·老王面馆", "甲一社区党群服务中心", "乙街驿站"}
    data = client.get(f"/overview/{tree.grid_a1_2.code}/map/service_points.geojson").json()
    assert data["features"] == []  # the closed one is not drawn
    assert client.get(f"/overview/{tree.grid_a1_2.code}/map/venues.geojson").status_code == 200
    assert client.get(f"/overview/{tree.grid_a1_2.code}/map/bogus.geojson").status_code == 400
    # A grid worker has no overview of their grid, and no map of it either.
    client.force_login(people["bob"])
    path = f"/overview/{tree.grid_a1_2.code}/map/service_points.geojson"
    assert client.get(path).status_code == 404


# ---- the public map ----------------------------------------------------------------------------


def test_the_public_map_needs_no_login(client, points):
    response = client.get("/service-points/")
    assert response.status_code == 200
    assert "/service-points/points.geojson" in response.content.decode()


def test_the_public_geojson_has_active_points_only_and_filters(client, points):
    data = client.get("/service-points/points.geojson").json()
    names = {f["properties"]["name"] for f in data["features"]}
    assert names == {"暖心驿站·老王面馆", "甲一社区党群服务中心", "乙街驿站"}
    first = data["features"][0]["properties"]
    assert set(first) == {
        "layer", "kind", "kind_label", "name", "address", "hours", "services", "phone",
    }  # fmt: skip
    data = client.get("/service-points/points.geojson", {"kind": "service_centre"}).json()
    assert [f["properties"]["name"] for f in data["features"]] == ["甲一社区党群服务中心"]
    data = client.get("/service-points/points.geojson", {"service": "toilet"}).json()
    assert {f["properties"]["name"] for f in data["features"]} == {
        "甲一社区党群服务中心",
        "乙街驿站",
    }
    assert client.get("/service-points/points.geojson", {"kind": "bar"}).status_code == 400


def test_the_public_map_is_limited_per_address(client, points, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"service_points_ip": (3, 3600)}
    for url in ("/service-points/", "/service-points/points.geojson", "/service-points/"):
        assert client.get(url, REMOTE_ADDR="203.0.113.9").status_code == 200
    response = client.get("/service-points/points.geojson", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429 and response["Retry-After"]
    # Another address is not held back.
    assert client.get("/service-points/", REMOTE_ADDR="203.0.113.10").status_code == 200


# ---- the demo ----------------------------------------------------------------------------------


def test_the_demo_puts_warm_stations_in_shops(tree, people):
    from civicgrid.cockpit import map_demo
    from civicgrid.people import services as people_services

    for number in range(3):
        people_services.save_place(
            actor=people["alice"],
            unit=tree.micro_a1_1_1 if number == 0 else tree.grid_a1_1,
            name=f"面馆{number}",
            kind="restaurant",
            address=f"建设路{number}号",
            lon=113.51 + number * 0.001,
            lat=34.71,
        )
    assert map_demo.demo_part(tree.district.code, progress=False)
    warm = ServicePoint.objects.filter(kind="warm_station")
    assert sorted(warm.values_list("name", flat=True)) == [f"暖心驿站·面馆{n}" for n in range(3)]
    # A micro-grid's shop hangs on its grid.
    assert set(warm.values_list("unit_code", flat=True)) == {tree.grid_a1_1.code}
    assert all("charging" in services for services in warm.values_list("services", flat=True))
    # A civilisation practice station in each street's first community.
    stations = ServicePoint.objects.filter(kind="civility_station")
    assert set(stations.values_list("unit_code", flat=True)) == {
        tree.community_a1.code,
        tree.community_b1.code,
    }
    assert map_demo.demo_part(tree.district.code, progress=False) == ""
