import pytest

from civicgrid.accounts.tokens import issue_token
from civicgrid.cockpit import figures
from civicgrid.cockpit.figures import Period
from civicgrid.cockpit.tests.conftest import NOV


@pytest.fixture
def bearer(people):
    key = issue_token(user=people["carol"], name="test")[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def url(code: str) -> str:
    return f"/api/v1/cockpit/overview/{code}"


def test_it_gives_the_pages_figures(client, bearer, rolled):
    response = client.get(url(rolled.street_a.code), {"period": "2025-11"}, **bearer)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == {
        "value": "2025-11",
        "kind": "month",
        "label": "2025年11月",
        "first": "2025-11-01",
        "last": "2025-11-30",
    }
    expected = figures.overview(rolled.street_a, Period("month", NOV))
    got = {f["key"]: f for s in body["sections"] for f in s["figures"]}
    assert {key: f["value"] for key, f in got.items()} == expected.values()
    assert got["classes.held"]["previous"] == 2 and got["classes.held"]["change"] == 2
    assert [row["unit"] for row in body["below"]] == [rolled.community_a1.code]
    assert body["below"][0]["values"]["classes.held"] == 4


def test_another_streets_unit_is_404(client, bearer, tree):
    response = client.get(url(tree.street_b.code), **bearer)

    assert response.status_code == 404
    assert set(response.json()["error"]) == {"message", "field", "details"}


def test_a_bad_period_is_a_400_naming_the_field(client, bearer, tree):
    response = client.get(url(tree.street_a.code), {"period": "2025-13"}, **bearer)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "period"


def test_anonymous_is_401(client, tree):
    assert client.get(url(tree.street_a.code)).status_code == 401


def test_a_grid_worker_is_404(client, people, tree):
    key = issue_token(user=people["alice"], name="test")[1]

    response = client.get(url(tree.grid_a1_1.code), HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 404
