import itertools

import pytest
from django.urls import reverse

from civicgrid.cockpit.tests.conftest import NOV


def page(code: str, **query) -> str:
    url = reverse("cockpit:overview", args=[code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_anonymous_is_sent_to_log_in(client, tree):
    response = client.get(page(tree.district.code))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_home_redirects_to_the_users_own_unit(client, people, tree):
    client.force_login(people["carol"])

    response = client.get(reverse("cockpit:overview_home"))
    assert response.status_code == 302
    assert response["Location"] == page(tree.street_a.code)
    with_period = client.get(reverse("cockpit:overview_home") + "?period=2025-Q4")
    assert with_period["Location"] == page(tree.street_a.code, period="2025-Q4")


def test_home_is_404_for_a_user_without_an_overview_role(client, people):
    client.force_login(people["alice"])

    assert client.get(reverse("cockpit:overview_home")).status_code == 404


@pytest.mark.parametrize("who", ["carol", "alice", "erin", "mallory"])
def test_another_streets_overview_is_404(client, people, tree, who):
    client.force_login(people[who])

    assert client.get(page(tree.street_b.code)).status_code == 404


def test_a_missing_unit_is_404(client, people):
    client.force_login(people["dave"])

    assert client.get(page("999999999")).status_code == 404


def test_the_district_overview_shows_every_section_and_the_streets(client, people, rolled):
    client.force_login(people["dave"])

    response = client.get(page(rolled.district.code, period="2025-11"))

    assert response.status_code == 200
    body = response.content.decode()
    for key in ("events", "whistles", "people", "mediation", "classes", "party", "volunteers"):
        assert f'id="section-{key}"' in body
    assert 'data-figure="classes.held"' in body
    assert page(rolled.street_a.code, period="2025-11") in body
    assert page(rolled.street_b.code, period="2025-11") in body
    rows = {row.unit: row for row in response.context["rows"]}
    assert rows[rolled.street_a].value("classes.held") == 4
    assert response.context["overview"].figure("classes.held").previous == 2
    assert response.context["year_values"]["classes.held"] == 5 + 2


def test_drill_down_reaches_a_grid(client, people, rolled):
    client.force_login(people["dave"])
    path = [rolled.district, rolled.street_a, rolled.community_a1, rolled.grid_a1_1]

    for above, below in itertools.pairwise(path):
        response = client.get(page(above.code, period="2025-11"))
        assert response.status_code == 200
        assert page(below.code, period="2025-11") in response.content.decode()
    grid = client.get(page(rolled.grid_a1_1.code, period="2025-11"))
    assert grid.status_code == 200
    assert grid.context["rows"] == []
    # The breadcrumb leads back up.
    assert page(rolled.community_a1.code, period="2025-11") in grid.content.decode()


def test_a_bad_period_says_so_and_shows_this_month(client, people, tree):
    client.force_login(people["carol"])

    response = client.get(page(tree.street_a.code, period="2025-13"))

    assert response.status_code == 200
    assert response.context["period"].kind == "month"
    assert [str(m) for m in response.context["messages"]]


def test_sorting_the_units_below(client, people, rolled):
    client.force_login(people["dave"])

    response = client.get(page(rolled.district.code, period="2025-11", sort="classes.held"))
    assert [row.unit for row in response.context["rows"]] == [rolled.street_b, rolled.street_a]
    response = client.get(page(rolled.district.code, period="2025-11", sort="-classes.held"))
    assert [row.unit for row in response.context["rows"]] == [rolled.street_a, rolled.street_b]


def test_a_read_only_leader_sees_no_form_that_changes_data(client, people, rolled):
    client.force_login(people["dave"])

    body = client.get(page(rolled.district.code)).content.decode()

    assert 'method="post"' not in body.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_district_overview_costs_a_fixed_number_of_queries(
    client, people, rolled, make_user, django_assert_max_num_queries
):
    from civicgrid.org import services
    from civicgrid.org.kinds import Kind

    client.force_login(people["dave"])
    client.get(page(rolled.district.code, period="2025-11"))  # warm the session
    with django_assert_max_num_queries(90) as few:
        client.get(page(rolled.district.code, period="2025-11"))
    for n in range(6):
        services.create_unit(
            actor=None, parent=rolled.district, kind=Kind.STREET, name=f"新街道{n}", polygon=None
        )
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(page(rolled.district.code, period="2025-11"))
    assert len(response.context["rows"]) == 8
    assert len(many.captured_queries) == len(few.captured_queries)
    assert NOV.month == 11


def _links(overview) -> set[str]:
    return {f.url for s in overview.sections for f in s.figures if f.url} | {
        s.url for s in overview.sections if s.url
    }


def test_a_figure_links_only_to_pages_the_viewer_may_open(client, people, rolled, make_user):
    from civicgrid.org.roles import Role

    # The read-only leader reads the mediation figures, not a desk's board of cases; a grid
    # leader reads neither them nor the workers' rankings. Every link left opens.
    frank = make_user("frank", unit=rolled.grid_a1_1, role=Role.GRID_LEADER)
    for user, unit in ((people["dave"], rolled.street_a), (frank, rolled.grid_a1_1)):
        client.force_login(user)
        links = _links(client.get(page(unit.code)).context["overview"])
        assert links
        for url in links:
            assert client.get(url).status_code == 200, (user, url)
    assert not [url for url in links if "/mediation/" in url or "/assessment/" in url]
    client.force_login(people["carol"])
    assert any(
        "/mediation/" in url
        for url in _links(client.get(page(rolled.street_a.code)).context["overview"])
    )
