"""The unit picker: a few units matching a name, pinyin initials or a code, each labelled
with its path, within what the user may pick; and the pages that used to embed every unit
(9,338 options for the district) now carry none."""

import pytest
from django.urls import reverse

from civicgrid.org import picker
from civicgrid.org.kinds import Kind

URL = "/org/units/search.json"


def codes(hits):
    return [hit.code for hit in hits]


def test_a_grid_is_found_by_name_and_labelled_with_its_community(tree, people):
    hits = picker.search_units(people["carol"], "第1网格")
    assert hits[0].code == tree.grid_a1_1.code
    assert hits[0].path == "甲街道 › 甲一社区 › 甲一第1网格"
    # Carol's street holds no other "第1网格": 乙一第1网格 lies in street B.
    assert tree.grid_b1_1.code not in codes(hits)


def test_pinyin_initials_and_codes_find_units(tree, people):
    carol = people["carol"]
    assert codes(picker.search_units(carol, "jysq")) == [tree.community_a1.code]
    assert codes(picker.search_units(carol, "JYD2")) == [tree.grid_a1_2.code]
    assert codes(picker.search_units(carol, tree.grid_a1_2.code)) == [tree.grid_a1_2.code]
    assert picker.search_units(carol, "   ") == []


def test_kinds_under_and_the_limit_narrow_the_results(tree, people):
    carol = people["carol"]
    grids = picker.search_units(carol, "甲", kinds=[Kind.GRID])
    assert codes(grids) == [tree.grid_a1_1.code, tree.grid_a1_2.code]
    under = picker.search_units(carol, "网格", under=tree.grid_a1_1.code)
    assert codes(under) == [tree.grid_a1_1.code, tree.micro_a1_1_1.code]
    assert len(picker.search_units(carol, "甲", limit=2)) == 2


def test_the_scope_is_the_users_units_their_district_or_the_public_divisions(tree, people):
    alice = people["alice"]
    assert codes(picker.search_units(alice, "社区")) == []
    # A transfer may go anywhere in the district.
    district = codes(picker.search_units(alice, "社区", scope="district"))
    assert district == [tree.community_a1.code, tree.community_b1.code]
    assert picker.search_units(people["mallory"], "社区", scope="district") == []
    # The public sees communities and grids, never departments or micro-grids.
    public = codes(picker.search_units(None, "甲", scope="public"))
    assert tree.community_a1.code in public and tree.grid_a1_1.code in public
    assert tree.police_a.code not in public and tree.micro_a1_1_1.code not in public


def test_a_renamed_unit_is_found_by_its_new_name(tree, people):
    picker.search_units(people["carol"], "甲")
    tree.grid_a1_2.name = "锦绣网格"
    tree.grid_a1_2.save()
    assert codes(picker.search_units(people["carol"], "锦绣")) == [tree.grid_a1_2.code]


def test_the_endpoint_answers_json_and_anonymous_visitors_get_the_public_scope(
    client, tree, people
):
    response = client.get(URL, {"q": "甲", "scope": "mine"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert {r["kind"] for r in results} <= {"community", "grid", "dedicated_grid"}
    assert results and all("lon" in r and "path" in r for r in results)

    client.force_login(people["alice"])
    results = client.get(URL, {"q": "网格", "kind": ["grid", "bogus"]}).json()["results"]
    assert [r["code"] for r in results] == [tree.grid_a1_1.code]
    assert results[0]["kind_label"] == "网格"


@pytest.mark.parametrize("page", ["situations", "facilities"])
def test_the_data_pages_embed_no_unit_list(client, tree, people, page):
    client.force_login(people["carol"])
    response = client.get(reverse(f"people:{page}", args=[tree.street_a.code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "data-unit-picker" in body and 'name="unit"' in body
    assert "甲一第2网格" not in body and body.count("<option") < 20


def test_a_situation_is_recorded_for_the_picked_grid(client, tree, people):
    from civicgrid.people.models import Situation

    client.force_login(people["carol"])
    url = reverse("people:situations", args=[tree.street_a.code])
    client.post(
        url,
        {"unit": tree.grid_a1_2.code, "kind": "opinion", "topic": "路灯", "people_concerned": 1},
    )
    assert Situation.objects.get().unit == tree.grid_a1_2


def test_the_event_page_transfers_with_the_picker(client, tree, people, make_user):
    from civicgrid.events import services
    from civicgrid.events.models import Category
    from civicgrid.org.roles import Role

    frank = make_user("frank", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)
    event = services.report_event(
        actor=people["alice"],
        title="消防通道被堵",
        category=Category.objects.get(code="2101"),
        lon=113.53,
        lat=34.73,
    )
    client.force_login(frank)
    body = client.get(reverse("events:detail", args=[event.number])).content.decode()
    transfer = body.split("step-transfer", 1)[1].split("</form>", 1)[0]
    assert 'id="transfer-unit-search"' in transfer and 'data-scope="district"' in transfer
    assert "<option" not in transfer and "乙一社区" not in transfer
