"""查 and 听 services: draws logged and never replaced, a second draw only with a reason, only
assessors and only while the plan is under way; spot checks of masked ledger rows; reviews of
the workers' cross-boundary reports; inspections with the four aspects and photos."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from civicgrid.assessment import checks
from civicgrid.assessment.models import Draw, DrawKind, Inspection, PlanStatus, SpotCheck
from civicgrid.assessment.tests.check_setup import (
    ASPECTS,
    build,
    jpeg,
    ledger,
    sample_all,
)
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.events import services as events
from civicgrid.events.models import Category

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def setup(tree, people, make_user):
    return build(tree, people, make_user)


def cross_event(reporter, accepter, *, lon=113.52, lat=34.72, kind="area", title="跨区域占道"):
    event = events.report_event(
        actor=reporter, title=title, category=Category.objects.get(code="2201"), lon=lon, lat=lat
    )
    return events.accept_event(actor=accepter, event=event, cross_boundary=kind)


# ---- draws ---------------------------------------------------------------------------------


def test_a_community_draw_is_logged_and_a_second_one_needs_a_reason(setup, tree):
    first = checks.draw_communities(actor=setup.carol, plan=setup.plan, count=1)
    assert first.drawn_by == setup.carol and first.kind == DrawKind.COMMUNITIES
    assert first.population == sorted([tree.community_a1.code, setup.community_a2.code])
    assert len(first.seed) == 16 and len(first.result) == 1 and first.reason == ""
    with pytest.raises(InvalidInput, match="say why it is drawn again"):
        checks.draw_communities(actor=setup.carol, plan=setup.plan, count=1)
    second = checks.draw_communities(
        actor=setup.carol, plan=setup.plan, count=2, reason="上次抽取时漏掉了新设社区"
    )
    assert list(Draw.objects.filter(plan=setup.plan).order_by("pk")) == [first, second]
    assert checks.communities_draw(setup.plan) == second  # the newest is in force
    assert second.reason == "上次抽取时漏掉了新设社区"


def test_more_than_the_population_is_refused(setup):
    with pytest.raises(InvalidInput, match="Cannot draw 3 of 2"):
        checks.draw_communities(actor=setup.carol, plan=setup.plan, count=3)
    assert not Draw.objects.exists()


@pytest.mark.parametrize("who", ["alice", "dave", "sven", "mallory"])
def test_only_assessors_draw_and_inspect(setup, people, who):
    actor = setup.sven if who == "sven" else people[who]
    with pytest.raises(NotAllowed, match="Only the assessors"):
        checks.draw_communities(actor=actor, plan=setup.plan, count=1)
    with pytest.raises(NotAllowed):
        checks.record_inspection(
            actor=actor, plan=setup.plan, plan_worker=setup.alice, aspects=ASPECTS
        )
    assert not Draw.objects.exists() and not Inspection.objects.exists()


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.SCORING, PlanStatus.PUBLISHED])
def test_nothing_is_drawn_or_inspected_unless_the_plan_is_under_way(setup, status):
    setup.plan.status = status
    setup.plan.save()
    with pytest.raises(Conflict, match="not under way"):
        checks.draw_communities(actor=setup.carol, plan=setup.plan, count=1)
    with pytest.raises(Conflict, match="not under way"):
        checks.record_inspection(
            actor=setup.carol, plan=setup.plan, plan_worker=setup.alice, aspects=ASPECTS
        )


def test_grids_are_drawn_from_the_communities_in_force(setup, tree):
    with pytest.raises(Conflict, match="communities first"):
        checks.draw_grids(actor=setup.carol, plan=setup.plan, count=1)
    checks.draw_communities(actor=setup.carol, plan=setup.plan, count=2)
    grids = checks.draw_grids(actor=setup.carol, plan=setup.plan, count=3)
    assert grids.population == sorted(
        [tree.grid_a1_1.code, tree.grid_a1_2.code, setup.grid_a2_1.code]
    )
    assert checks.sampled_grid_codes(setup.plan) == grids.population
    # Communities drawn again: the grid draw is stale, and a new one needs no reason.
    again = checks.draw_communities(
        actor=setup.carol, plan=setup.plan, count=1, seed="s", reason="重新抽取"
    )
    assert checks.grids_draw(setup.plan) is None and checks.sampled_grid_codes(setup.plan) == []
    fresh = checks.draw_grids(actor=setup.carol, plan=setup.plan, count=1)
    codes = set(fresh.population)
    assert all(code.startswith(again.result[0]) for code in codes)
    with pytest.raises(InvalidInput, match="say why"):
        checks.draw_grids(actor=setup.carol, plan=setup.plan, count=1)


# ---- spot checks ---------------------------------------------------------------------------


def test_a_spot_check_draws_masked_ledger_rows_and_is_marked(setup, tree):
    persons = ledger(tree.grid_a1_1)
    sample_all(setup, tree)
    check = checks.draw_ledger(actor=setup.carol, plan=setup.plan, grid=tree.grid_a1_1, count=5)
    assert check.unit == tree.grid_a1_1 and check.draw.kind == DrawKind.LEDGER
    assert check.draw.population == [
        *(f"person:{p.pk}" for p in persons),
        f"household:{persons[0].household_id}",
        f"place:{tree.grid_a1_1.place_set.get().pk}",
    ]
    items = list(check.items.order_by("pk"))
    assert [f"{i.kind}:{i.object_id}" for i in items] == check.draw.result
    labels = " ".join(item.label for item in items)
    for person in persons:
        assert person.name not in labels  # never a whole name …
    assert "410102" not in labels and "138" not in labels  # … nor an ID or phone number
    assert "张**" in labels or "张**" in labels
    wrong = items[0]
    with pytest.raises(InvalidInput, match="Say what is wrong"):
        checks.mark_spot_check(
            actor=setup.carol, spot_check=check, marks=[checks.Mark(wrong.pk, False)]
        )
    checks.mark_spot_check(
        actor=setup.carol,
        spot_check=check,
        marks=[checks.Mark(wrong.pk, False, "已搬离未登记")]
        + [checks.Mark(item.pk, True) for item in items[1:4]],
        remarks="入户核对",
    )
    marked = {item.pk: item.correct for item in check.items.all()}
    assert marked[wrong.pk] is False and sum(1 for v in marked.values() if v) == 3
    assert checks.values_spot_checks(setup.plan) == {setup.alice.pk: Decimal("75.00")}


def test_only_a_drawn_grid_is_spot_checked_and_a_redraw_needs_a_reason(setup, tree):
    ledger(tree.grid_a1_1)
    with pytest.raises(InvalidInput, match="Only the grids drawn"):
        checks.draw_ledger(actor=setup.carol, plan=setup.plan, grid=tree.grid_a1_1, count=1)
    sample_all(setup, tree)
    first = checks.draw_ledger(actor=setup.carol, plan=setup.plan, grid=tree.grid_a1_1, count=2)
    with pytest.raises(InvalidInput, match="say why"):
        checks.draw_ledger(actor=setup.carol, plan=setup.plan, grid=tree.grid_a1_1, count=2)
    second = checks.draw_ledger(
        actor=setup.carol, plan=setup.plan, grid=tree.grid_a1_1, count=3, reason="第一次抽到空户"
    )
    assert SpotCheck.objects.filter(plan=setup.plan).count() == 2
    assert checks.spot_checks_in_force(setup.plan) == {tree.grid_a1_1.code: second}
    assert first.pk != second.pk
    with pytest.raises(InvalidInput, match="no residents"):
        checks.draw_ledger(actor=setup.carol, plan=setup.plan, grid=tree.grid_a1_2, count=1)


# ---- cross-boundary reviews ------------------------------------------------------------------


def test_the_workers_cross_boundary_reports_in_the_drawn_grids_are_reviewed(setup, tree, people):
    sample_all(setup, tree)
    mine = cross_event(people["alice"], setup.carol)
    cross_event(people["alice"], setup.carol, kind="department", title="跨部门")
    plain = events.report_event(
        actor=people["alice"],
        title="普通事件",
        category=Category.objects.get(code="2201"),
        lon=113.52,
        lat=34.72,
    )
    elsewhere = cross_event(people["bob"], setup.sven, lon=113.62, lat=34.72)  # street B
    found = set(checks.cross_events(setup.plan))
    assert mine in found and plain not in found and elsewhere not in found and len(found) == 2
    first, second = sorted(found, key=lambda e: e.pk)
    checks.review_cross_boundary(actor=setup.carol, plan=setup.plan, event=first, quality="high")
    checks.review_cross_boundary(
        actor=setup.carol, plan=setup.plan, event=second, quality="low", remark="信息不全"
    )
    assert checks.values_cross_boundary(setup.plan) == {setup.alice.pk: Decimal("70.00")}
    # Reviewing again replaces the mark.
    checks.review_cross_boundary(
        actor=setup.carol, plan=setup.plan, event=second, quality="ordinary"
    )
    assert checks.values_cross_boundary(setup.plan) == {setup.alice.pk: Decimal("85.00")}
    with pytest.raises(InvalidInput, match="Only cross-boundary reports"):
        checks.review_cross_boundary(
            actor=setup.carol, plan=setup.plan, event=plain, quality="high"
        )
    with pytest.raises(InvalidInput, match="Choose the quality"):
        checks.review_cross_boundary(
            actor=setup.carol, plan=setup.plan, event=first, quality="great"
        )


# ---- inspections -----------------------------------------------------------------------------


def test_an_inspection_scores_the_four_aspects_and_keeps_its_photos_private(setup, settings):
    inspection = checks.record_inspection(
        actor=setup.carol,
        plan=setup.plan,
        plan_worker=setup.alice,
        aspects=ASPECTS,
        place="甲一社区党群服务中心",
        remarks="整体良好",
        photos=[jpeg()],
    )
    assert inspection.score == Decimal("85.5")
    assert {i.aspect: i.score for i in inspection.items.all()} == {
        "on_duty": Decimal("22"),
        "key_work": Decimal("20.5"),
        "discipline": Decimal("25"),
        "service": Decimal("18"),
    }
    photo = inspection.photos.get()
    assert str(settings.IMPORT_DIR) in photo.image.path  # private storage, not MEDIA_ROOT
    with pytest.raises(ValueError):
        photo.image.url  # noqa: B018  (private files have no URL)
    checks.record_inspection(
        actor=setup.carol,
        plan=setup.plan,
        plan_worker=setup.alice,
        aspects={key: ("20", "") for key in ASPECTS},
        at=timezone.now() - dt.timedelta(days=1),
    )
    assert checks.values_inspections(setup.plan) == {setup.alice.pk: Decimal("82.75")}


@pytest.mark.parametrize(
    ("aspects", "message"),
    [
        ({k: v for k, v in ASPECTS.items() if k != "service"}, "Score every aspect"),
        ({**ASPECTS, "on_duty": ("26", "")}, "from 0 to 25"),
        ({**ASPECTS, "on_duty": ("-1", "")}, "from 0 to 25"),
        ({**ASPECTS, "on_duty": ("abc", "")}, "from 0 to 25"),
        ({**ASPECTS, "on_duty": ("NaN", "")}, "from 0 to 25"),
        ({**ASPECTS, "on_duty": ("20.25", "")}, "one decimal"),
        ({**ASPECTS, "extra": ("1", "")}, "Unknown aspect"),
    ],
)
def test_bad_inspections_are_refused_clearly(setup, aspects, message):
    with pytest.raises(InvalidInput, match=message):
        checks.record_inspection(
            actor=setup.carol, plan=setup.plan, plan_worker=setup.alice, aspects=aspects
        )
    assert not Inspection.objects.exists()


def test_an_inspection_cannot_be_dated_in_the_future_or_before_the_plan(setup):
    for at, message in (
        (timezone.now() + dt.timedelta(days=2), "future"),
        (timezone.now().replace(year=setup.plan.year - 1), "or later"),
    ):
        with pytest.raises(InvalidInput, match=message):
            checks.record_inspection(
                actor=setup.carol, plan=setup.plan, plan_worker=setup.alice, aspects=ASPECTS, at=at
            )
