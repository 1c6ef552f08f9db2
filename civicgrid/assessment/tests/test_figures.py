"""Per-worker figures (assessment/figures.py and its pages): what each worker sees counted,
who may open whose page, the ranking's order, query counts and the Chinese labels."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from civicgrid.assessment import figures
from civicgrid.events import patrols
from civicgrid.events import services as events
from civicgrid.events.models import Category
from civicgrid.org.roles import Role
from civicgrid.people import services as ledgers
from civicgrid.volunteers import services as volunteers
from civicgrid.volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

A1_1 = (113.53, 34.73)
A1_2 = (113.56, 34.72)


def jpeg(name: str = "photo.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 60, 60)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def crew(people, tree, make_user):
    return people | {
        "frank": make_user("frank", unit=tree.community_a1, role=Role.COMMUNITY_STAFF),
        "sid": make_user("sid", unit=tree.street_b, role=Role.STREET_STAFF),
    }


@pytest.fixture
def category(db):
    return Category.objects.get(code="2201")  # 邻里纠纷: no after-photo


@pytest.fixture
def work(crew, category, tree):
    """Adds work in community A1: `work(worker, n)` has the worker report n events (the first
    handled on the spot), patrol once and write a quick note; frank dispatches one event of
    theirs back to them, which they handle."""

    def add(worker, n: int = 1, point=A1_1):
        frank = crew["frank"]
        for i in range(n):
            values = {"title": f"问题{i}", "category": category, "lon": point[0], "lat": point[1]}
            if i == 0:
                events.report_event(
                    actor=worker,
                    on_the_spot=True,
                    resolution="当场调解",
                    photos=[jpeg()],
                    after_photos=[jpeg("after.jpg")],
                    spot_check=False,
                    **values,
                )
                continue
            event = events.report_event(actor=worker, **values)
            if i == 1:
                event = events.accept_event(actor=frank, event=event)
                event = events.dispatch_event(actor=frank, event=event, handler_user=worker)
                event = events.sign_event(actor=worker, event=event)
                events.resolve_event(actor=worker, event=event, note="已调解")
        patrol = patrols.start_patrol(actor=worker, kind="day_check", lon=point[0], lat=point[1])
        patrols.add_patrol_point(
            actor=worker, patrol_id=patrol.pk, lon=point[0] + 0.01, lat=point[1]
        )
        patrols.end_patrol(actor=worker, patrol_id=patrol.pk)
        patrols.add_quick_note(actor=worker, text="路灯不亮", lon=point[0], lat=point[1])

    return add


def this_year() -> tuple[dt.date, dt.date]:
    month = timezone.localdate().replace(day=1)
    return month.replace(month=1), month


def counts(body: str) -> dict[str, str]:
    return dict(re.findall(r'data-count="(\w+)">([^<]*)<', body))


# ---- what is counted ------------------------------------------------------------------------


def test_a_workers_figures_count_their_own_work(crew, work, tree):
    alice, bob = crew["alice"], crew["bob"]
    work(alice, 3)
    work(bob, 1, point=A1_2)
    household = ledgers.save_household(
        actor=alice,
        house=ledgers.save_house(
            actor=alice,
            building=ledgers.save_building(
                actor=alice, unit=tree.grid_a1_1, estate="百合", name="1号楼", entrances=1
            ),
            entrance=1,
            room="101",
        ),
    )
    ledgers.record_visit(actor=alice, household=household, findings="独居老人")
    volunteer = volunteers.register_volunteer(
        actor=crew["frank"],
        unit=tree.community_a1,
        data=volunteers.VolunteerData(name="Alice", phone="13700000001"),
    )
    # The volunteer record of the worker's own login (the admin links it).
    Volunteer.objects.filter(pk=volunteer.pk).update(user=alice)
    volunteers.add_record(
        actor=crew["frank"],
        volunteer=volunteer,
        kind="service",
        day=timezone.localdate(),
        content="助老",
        hours=Decimal("2.5"),
    )
    first, last = this_year()
    page = figures.worker_figures(alice, figures.worker_for(alice, alice.pk), first, last)
    total = page.total
    assert {name: total.counts[name] for name in ("reported", "on_the_spot", "handled")} == {
        "reported": 3,
        "on_the_spot": 1,
        "handled": 2,
    }
    assert (total.counts["closed"], total.on_time_share) == (1, 100.0)
    assert (total.counts["patrols"], total.counts["quick_notes"], total.visits) == (1, 1, 1)
    assert Decimal("0.8") <= total.patrol_km <= Decimal("1.0")
    assert total.service_hours == Decimal("2.5")
    assert total.classes == 0
    # One household recorded, no person: completeness has no data yet.
    assert total.completeness is None
    # The month-by-month rows add up to the total.
    assert sum(f["reported"] for _month, f in page.months) == 3
    assert len(page.months) == last.month
    # Bob's work is his.
    bob_total = figures.worker_figures(bob, figures.worker_for(bob, bob.pk), first, last).total
    assert (bob_total.counts["reported"], bob_total.counts["handled"], bob_total.visits) == (
        1,
        1,
        0,
    )


def test_the_ranking_orders_by_the_composite_or_a_chosen_column(crew, work, tree):
    alice, bob = crew["alice"], crew["bob"]
    work(alice, 1)
    work(bob, 3, point=A1_2)
    first, last = this_year()
    rows = figures.ranking(crew["carol"], tree.community_a1, first, last)
    assert [row.worker for row in rows] == [bob, alice]
    # bob: 3 reported + 2 handled + 1 patrol + 1 note; alice: 1 + 1 + 1 + 1.
    assert [row.value for row in rows] == [7, 4]
    assert [row.rank for row in rows] == [1, 2]
    by_overdue = figures.ranking(crew["carol"], tree.community_a1, first, last, "overdue")
    assert [row.worker for row in by_overdue] == [alice, bob]  # a tie (0, 0): by name
    by_notes = figures.ranking(crew["carol"], tree.street_a, first, last, "on_the_spot")
    assert {row.worker for row in by_notes} == {alice, bob}
    # Street B's ranking counts only work done there: none.
    assert figures.ranking(crew["dave"], tree.street_b, first, last) == []


# ---- who sees whom --------------------------------------------------------------------------


def test_a_worker_opens_only_their_own_page(client, crew, work):
    alice, bob = crew["alice"], crew["bob"]
    work(alice, 1)
    client.force_login(alice)
    response = client.get("/assessment/figures/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/assessment/figures/w/{alice.pk}/"
    assert counts(response.content.decode())["reported"] == "1"
    assert client.get(f"/assessment/figures/w/{bob.pk}/").status_code == 404
    assert client.get("/assessment/figures/u/410102001001/").status_code == 404
    assert client.get("/assessment/figures/u/").status_code == 404


def test_staff_and_leaders_see_their_subtree_and_no_other(client, crew, work):
    alice = crew["alice"]
    work(alice, 1)
    for name in ("carol", "frank", "dave"):
        client.force_login(crew[name])
        assert client.get(f"/assessment/figures/w/{alice.pk}/").status_code == 200, name
        assert client.get("/assessment/figures/u/410102001001/").status_code == 200, name
    client.force_login(crew["carol"])
    assert client.get("/assessment/figures/u/410102001/").status_code == 200
    # Another street's staff: 404, exactly like a worker who does not exist.
    client.force_login(crew["sid"])
    assert client.get(f"/assessment/figures/w/{alice.pk}/").status_code == 404
    assert client.get("/assessment/figures/w/999999/").status_code == 404
    assert client.get("/assessment/figures/u/410102001001/").status_code == 404
    assert client.get("/assessment/figures/u/410102002/").status_code == 200
    # A department handler and someone with no posting read no figures.
    for name in ("erin", "mallory"):
        client.force_login(crew[name])
        assert client.get(f"/assessment/figures/w/{alice.pk}/").status_code == 404, name
        assert client.get("/assessment/figures/").status_code == 404, name
    # A grid is no ranking unit.
    client.force_login(crew["carol"])
    assert client.get("/assessment/figures/u/410102001001001/").status_code == 404


def test_bad_input_is_a_message_not_an_error(client, crew):
    client.force_login(crew["carol"])
    response = client.get("/assessment/figures/u/410102001001/?from=2026-13&sort=nonsense")
    assert response.status_code == 200
    body = response.content.decode()
    assert "YYYY-MM" in body
    assert "Choose a column to rank by." in body or "请选择排名依据的指标。" in body
    with pytest.raises(figures.InvalidInput):
        figures.period("2026-05", "2026-01")
    with pytest.raises(figures.InvalidInput):
        figures.period("2010-01", "2026-01")
    assert figures.period("2025-11", "2026-02") == (dt.date(2025, 11, 1), dt.date(2026, 2, 1))


# ---- query counts ---------------------------------------------------------------------------


def test_the_ranking_costs_the_same_for_two_workers_as_for_six(
    client, crew, work, tree, make_user, pinned
):
    client.force_login(crew["carol"])
    pages = {
        "/assessment/figures/u/410102001001/": 12,
        "/assessment/figures/u/410102001/?sort=visits": 12,
    }
    work(crew["alice"], 2)
    pinned(pages)
    for i in range(4):
        worker = make_user(f"w{i}", unit=tree.grid_a1_2, role=Role.GRID_WORKER)
        work(worker, 2, point=A1_2)
    bodies = pinned(pages)
    assert bodies["/assessment/figures/u/410102001001/"].count("data-worker=") == 6


def test_a_workers_page_costs_the_same_with_little_and_much_work(client, crew, work, pinned):
    alice = crew["alice"]
    client.force_login(alice)
    url = f"/assessment/figures/w/{alice.pk}/?from=2025-01"
    work(alice, 1)
    pinned({url: 12})
    work(alice, 4)
    pinned({url: 12})


# ---- Chinese --------------------------------------------------------------------------------


def test_every_label_is_translated(client, crew, work):
    with translation.override("zh-hans"):
        for key, label in figures.COLUMNS.items():
            assert re.search(r"[\u4e00-\u9fff]", str(label)), (key, str(label))
    work(crew["alice"], 1)
    client.force_login(crew["alice"])
    body = client.get(
        f"/assessment/figures/w/{crew['alice'].pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    for text in ("我的工作量", "即报即办", "按期结案率", "巡查里程（公里）", "入户走访"):
        assert text in body, text
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'href="/assessment/figures/"' in home and "我的工作量" in home
