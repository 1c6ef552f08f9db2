"""The big screen (issue 19): the kiosk page and its JSON for signed-in users in scope, the
secret links (made by staff, stored hashed, revocable, expiring, rate-limited, aggregate only),
and the figures it states being figures.overview()'s."""

import datetime as dt
import hashlib
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicgrid.assessment import services as assessment_services
from civicgrid.assessment.tests.conftest import (  # noqa: F401 (fixtures)
    cast,
    line,
    own_sources,
    plan,
    running,
    scored,
    values,
)
from civicgrid.cockpit import figures, screens
from civicgrid.cockpit.models import ScreenLink
from civicgrid.core.errors import InvalidInput, NotAllowed
from civicgrid.events.tests.conftest import A1_1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The screen keeps its figures in the cache: every test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reported(people, tree, make_user):
    """Three events in grid A1-1 (street A) and one in grid B1-1 (street B), with titles and
    descriptions that must never reach a secret link."""
    from civicgrid.events import services
    from civicgrid.events.models import Category

    category = Category.objects.get(code="2201")
    events = [
        services.report_event(
            actor=people["alice"],
            title=f"楼道堆物{i}",
            description="三号楼王大爷家门口堆满纸箱",
            category=category,
            lon=A1_1[0] + i * 0.0012,
            lat=A1_1[1] + 0.00037,
        )
        for i in range(3)
    ]
    from civicgrid.org.roles import Role

    bea = make_user("bea", unit=tree.grid_b1_1, role=Role.GRID_WORKER)
    events.append(
        services.report_event(
            actor=bea, title="乙街道的井盖", category=category, lon=113.62, lat=34.72
        )
    )
    return events


def make_link(actor, unit, **extra):
    return screens.create_link(actor=actor, unit=unit, label="服务大厅大屏", **extra)


# ---- the signed-in screen ---------------------------------------------------------------------


def test_it_shows_a_units_screen_with_the_overviews_figures(client, people, tree, reported):
    client.force_login(people["carol"])
    response = client.get(f"/screen/{tree.street_a.code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert tree.street_a.name in body and 'id="screen-map"' in body
    data = client.get(f"/screen/{tree.street_a.code}/data/").json()
    month = figures.Period.containing("month", timezone.localdate())
    expected = figures.overview(tree.street_a, month)
    headline = {f["key"]: f["value"] for f in data["headline"]}
    assert headline["events.reported"] == expected.figure("events.reported").value == 3
    assert headline["people.persons"] == expected.figure("people.persons").value
    sections = {f["key"]: f["value"] for s in data["sections"] for f in s["figures"]}
    assert sections == expected.values()
    assert len(data["points"]) == 3
    assert data["period"]["value"] == month.value
    # Twelve months on the trend's axis, this one last, empty months read 0.
    assert len(data["trend"]) == 12
    assert data["trend"][-1]["period"] == month.value and data["trend"][-1]["reported"] == 3
    assert data["trend"][0]["reported"] == 0


def test_the_ranking_orders_the_units_below_by_each_figure(client, people, tree, reported):
    client.force_login(people["dave"])
    data = client.get(f"/screen/{tree.district.code}/data/").json()
    boards = {board["key"]: board for board in data["ranking"]["boards"]}
    reported_board = boards["events.reported"]["rows"]
    assert [row["name"] for row in reported_board] == [tree.street_a.name, tree.street_b.name]
    assert [row["value"] for row in reported_board] == [3, 1]
    # The department under street A is no unit to rank.
    codes = {row["code"] for board in boards.values() for row in board["rows"]}
    assert tree.police_a.code not in codes


def test_a_screen_outside_the_users_units_is_missing(client, people, tree):
    client.force_login(people["carol"])
    assert client.get(f"/screen/{tree.street_b.code}/").status_code == 404
    assert client.get(f"/screen/{tree.street_b.code}/data/").status_code == 404
    assert client.get("/screen/999999/").status_code == 404
    client.force_login(people["mallory"])
    assert client.get(f"/screen/{tree.street_a.code}/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, tree):
    for path in (f"/screen/{tree.street_a.code}/", f"/screen/{tree.street_a.code}/data/"):
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_figures_are_kept_briefly_and_shared(
    client, people, tree, reported, django_assert_max_num_queries
):
    client.force_login(people["carol"])
    client.get(f"/screen/{tree.street_a.code}/data/")
    # Kept: the second screen asks only for the session, the user and the unit.
    with django_assert_max_num_queries(5):
        again = client.get(f"/screen/{tree.street_a.code}/data/")
    assert again.status_code == 200


# ---- secret links -----------------------------------------------------------------------------


def test_staff_make_a_link_that_is_shown_once_and_stored_hashed(client, people, tree):
    client.force_login(people["carol"])
    response = client.post(
        f"/screen/{tree.street_a.code}/links/", {"label": "服务大厅大屏", "expires_on": ""}
    )
    assert response.status_code == 200
    body = response.content.decode()
    start = body.index("/screen/s/")
    token = body[start + len("/screen/s/") : body.index("/", start + len("/screen/s/"))]
    link = ScreenLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {link.label, link.prefix, link.token_hash}
    assert link.unit == tree.street_a and link.created_by == people["carol"]
    assert response["Cache-Control"] == "private, no-store"
    # The list names it by its first characters only.
    listed = client.get(f"/screen/{tree.street_a.code}/links/").content.decode()
    assert "服务大厅大屏" in listed and token not in listed
    client.logout()
    assert client.get(f"/screen/s/{token}/").status_code == 200


def test_a_secret_link_shows_aggregate_figures_only(client, people, tree, reported):
    link, token = make_link(people["carol"], tree.street_a)
    response = client.get(f"/screen/s/{token}/")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    data = client.get(f"/screen/s/{token}/data/").json()
    text = json.dumps(data, ensure_ascii=False)
    for event in reported:
        assert event.title not in text and event.number not in text
    assert "王大爷" not in text and "Alice" not in text
    assert data["public"] is True
    assert {f["key"]: f["value"] for f in data["headline"]}["events.reported"] == 3
    # Points only, rounded to about 100 m, and only street A's.
    assert len(data["points"]) == 3
    for lat, lon, state in data["points"]:
        assert round(lat, 3) == lat and round(lon, 3) == lon and state == "open"
    assert tree.street_b.name not in text
    link.refresh_from_db()
    assert link.last_seen_at is not None


def test_a_revoked_or_expired_or_wrong_link_is_missing(client, people, tree):
    link, token = make_link(people["carol"], tree.street_a)
    assert client.get(f"/screen/s/{token}/").status_code == 200
    client.force_login(people["carol"])
    response = client.post(f"/screen/{tree.street_a.code}/links/{link.pk}/revoke/")
    assert response.status_code == 302
    client.logout()
    assert client.get(f"/screen/s/{token}/").status_code == 404
    assert client.get(f"/screen/s/{token}/data/").status_code == 404
    assert client.get("/screen/s/not-a-token/").status_code == 404
    # Revoking again is harmless.
    screens.revoke_link(actor=people["carol"], link=link)

    soon = timezone.now() + dt.timedelta(hours=1)
    expiring, other = make_link(people["carol"], tree.street_a, expires_at=soon)
    assert client.get(f"/screen/s/{other}/").status_code == 200
    ScreenLink.objects.filter(pk=expiring.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert client.get(f"/screen/s/{other}/").status_code == 404


def test_a_link_of_an_inactive_unit_is_missing(client, people, tree):
    _link, token = make_link(people["carol"], tree.community_a1)
    type(tree.community_a1).objects.filter(pk=tree.community_a1.pk).update(active=False)
    assert client.get(f"/screen/s/{token}/").status_code == 404


def test_secret_links_are_limited_per_address(client, people, tree, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "screen_ip": (2, 3600)}
    _link, token = make_link(people["carol"], tree.street_a)
    assert client.get(f"/screen/s/{token}/").status_code == 200
    assert client.get(f"/screen/s/{token}/data/").status_code == 200
    refused = client.get(f"/screen/s/{token}/data/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


# ---- who manages links -------------------------------------------------------------------------


def test_only_the_units_staff_manage_its_links(client, people, tree):
    assert screens.may_manage_links(people["carol"], tree.community_a1)
    # The read-only leader sees the screen, not its links; a grid worker sees neither.
    for name, status in (("dave", 403), ("alice", 404)):
        with pytest.raises(NotAllowed):
            make_link(people[name], tree.grid_a1_1)
        client.force_login(people[name])
        assert client.get(f"/screen/{tree.grid_a1_1.code}/links/").status_code == status
    client.force_login(people["carol"])
    assert client.get(f"/screen/{tree.street_b.code}/links/").status_code == 404
    client.force_login(people["mallory"])
    assert client.get(f"/screen/{tree.street_a.code}/links/").status_code == 404
    assert client.get("/screens/").status_code == 404


def test_staff_cannot_revoke_another_streets_link(client, people, tree, make_user):
    from civicgrid.org.roles import Role

    bert = make_user("bert", unit=tree.street_b, role=Role.STREET_STAFF)
    link, _token = make_link(bert, tree.street_b)
    client.force_login(people["carol"])
    assert client.post(f"/screen/{tree.street_b.code}/links/{link.pk}/revoke/").status_code == 404
    # Nor through a unit of their own.
    path = f"/screen/{tree.street_a.code}/links/{link.pk}/revoke/"
    assert client.post(path).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_the_menu_entry_opens_the_users_own_units_links(client, people, tree):
    client.force_login(people["carol"])
    response = client.get("/screens/")
    assert response.status_code == 302
    assert response["Location"] == f"/screen/{tree.street_a.code}/links/"


def test_bad_input_gets_a_clear_message(client, people, tree):
    client.force_login(people["carol"])
    path = f"/screen/{tree.street_a.code}/links/"
    blank = client.post(path, {"label": "  ", "expires_on": ""})
    assert blank.status_code == 400 and 'id="label-error"' in blank.content.decode()
    for day in ("2026-13-45", "tomorrow", "2001-01-01"):
        response = client.post(path, {"label": "大厅", "expires_on": day})
        assert response.status_code == 400, day
        assert 'id="expires-error"' in response.content.decode()
    assert not ScreenLink.objects.exists()
    with pytest.raises(InvalidInput):
        screens.create_link(actor=people["carol"], unit=tree.street_a, label="x" * 61)


def test_an_expiry_day_ends_at_midnight_after_it():
    day = timezone.localdate() + dt.timedelta(days=3)
    end = screens.parse_expiry(day.isoformat())
    assert timezone.localtime(end).date() == day + dt.timedelta(days=1)
    assert timezone.localtime(end).time() == dt.time.min
    assert screens.parse_expiry("") is None


def test_the_links_page_has_a_fixed_number_of_queries(
    client, people, tree, django_assert_max_num_queries
):
    client.force_login(people["carol"])
    path = f"/screen/{tree.street_a.code}/links/"
    screens.create_link(actor=people["carol"], unit=tree.street_a, label="屏")
    client.get(path)  # the session's first request touches it
    with CaptureQueriesContext(connection) as one:
        client.get(path)
    for i in range(12):
        screens.create_link(actor=people["carol"], unit=tree.community_a1, label=f"屏{i}")
    # The session, the user, the postings, the menu, the unit, the links: none per link.
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(path)
    assert len(one.captured_queries) <= 11
    assert response.status_code == 200
    assert response.content.decode().count("/revoke/") == 13


# ---- the honour list -----------------------------------------------------------------------------


def test_the_honour_list_names_people_only_on_a_signed_in_screen(
    client,
    people,
    tree,
    scored,  # noqa: F811
    cast,  # noqa: F811 (fixtures imported above)
):
    published = assessment_services.publish_plan(
        actor=cast.carol, plan=scored, now=scored.appeals_until + dt.timedelta(minutes=1)
    )
    assessment_services.add_honour(
        actor=cast.carol,
        plan_worker=line(published, cast.alice),
        data=assessment_services.HonourData(title="优秀网格员", story="她走遍了每一户。"),
    )
    client.force_login(people["carol"])
    staff = client.get(f"/screen/{tree.street_a.code}/data/").json()["honours"]
    assert staff["named"] is True
    assert staff["rows"][0]["name"] == str(cast.alice) and staff["rows"][0]["title"] == "优秀网格员"
    client.logout()
    _link, token = make_link(people["carol"], tree.street_a)
    public = client.get(f"/screen/s/{token}/data/").json()["honours"]
    assert public == {
        "named": False,
        "rows": [{"unit": tree.community_a1.display_name, "title": "优秀网格员", "count": 1}],
    }
    assert str(cast.alice) not in json.dumps(public, ensure_ascii=False)


def test_a_grid_workers_own_grid_has_no_screen_and_no_map(client, people, tree):
    # Who may see a unit's overview may see its screen and its map; a grid worker has neither.
    client.force_login(people["alice"])
    for path in ("/screen/{}/", "/screen/{}/data/", "/overview/{}/map/"):
        assert client.get(path.format(tree.grid_a1_1.code)).status_code == 404
