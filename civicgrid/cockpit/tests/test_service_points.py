"""The service-point registry (issue 19): who keeps it, what it accepts, the staff pages."""

import pytest

from civicgrid.cockpit.models_maps import ServicePoint
from civicgrid.cockpit.service_points import save_service_point
from civicgrid.cockpit.tests.conftest import IN_A1_1, IN_B1_1, point_data
from civicgrid.core.errors import InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db


def test_street_staff_keep_points_under_their_street(tree, people):
    point = save_service_point(actor=people["carol"], unit=tree.grid_a1_1, data=point_data())
    point.refresh_from_db()
    assert point.unit_code == tree.grid_a1_1.code
    assert point.services == ["charging", "water", "rest"]
    assert point.service_labels == ["充电", "饮水", "休息"]


@pytest.mark.parametrize("who", ["alice", "dave", "mallory"])
def test_workers_leaders_and_strangers_may_not_keep_points(tree, people, who):
    with pytest.raises(NotAllowed):
        save_service_point(actor=people[who], unit=tree.grid_a1_1, data=point_data())
    assert not ServicePoint.objects.exists()


def test_another_streets_keeper_may_not_move_a_point_to_them(tree, people, points, grace):
    with pytest.raises(NotAllowed):
        save_service_point(
            actor=grace,
            unit=tree.grid_b1_1,
            data=point_data(lon=IN_B1_1[0], lat=IN_B1_1[1]),
            point=points.warm,
        )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lon": 113.65, "lat": 34.72}, "lon"),  # in street B, not in grid A1-1
        ({"lon": None}, "lon"),
        ({"name": "  "}, "name"),
        ({"kind": "bar"}, "kind"),
        ({"services": ["charging", "massage"]}, "services"),
        ({"phone": "call me"}, "phone"),
        ({"hours": "x" * 101}, "hours"),
    ],
)
def test_bad_input_names_its_field(tree, people, fields, field):
    with pytest.raises(InvalidInput) as caught:
        save_service_point(actor=people["carol"], unit=tree.grid_a1_1, data=point_data(**fields))
    assert caught.value.field == field


def test_a_point_hangs_on_a_community_or_a_grid(tree, people):
    with pytest.raises(InvalidInput) as caught:
        save_service_point(actor=people["carol"], unit=tree.street_a, data=point_data())
    assert caught.value.field == "unit"


def test_one_name_per_unit(tree, people, points):
    with pytest.raises(InvalidInput) as caught:
        save_service_point(actor=people["carol"], unit=tree.grid_a1_1, data=point_data())
    assert caught.value.field == "name"


# ---- pages -------------------------------------------------------------------------------------


def test_the_list_shows_the_users_points_only(client, tree, people, points):
    client.force_login(people["carol"])
    response = client.get("/service-points/manage/", {"unit": tree.street_a.code})
    assert response.status_code == 200
    body = response.content.decode()
    assert "暖心驿站·老王面馆" in body and "甲一社区党群服务中心" in body
    assert "乙街驿站" not in body
    # Another street's unit is answered like a missing one.
    assert client.get("/service-points/manage/", {"unit": tree.street_b.code}).status_code == 404


def test_the_list_filters_by_kind_and_service(client, tree, people, points):
    client.force_login(people["carol"])
    body = client.get(
        "/service-points/manage/", {"unit": tree.street_a.code, "kind": "service_centre"}
    ).content.decode()
    assert "甲一社区党群服务中心" in body and "暖心驿站·老王面馆" not in body
    body = client.get(
        "/service-points/manage/", {"unit": tree.street_a.code, "service": "charging"}
    ).content.decode()
    assert "暖心驿站·老王面馆" in body and "甲一社区党群服务中心" not in body
    response = client.get("/service-points/manage/", {"unit": tree.street_a.code, "kind": "x"})
    assert response.status_code == 400


def test_the_list_reads_in_a_fixed_number_of_queries(
    client, tree, people, points, django_assert_max_num_queries
):
    for number in range(30):
        save_service_point(
            actor=people["carol"], unit=tree.grid_a1_1, data=point_data(name=f"驿站{number}")
        )
    client.force_login(people["carol"])
    with django_assert_max_num_queries(14):
        response = client.get("/service-points/manage/", {"unit": tree.street_a.code})
    assert response.status_code == 200
    assert response.content.decode().count('data-point="') == 33


def test_staff_add_a_point_through_the_form(client, tree, people):
    client.force_login(people["carol"])
    assert (
        client.get("/service-points/manage/new/", {"unit": tree.community_a1.code}).status_code
        == 200
    )
    response = client.post(
        "/service-points/manage/new/",
        {
            "unit": tree.grid_a1_1.code,
            "kind": "warm_station",
            "name": "暖心驿站·新店",
            "lon": str(IN_A1_1[0]),
            "lat": str(IN_A1_1[1]),
            "crs": "wgs84",
            "services": ["charging", "water"],
            "hours": "24小时",
            "phone": "0371-66668888",
            "active": "1",
        },
    )
    assert response.status_code == 302
    point = ServicePoint.objects.get(name="暖心驿站·新店")
    assert point.services == ["charging", "water"] and point.active


def test_a_bad_form_is_shown_again_with_its_error(client, tree, people):
    client.force_login(people["carol"])
    response = client.post(
        "/service-points/manage/new/",
        {"unit": tree.grid_a1_1.code, "kind": "warm_station", "name": "驿站", "lon": "east"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="form-error"' in body and 'value="驿站"' in body
    assert not ServicePoint.objects.exists()


def test_another_streets_point_is_not_found(client, people, points, grace):
    client.force_login(grace)
    assert client.get(f"/service-points/manage/{points.warm.pk}/").status_code == 404
    assert client.post(f"/service-points/manage/{points.warm.pk}/", {}).status_code == 404
    client.force_login(people["carol"])
    assert client.get(f"/service-points/manage/{points.warm.pk}/").status_code == 200


def test_the_registry_needs_a_login(client):
    response = client.get("/service-points/manage/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["alice", "dave", "erin"])
def test_the_form_is_refused_to_who_may_not_keep_points(client, people, who):
    client.force_login(people[who])
    assert client.get("/service-points/manage/new/").status_code == 403


@pytest.mark.parametrize(("who", "status"), [("dave", 200), ("alice", 404), ("erin", 404)])
def test_the_registry_is_for_its_keepers_and_the_leader(client, people, who, status):
    client.force_login(people[who])
    assert client.get("/service-points/manage/").status_code == status
