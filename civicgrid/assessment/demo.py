"""Demo: 三官庙街道's assessment of its grid workers for last year (2025), taken through the real
services with the moment of each step (`now=`): the plan and its weighted indicators in the
four parts (听 30 · 查 40 · 测 20 · 彰 10), opened on 3 November 2025 (the workers in scope are
the street's grid workers and leaders), the parts' own records loaded between opening and
scoring by their loaders (check_demo: the draw, spot checks, cross-boundary reviews and
inspections in November–December; quiz_demo: the knowledge test in December), the assessors'
honours-and-deductions values, the scores announced on 22 December, two appeals (one upheld,
its value corrected and the scores computed again; one dismissed), the result published after
the appeal period, and the three best workers on the honour list with their stories.

Deterministic (seeded)."""

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from civicgrid.assessment import check_demo, quiz_demo, services
from civicgrid.assessment.models import Part, Plan, PlanWorker, Source
from civicgrid.org.demo import DEMO_STREET
from civicgrid.org.models import OrgUnit, Posting
from civicgrid.org.roles import Role
from civicgrid.org.tree import is_under

YEAR = 2025
ASSESSOR_LOGIN = "street"
# The parts' records of the running plan: the sample, spot checks, reviews and inspections
# (查, 听), then the knowledge test (测).
PART_LOADERS = (check_demo.load, quiz_demo.load)
INDICATORS = [
    services.IndicatorData(
        Part.HEAR, "在岗履职、重点工作、工作纪律、服务民生", "30", Source.INSPECTION
    ),
    services.IndicatorData(Part.CHECK, "基础数据完整率", "15", Source.COMPLETENESS),
    services.IndicatorData(Part.CHECK, "四率", "10", Source.RATES),
    services.IndicatorData(Part.CHECK, "台账抽查准确率", "10", Source.SPOT_CHECK),
    services.IndicatorData(Part.CHECK, "三跨事件上报质量", "5", Source.CROSS_BOUNDARY),
    services.IndicatorData(Part.TEST, "应知应会知识测评", "20", Source.QUIZ),
    services.IndicatorData(Part.HONOUR, "评优表彰与扣分", "10", Source.ENTERED),
]
NOTES = [
    (100, "获区级“优秀网格员”表彰"),
    (95, "收到居民表扬信两封"),
    (90, "参与防汛值守表现突出"),
    (85, "按时完成各项重点工作"),
    (80, "无表彰、无扣分"),
    (70, "一次巡查记录不全，扣分"),
]
STORIES = [
    "{name}负责{community}的网格，一年里走访入户数百次，网格内每一户的情况都记在心里。"
    "遇到独居老人生病，{name}第一时间联系家属并陪同就医；楼道堆物、路灯不亮这些小事，"
    "能当场处置的当场处置，处置不了的及时上报，件件有回音。",
    "{name}把“日查+夜巡”坚持成了习惯。{community}的居民说，有事找网格员，"
    "{name}总是比问题先到一步。今年汛期，{name}连续值守，排查低洼院落和地下车库，"
    "协助转移群众，没有发生一起安全事故。",
    "{name}熟悉网格里的每一栋楼、每一家商铺。知识测评中，{name}在矛盾纠纷排查化解、"
    "三跨事件上报等方面成绩突出；日常工作中，{name}调解邻里纠纷十余起，"
    "做到小事不出网格、大事不出社区。",
]


def _at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(YEAR, month, day, hour, 0))


def _assessor(street: OrgUnit) -> Any:
    user = get_user_model().objects.filter(username=ASSESSOR_LOGIN).first()
    if (
        user is not None
        and Posting.objects.filter(
            user=user, unit=street, role=Role.STREET_STAFF, active=True
        ).exists()
    ):
        return user
    posting = (
        Posting.objects.filter(unit=street, role=Role.STREET_STAFF, active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return posting.user if posting else None


def _second_assessor(street: OrgUnit, first: Any) -> Any:
    posting = (
        Posting.objects.filter(unit=street, role=Role.STREET_STAFF, active=True)
        .exclude(user=first)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return posting.user if posting else first


def load_plan(street: OrgUnit) -> tuple[Plan, str]:
    """The 2025 plan of `street`, taken to its published result; (plan, what was done)."""
    rng = random.Random(int(street.code))
    assessor = _assessor(street)
    if assessor is None:
        raise RuntimeError("no street staff to run the demo assessment")
    plan = services.create_plan(
        actor=assessor,
        unit=street,
        year=YEAR,
        title=f"{YEAR}年度{street.display_name}专职网格员考核",
        now=_at(10, 15),
    )
    services.save_indicators(actor=assessor, plan=plan, rows=INDICATORS)
    plan = services.open_plan(actor=assessor, plan=plan, now=_at(11, 3, 9))
    for loader in PART_LOADERS:
        loader(plan, assessor, _at(11, 3, 9))
    lines = list(plan.workers.select_related("worker", "community").order_by("pk"))
    entered = plan.indicators.get(source=Source.ENTERED)
    rows = []
    for line in lines:
        value, note = NOTES[rng.randrange(len(NOTES))]
        rows.append(services.EntryData(line, value, note))
    services.save_entries(actor=assessor, indicator=entered, rows=rows, now=_at(12, 19, 16))
    plan = services.score_plan(actor=assessor, plan=plan, now=_at(12, 22))
    other = _second_assessor(street, assessor)
    ranked = list(plan.workers.filter(score__isnull=False).order_by("score", "pk"))
    if len(ranked) >= 2:
        low, next_low = ranked[0], ranked[1]
        appeal = services.file_appeal(
            actor=low.worker,
            plan_worker=low,
            indicator=entered,
            reason="11月已获街道通报表扬，表彰加分未计入，请复核。",
            now=_at(12, 23, 9),
        )
        services.answer_appeal(
            actor=other,
            appeal=appeal,
            uphold=True,
            answer="经核实，通报表扬属实，表彰加分更正为 95 分。",
            now=_at(12, 24, 10),
        )
        services.save_entry(
            actor=other,
            plan_worker=low,
            indicator=entered,
            value=95,
            note="街道通报表扬（申诉更正）",
            now=_at(12, 24, 11),
        )
        dismissed = services.file_appeal(
            actor=next_low.worker,
            plan_worker=next_low,
            reason="认为现场察看得分偏低。",
            now=_at(12, 23, 15),
        )
        services.answer_appeal(
            actor=other,
            appeal=dismissed,
            uphold=False,
            answer="经调阅现场察看记录和照片，评分依据充分，维持原成绩。",
            now=_at(12, 25, 10),
        )
        plan = services.rescore_plan(actor=assessor, plan=plan, now=_at(12, 25, 15))
    plan.refresh_from_db()
    assert plan.appeals_until is not None
    published_at = plan.appeals_until + dt.timedelta(hours=16)
    plan = services.publish_plan(actor=assessor, plan=plan, now=published_at)
    best = (
        PlanWorker.objects.filter(plan=plan, rank_in_plan__isnull=False)
        .select_related("worker", "community")
        .order_by("rank_in_plan", "pk")[:3]
    )
    for index, line in enumerate(best):
        name = str(line.worker)
        services.add_honour(
            actor=assessor,
            plan_worker=line,
            data=services.HonourData(
                title="优秀网格员" if index else "十佳网格员",
                story=STORIES[index % len(STORIES)].format(
                    name=name, community=line.community.display_name
                ),
            ),
            now=published_at + dt.timedelta(days=1),
        )
    return plan, f"{len(lines)} workers assessed, scored, ranked and published."


def load_demo_assessment(district: str) -> str:
    street = OrgUnit.objects.filter(code=DEMO_STREET, active=True).first()
    if street is None or not is_under(street.code, district):
        return ""
    with translation.override("zh-hans"):
        _plan, said = load_plan(street)
    return f"Assessment {YEAR} of {street.display_name}: {said}"


def has_assessment(district: str) -> bool:
    return Plan.objects.filter(unit__code=DEMO_STREET, year=YEAR).exists() or not is_under(
        DEMO_STREET, district
    )


def demo_part(district: str, *, progress: bool) -> str:
    """The demo's assessment, unless the street has its 2025 plan (core.demo; apps.py)."""
    if has_assessment(district):
        return ""
    return load_demo_assessment(district)
