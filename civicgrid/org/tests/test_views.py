import pytest
from django.urls import reverse

from civicgrid.org.models import OrgUnit


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def pages(tree):
    return [
        reverse("home"),
        reverse("org:tree"),
        reverse("org:tree_children", args=[tree.grid_a1_1.code]),
        reverse("org:unit", args=[tree.grid_a1_1.code]),
        reverse("org:map"),
        reverse("org:map_geojson"),
    ]


def test_anonymous_users_are_sent_to_log_in(client, tree):
    for url in pages(tree):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_alice_opens_every_page_of_her_grid(login, tree, people):
    client = login(people["alice"])
    for url in pages(tree):
        assert client.get(url).status_code == 200, url


def test_a_unit_outside_ones_scope_is_answered_like_a_missing_one(login, tree, people):
    client = login(people["bob"])
    assert client.get(reverse("org:unit", args=[tree.grid_a1_1.code])).status_code == 404
    assert client.get(reverse("org:unit", args=["999999999"])).status_code == 404
    assert client.get(reverse("org:tree_children", args=[tree.grid_a1_1.code])).status_code == 404
    assert (
        client.get(reverse("org:map_geojson"), {"parent": tree.grid_a1_1.code}).status_code == 404
    )


def test_the_read_only_leader_sees_the_whole_district(login, tree, people):
    client = login(people["dave"])
    response = client.get(reverse("org:unit", args=[tree.grid_b1_1.code]))
    assert response.status_code == 200
    assert "甲一第1网格" not in response.content.decode()
    home = client.get(reverse("home")).content.decode()
    assert "只读" in home


def test_the_map_data_holds_only_the_users_units(login, tree, people):
    client = login(people["alice"])
    features = client.get(reverse("org:map_geojson")).json()["features"]
    assert {f["properties"]["code"] for f in features} == {
        tree.grid_a1_1.code,
        tree.micro_a1_1_1.code,
    }
    grids = client.get(reverse("org:map_geojson"), {"kind": "grid"}).json()["features"]
    assert [f["properties"]["code"] for f in grids] == [tree.grid_a1_1.code]


def test_the_map_shifts_to_gcj02_for_gcj02_tiles(login, tree, people, settings):
    client = login(people["alice"])
    plain = client.get(reverse("org:map_geojson"), {"kind": "grid"}).json()
    settings.MAP_TILE_CRS = "gcj02"
    shifted = client.get(reverse("org:map_geojson"), {"kind": "grid"}).json()
    lon, lat = plain["features"][0]["geometry"]["coordinates"][0][0]
    slon, slat = shifted["features"][0]["geometry"]["coordinates"][0][0]
    assert 0.001 < abs(slon - lon) < 0.01 and 0.0005 < abs(slat - lat) < 0.01


def test_the_unit_page_lists_staff_sub_units_and_counts(
    login, tree, people, django_assert_max_num_queries
):
    client = login(people["carol"])
    client.get("/")  # the first request after log-in starts the idle timer (a session write)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("org:unit", args=[tree.community_a1.code]))
    html = response.content.decode()
    assert "甲一第1网格" in html and "甲一第2网格" in html
    assert "Alice" not in html  # staff are listed at their own unit only
    grid_page = client.get(reverse("org:unit", args=[tree.grid_a1_1.code])).content.decode()
    assert "Alice" in grid_page and "网格员" in grid_page


def test_the_tree_loads_children_of_visible_units(login, tree, people):
    client = login(people["carol"])
    html = client.get(reverse("org:tree_children", args=[tree.street_a.code])).content.decode()
    assert "甲一社区" in html and "甲派出所" in html
    assert "乙一社区" not in html


def test_the_interface_is_chinese_unless_the_user_chooses_english(login, tree, people):
    client = login(people["alice"])
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "地图" in html and "网格员" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Map" in client.get(reverse("home")).content.decode()


def test_repeated_failed_logins_make_that_address_wait(client, people, settings):
    # The growing wait itself is tested in accounts/tests/test_lockout.py.
    settings.LOGIN_FIRST_DELAY_SECONDS = 600
    url = reverse("login")
    for _ in range(settings.LOGIN_FREE_FAILURES):
        client.post(url, {"username": "alice", "password": "wrong"})
    response = client.post(url, {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 600
    assert "_auth_user_id" not in client.session


def test_a_user_logs_in_and_out(client, people):
    response = client.post(
        reverse("login"), {"username": "alice", "password": "correct horse battery"}
    )
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_passwords_are_hashed_with_argon2(people):
    assert people["alice"].password.startswith("argon2")


def test_the_admin_follows_roles_not_model_permissions(login, tree, people, make_user):
    carol = login(people["carol"])  # street staff, is_staff, no Django permissions
    assert carol.get(reverse("admin:index")).status_code == 200
    html = carol.get(reverse("admin:org_orgunit_changelist")).content.decode()
    assert "甲一社区" in html and "乙一社区" not in html
    assert carol.get(reverse("admin:org_posting_add")).status_code == 200
    found = carol.get(
        reverse("admin:autocomplete"),
        {"term": "社区", "app_label": "org", "model_name": "posting", "field_name": "unit"},
    ).json()["results"]
    assert [r["text"] for r in found] == ["甲一社区"]
    street_page = reverse("admin:org_orgunit_change", args=[tree.street_a.pk])
    assert 'name="name"' not in carol.get(street_page).content.decode()  # her own street: view only
    grid_page = reverse("admin:org_orgunit_change", args=[tree.grid_a1_1.pk])
    assert 'name="name"' in carol.get(grid_page).content.decode()
    worker = make_user("wendy", unit=tree.grid_a1_1, role="grid_worker", is_staff=True)
    assert login(worker).get(reverse("admin:org_orgunit_changelist")).status_code == 403


def test_the_admin_shows_a_street_officer_only_her_street(login, tree, people):
    from django.contrib.auth.models import Permission

    carol = people["carol"]
    carol.user_permissions.add(*Permission.objects.filter(content_type__app_label="org"))
    client = login(carol)
    html = client.get(reverse("admin:org_orgunit_changelist"), {"q": "社区"}).content.decode()
    assert "甲一社区" in html and "乙一社区" not in html
    other = OrgUnit.objects.get(pk=tree.community_b1.pk)
    assert client.get(reverse("admin:org_orgunit_change", args=[other.pk])).status_code == 302
