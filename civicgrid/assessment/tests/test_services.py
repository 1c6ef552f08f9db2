"""The plan's services: creating and setting up a plan, opening it (the workers in scope),
entries, scores and ranks, publishing and what it locks, honours."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from civicgrid.assessment import services
from civicgrid.assessment.models import (
    Appeal,
    Honour,
    Part,
    Plan,
    PlanStatus,
    PlanStep,
    PlanWorker,
    Source,
)
from civicgrid.assessment.tests.conftest import STANDARD, indicator, line, make_plan
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.events.workdays import add_working_days
from civicgrid.messaging.models import Notification
from civicgrid.org import services as org_services
from civicgrid.org.kinds import Kind
from civicgrid.org.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "own_sources")]
D = Decimal


# ---- creating ----------------------------------------------------------------------------------


def test_street_staff_create_a_draft_plan_of_their_street(tree, cast):
    plan = services.create_plan(actor=cast.carol, unit=tree.street_a, year=2025)
    assert plan.status == PlanStatus.DRAFT and plan.unit_code == tree.street_a.code
    assert "2025" in plan.title and "甲街道" in plan.title
    assert list(plan.steps.values_list("action", "to_status")) == [("create", "draft")]


def test_district_staff_plan_for_a_street_below_them(tree, make_user):
    district = make_user("dora", unit=tree.district, role=Role.DISTRICT_STAFF)
    assert services.create_plan(actor=district, unit=tree.street_b, year=2025).pk


@pytest.mark.parametrize("who", ["bert", "cathy", "alice", "dave"])
def test_nobody_else_creates_a_plan_of_street_a(tree, cast, who):
    with pytest.raises(NotAllowed):
        services.create_plan(actor=getattr(cast, who), unit=tree.street_a, year=2025)


def test_a_plan_belongs_to_a_street_or_district_once_a_year(tree, cast):
    with pytest.raises(InvalidInput):
        services.create_plan(actor=cast.carol, unit=tree.community_a1, year=2025)
    with pytest.raises(InvalidInput):
        services.create_plan(actor=cast.carol, unit=tree.street_a, year=1999)
    services.create_plan(actor=cast.carol, unit=tree.street_a, year=2025)
    with pytest.raises(Conflict):
        services.create_plan(actor=cast.sam, unit=tree.street_a, year=2025)


# ---- indicators --------------------------------------------------------------------------------


def test_indicators_are_saved_in_order_changed_and_removed(plan, cast):
    first = list(plan.indicators.order_by("position"))
    assert [i.name for i in first] == ["在岗履职", "数据完整", "应知应会", "表彰加分"]
    rows = [
        services.IndicatorData(Part.HEAR, "在岗履职", "35", Source.INSPECTION, id=first[0].pk),
        services.IndicatorData(Part.CHECK, "数据完整", "40", Source.COMPLETENESS, id=first[1].pk),
        services.IndicatorData(Part.TEST, "应知应会", "25", Source.QUIZ),
    ]
    kept = services.save_indicators(actor=cast.carol, plan=plan, rows=rows)
    assert kept[0].pk == first[0].pk and kept[0].weight == D(35)
    assert plan.indicators.count() == 3 and services.weight_total(plan) == D(100)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (services.IndicatorData("nonsense", "x", "10", Source.QUIZ), "indicators.0.part"),
        (services.IndicatorData(Part.TEST, "x", "10", "nonsense"), "indicators.0.source"),
        (services.IndicatorData(Part.TEST, "", "10", Source.QUIZ), "indicators.0.name"),
        (services.IndicatorData(Part.TEST, "x", "101", Source.QUIZ), "indicators.0.weight"),
        (services.IndicatorData(Part.TEST, "x", "-1", Source.QUIZ), "indicators.0.weight"),
        (services.IndicatorData(Part.TEST, "x", "ten", Source.QUIZ), "indicators.0.weight"),
        (services.IndicatorData(Part.TEST, "x", "10.001", Source.QUIZ), "indicators.0.weight"),
        (services.IndicatorData(Part.TEST, "x", "NaN", Source.QUIZ), "indicators.0.weight"),
        (services.IndicatorData(Part.TEST, "x", "1", Source.QUIZ, id=10**9), "indicators.0.id"),
    ],
)
def test_a_bad_indicator_row_is_named(plan, cast, row, field):
    with pytest.raises(InvalidInput) as error:
        services.save_indicators(actor=cast.carol, plan=plan, rows=[row])
    assert error.value.field == field
    assert plan.indicators.count() == 4  # all or nothing


def test_only_assessors_edit_indicators_and_only_in_draft(plan, cast):
    with pytest.raises(NotAllowed):
        services.save_indicators(actor=cast.bert, plan=plan, rows=STANDARD)
    with pytest.raises(NotAllowed):
        services.update_plan(actor=cast.alice, plan=plan, title="x", appeal_days=5)
    services.open_plan(actor=cast.carol, plan=plan)
    with pytest.raises(Conflict):
        services.save_indicators(actor=cast.carol, plan=plan, rows=STANDARD)
    with pytest.raises(Conflict):
        services.update_plan(actor=cast.carol, plan=plan, title="x", appeal_days=5)


# ---- opening -----------------------------------------------------------------------------------


def test_opening_needs_weights_adding_up_to_100(tree, cast):
    plan = make_plan(tree, cast, rows=STANDARD[:3])  # 90
    with pytest.raises(Conflict, match="90"):
        services.open_plan(actor=cast.carol, plan=plan)
    empty = make_plan(tree, cast, year=2024, rows=[])
    with pytest.raises(Conflict):
        services.open_plan(actor=cast.carol, plan=empty)
    assert Plan.objects.filter(status=PlanStatus.DRAFT).count() == 2
    assert not PlanWorker.objects.exists()


def test_opening_fixes_the_active_grid_workers_of_the_plans_communities(
    tree, cast, plan, make_user
):
    leader = make_user("lee", unit=tree.community_a1, role=Role.GRID_LEADER)
    # Twice posted: one line, both grids.
    org_services.post_user(actor=None, user=cast.bob, unit=tree.grid_a1_1, role=Role.GRID_WORKER)
    gone = make_user("gone", unit=tree.grid_a1_1, role=Role.GRID_WORKER)
    gone.is_active = False
    gone.save()
    micro = make_user("mike", unit=tree.micro_a1_1_1, role=Role.MICRO_GRID_LEADER)
    dedicated = org_services.create_unit(
        actor=None,
        parent=tree.street_a,
        kind=Kind.DEDICATED_GRID,
        name="楼宇网格",
        subkind="office_building",
    )
    outside = make_user("otto", unit=dedicated, role=Role.GRID_WORKER)
    opened = services.open_plan(actor=cast.carol, plan=plan)
    assert opened.status == PlanStatus.RUNNING and opened.opened_at is not None
    lines = {pw.worker: pw for pw in PlanWorker.objects.filter(plan=plan)}
    assert set(lines) == {cast.alice, cast.bob, leader}
    assert lines[cast.bob].grid_codes == [tree.grid_a1_1.code, tree.grid_a1_2.code]
    assert lines[cast.alice].community == tree.community_a1
    assert lines[cast.alice].community_code == tree.community_a1.code
    assert lines[leader].grid_codes == []
    assert (
        gone not in lines and micro not in lines and outside not in lines and cast.bea not in lines
    )


def test_a_worker_posted_after_opening_is_not_in_scope(tree, cast, running, make_user):
    make_user("late", unit=tree.grid_a1_2, role=Role.GRID_WORKER)
    assert running.workers.count() == 2


def test_only_assessors_open_the_plan(plan, cast):
    for who in (cast.bert, cast.cathy, cast.alice, cast.dave):
        with pytest.raises(NotAllowed):
            services.open_plan(actor=who, plan=plan)


def test_a_stale_version_is_refused(plan, cast):
    with pytest.raises(Conflict):
        services.open_plan(actor=cast.carol, plan=plan, version=plan.version + 1)
    services.open_plan(actor=cast.carol, plan=plan, version=plan.version)


# ---- entries -----------------------------------------------------------------------------------


def test_entries_are_saved_replaced_and_checked(running, cast):
    honours = indicator(running, Source.ENTERED)
    a = line(running, cast.alice)
    services.save_entry(actor=cast.carol, plan_worker=a, indicator=honours, value="80", note="好")
    entry = services.save_entry(actor=cast.sam, plan_worker=a, indicator=honours, value=D("95.5"))
    assert entry.value == D("95.5") and entry.entered_by == cast.sam
    assert a.entries.count() == 1
    for bad in ("101", "-1", "x", "1.234", "NaN"):
        with pytest.raises(InvalidInput):
            services.save_entry(actor=cast.carol, plan_worker=a, indicator=honours, value=bad)


def test_entries_only_by_assessors_only_for_entered_indicators(running, cast):
    a = line(running, cast.alice)
    for who in (cast.alice, cast.bert, cast.cathy, cast.dave):
        with pytest.raises(NotAllowed):
            services.save_entry(
                actor=who, plan_worker=a, indicator=indicator(running, Source.ENTERED), value=50
            )
    with pytest.raises(Conflict):
        services.save_entry(
            actor=cast.carol, plan_worker=a, indicator=indicator(running, Source.QUIZ), value=50
        )


def test_no_entry_in_draft(plan, cast):
    with pytest.raises(Conflict, match="cannot be done now"):
        services.save_entry(
            actor=cast.carol,
            plan_worker=PlanWorker(plan=plan, worker=cast.alice, community=plan.unit),
            indicator=indicator(plan, Source.ENTERED),
            value=50,
        )


def test_several_entries_are_all_or_none(running, cast):
    honours = indicator(running, Source.ENTERED)
    a, b = line(running, cast.alice), line(running, cast.bob)
    with pytest.raises(InvalidInput) as error:
        services.save_entries(
            actor=cast.carol,
            indicator=honours,
            rows=[services.EntryData(a, "90"), services.EntryData(b, "900")],
        )
    assert error.value.field == "entries.1.value"
    assert not honours.entries.exists()


# ---- scores ------------------------------------------------------------------------------------


def test_scores_weights_missing_values_and_ranks(scored, cast):
    a, b = line(scored, cast.alice), line(scored, cast.bob)
    # alice: 30·90 + 40·80 + 20·70 + 10·100 = 8300 / 100; bob: (30·60 + 20·100) / 50.
    assert a.score == D("83.00") and b.score == D("76.00")
    assert (a.rank_in_plan, a.rank_in_community) == (1, 1)
    assert (b.rank_in_plan, b.rank_in_community) == (2, 2)
    quiz = indicator(scored, Source.QUIZ)
    assert (
        a.details[str(quiz.pk)] == "70"
        and str(indicator(scored, Source.COMPLETENESS).pk) not in b.details
    )


def test_scoring_announces_and_sets_the_appeal_period_on_working_days(running, cast, values):
    values(Source.INSPECTION, {})
    values(Source.COMPLETENESS, {})
    values(Source.QUIZ, {})
    friday = timezone.make_aware(dt.datetime(2025, 9, 26, 10, 0))  # before the National Day
    done = services.score_plan(actor=cast.carol, plan=running, now=friday)
    assert done.status == PlanStatus.SCORING and done.scored_at == friday
    assert done.appeals_until == add_working_days(friday, 5)
    # 9-28 (a make-up Sunday) and 9-29, 9-30, 10-9, 10-10 are the five working days.
    assert timezone.localtime(done.appeals_until).date() == dt.date(2025, 10, 10)
    assert Notification.objects.filter(user=cast.alice, link="/assessment/mine/").exists()
    assert line(done, cast.alice).score is None and line(done, cast.alice).rank_in_plan is None


def test_a_source_not_registered_refuses_scoring(running, cast, values):
    values(Source.INSPECTION, {})
    with pytest.raises(Conflict, match="not available"):
        services.score_plan(actor=cast.carol, plan=running)
    running.refresh_from_db()
    assert running.status == PlanStatus.RUNNING


def test_ties_share_a_rank_in_the_community_and_the_plan(tree, cast, values, make_user):
    carl = make_user("carl", unit=tree.grid_b1_1, role=Role.GRID_WORKER)
    district = make_user("dora", unit=tree.district, role=Role.DISTRICT_STAFF)
    plan = services.create_plan(actor=district, unit=tree.district, year=2025)
    services.save_indicators(
        actor=district,
        plan=plan,
        rows=[services.IndicatorData(Part.TEST, "测", "100", Source.QUIZ)],
    )
    services.open_plan(actor=district, plan=plan)
    lines = {pw.worker.username: pw.pk for pw in plan.workers.select_related("worker")}
    values(Source.QUIZ, {lines["alice"]: 90, lines["bob"]: 90, lines["bea"]: 95, lines["carl"]: 80})
    services.score_plan(actor=district, plan=plan)
    ranks = {
        pw.worker.username: (pw.rank_in_plan, pw.rank_in_community)
        for pw in plan.workers.select_related("worker")
    }
    assert ranks == {"bea": (1, 1), "alice": (2, 1), "bob": (2, 1), "carl": (4, 2)}
    assert carl


# ---- publishing --------------------------------------------------------------------------------


def after(plan) -> dt.datetime:
    return plan.appeals_until + dt.timedelta(minutes=1)


def test_publishing_waits_for_the_appeal_period(scored, cast):
    with pytest.raises(Conflict, match="appeal until"):
        services.publish_plan(actor=cast.carol, plan=scored)
    done = services.publish_plan(actor=cast.carol, plan=scored, now=after(scored))
    assert done.status == PlanStatus.PUBLISHED and done.published_at == after(scored)


def test_publishing_is_refused_while_an_appeal_is_filed(scored, cast):
    services.file_appeal(actor=cast.bob, plan_worker=line(scored, cast.bob), reason="漏算")
    with pytest.raises(Conflict, match="waiting"):
        services.publish_plan(actor=cast.carol, plan=scored, now=after(scored))


def test_publishing_needs_the_scores_computed_after_a_change(scored, cast):
    services.save_entry(
        actor=cast.carol,
        plan_worker=line(scored, cast.bob),
        indicator=indicator(scored, Source.ENTERED),
        value="50",
        now=scored.scored_at + dt.timedelta(hours=1),
    )
    with pytest.raises(Conflict, match="compute them again"):
        services.publish_plan(actor=cast.carol, plan=scored, now=after(scored))
    services.rescore_plan(
        actor=cast.carol, plan=scored, now=scored.scored_at + dt.timedelta(hours=2)
    )
    # bob: (30·60 + 20·100 + 10·50) / 60 = 71.67
    assert line(scored, cast.bob).score == D("71.67")
    assert (
        services.publish_plan(actor=cast.carol, plan=scored, now=after(scored)).status
        == "published"
    )


def test_a_published_plan_is_locked(scored, cast):
    published = services.publish_plan(actor=cast.carol, plan=scored, now=after(scored))
    a = line(published, cast.alice)
    with pytest.raises(Conflict, match="locked"):
        services.save_entry(
            actor=cast.carol, plan_worker=a, indicator=indicator(published, Source.ENTERED), value=1
        )
    with pytest.raises(Conflict):
        services.rescore_plan(actor=cast.carol, plan=published)
    with pytest.raises(Conflict):
        services.file_appeal(actor=cast.alice, plan_worker=a, reason="晚了", now=after(published))
    with pytest.raises(Conflict, match="locked"), transaction.atomic():
        services.require_open(published)
    assert PlanStep.objects.filter(plan=published).count() == 4  # create open score publish


def test_require_open_names_the_state(plan, cast):
    with pytest.raises(Conflict, match="Draft"), transaction.atomic():
        services.require_open(plan)
    services.open_plan(actor=cast.carol, plan=plan)
    with transaction.atomic():
        assert services.require_open(plan.pk).status == PlanStatus.RUNNING


# ---- honours -----------------------------------------------------------------------------------


def test_honours_after_publishing(scored, cast, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    a = line(scored, cast.alice)
    data = services.HonourData("优秀网格员", "走遍每一户", "https://video.example.cn/v/1")
    with pytest.raises(Conflict):
        services.add_honour(actor=cast.carol, plan_worker=a, data=data)
    services.publish_plan(actor=cast.carol, plan=scored, now=after(scored))
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    photo = SimpleUploadedFile("a.jpg", buffer.getvalue(), content_type="image/jpeg")
    with pytest.raises(NotAllowed):
        services.add_honour(actor=cast.bert, plan_worker=a, data=data)
    honour = services.add_honour(actor=cast.carol, plan_worker=a, data=data, photos=[photo])
    assert (
        honour.unit_code == scored.unit_code and honour.published_at and honour.photos.count() == 1
    )
    with pytest.raises(Conflict):
        services.add_honour(actor=cast.carol, plan_worker=a, data=data)
    for bad in ("javascript:alert(1)", "ftp://x.cn/v", "/relative"):
        with pytest.raises(InvalidInput) as error:
            services.add_honour(
                actor=cast.carol,
                plan_worker=line(scored, cast.bob),
                data=services.HonourData("t", "s", bad),
            )
        assert error.value.field == "video_url"
    with pytest.raises(InvalidInput):
        services.add_honour(
            actor=cast.carol, plan_worker=line(scored, cast.bob), data=services.HonourData("", "s")
        )
    services.remove_honour(actor=cast.carol, honour=honour)
    assert not Honour.objects.exists()
    assert not Appeal.objects.exists()
