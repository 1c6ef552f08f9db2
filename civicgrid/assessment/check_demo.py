"""The demo's 查 and 听: for an open (RUNNING) plan, through the real services, as its assessor.

- Communities: 3 of the plan's communities (all of them when it has 3 or fewer). Only
  河南纺机社区 (org/demo.DEMO_COMMUNITY) has demo residents, so the demo's seeds are the first of
  "<year>-查-1", "<year>-查-2", … that draws it (and, for the grids, one of its grids with
  residents): a demo choice, said here and shown in the log like any seed; a real assessor's
  seed is random or read out at the meeting.
- Grids: up to 6 of the drawn communities' grids.
- Spot checks: 8 ledger rows (or all, when fewer) of every drawn grid that has any, marked on
  site: most right, a few wrong with a remark, the last one or two left for later.
- Cross-boundary reports: two reported in November by the workers of the first drawn grids
  with workers (the synthetic history has no reporting workers), taken through to closure,
  and each reviewed for quality.
- Inspections: one for every worker in scope, November–December of the plan's year, with
  plausible varied scores and remarks; a second for a few.
Deterministic: the same demo gives the same figures.
"""

import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from civicgrid.assessment import checks, sampling
from civicgrid.assessment.models import Aspect, Draw, Plan, Quality
from civicgrid.events import services as events
from civicgrid.events.models import Category
from civicgrid.org.demo import DEMO_COMMUNITY
from civicgrid.org.models import OrgUnit

COMMUNITIES = 3
GRIDS = 6
ROWS = 8
WRONG = [
    "身份证号与户籍信息不符",
    "已搬离未及时注销",
    "联系电话已停机",
    "户主信息未更新",
    "门牌号登记有误",
]
REMARKS = {
    Aspect.ON_DUTY: ["按时在岗，巡查记录完整", "在岗在位，熟悉网格情况", "巡查轨迹偶有中断"],
    Aspect.KEY_WORK: ["重点人群走访到位", "消防通道整治推进有力", "重点工作台账需补充"],
    Aspect.DISCIPLINE: ["遵守工作纪律", "着装规范，佩戴工作证", "一次未按时参加例会"],
    Aspect.SERVICE: ["群众评价好，提户知人", "独居老人走访及时", "群众诉求回应稍慢"],
}
OVERALL = [
    "现场抽问网格底数，回答准确。",
    "熟悉辖区楼栋和重点人群，台账清楚。",
    "工作认真，建议加强三跨事件上报的规范性。",
    "能主动发现并化解矛盾，居民认可度高。",
]
CROSS = [
    ("2401", "临街商铺外墙广告牌松动，涉及城管与住建", "department"),
    ("1201", "两社区交界处道路破损，权属不清", "area"),
]


def _seed_drawing(population: list[str], count: int, wanted, prefix: str) -> str:
    """The first seed "<prefix>-1", "<prefix>-2", … whose draw satisfies `wanted` (or the
    first one when none of 200 does)."""
    for n in range(1, 201):
        seed = f"{prefix}-{n}"
        if wanted(sampling.draw(population, seed, count)):
            return seed
    return f"{prefix}-1"


def _photo(rng: random.Random) -> SimpleUploadedFile:
    out = io.BytesIO()
    colour = (rng.randrange(90, 200), rng.randrange(90, 200), rng.randrange(90, 200))
    Image.new("RGB", (320, 240), colour).save(out, "JPEG")
    return SimpleUploadedFile("inspection.jpg", out.getvalue(), content_type="image/jpeg")


def _in_year(plan: Plan, moment: dt.datetime) -> dt.datetime:
    """`moment`, but no later than the plan's year's last afternoon, nor than now."""
    last = moment.replace(year=plan.year, month=12, day=31, hour=17, minute=0)
    return min(moment, last, timezone.now() - dt.timedelta(minutes=1))


def load(plan: Plan, assessor: Any, now: dt.datetime) -> dict[str, int]:
    """The plan's sample, spot checks, cross-boundary reviews and inspections; returns counts."""
    rng = random.Random(plan.year)
    made = {"draws": 0, "spot_checks": 0, "reviews": 0, "inspections": 0}

    # 查: communities, then grids, with seeds anyone can re-draw.
    communities = [unit.code for unit in checks.communities_of(plan)]
    if not communities:
        return made
    count = min(COMMUNITIES, len(communities))
    seed = _seed_drawing(
        communities, count, lambda got: DEMO_COMMUNITY in got, f"{plan.year}-查-社区"
    )
    drawn = checks.draw_communities(actor=assessor, plan=plan, count=count, seed=seed, at=now)
    grids = checks.grids_of(drawn.result)
    made["draws"] += 1
    if grids:
        codes = [unit.code for unit in grids]
        with_rows = {unit.code for unit in grids if checks.ledger_population(unit)}
        count = min(GRIDS, len(codes))
        seed = _seed_drawing(
            codes, count, lambda got: bool(with_rows & set(got)), f"{plan.year}-查-网格"
        )
        checks.draw_grids(
            actor=assessor, plan=plan, count=count, seed=seed, at=now + dt.timedelta(minutes=10)
        )
        made["draws"] += 1

    # Spot checks in the drawn grids that keep ledgers.
    sampled = OrgUnit.objects.filter(code__in=checks.sampled_grid_codes(plan)).order_by("code")
    for n, grid in enumerate(sampled):
        population = checks.ledger_population(grid)
        if not population:
            continue
        at = _in_year(plan, now + dt.timedelta(days=1 + n, hours=1))
        check = checks.draw_ledger(
            actor=assessor,
            plan=plan,
            grid=grid,
            count=min(ROWS, len(population)),
            seed=f"{plan.year}-查-台账-{grid.code}",
            at=at,
        )
        items = list(check.items.order_by("pk"))
        marks = []
        for i, item in enumerate(items):
            if i >= len(items) - (n % 2 + 1) and len(items) > 2:
                break  # the last rows are left for a later visit
            wrong = rng.random() < 0.15
            marks.append(checks.Mark(item.pk, not wrong, rng.choice(WRONG) if wrong else ""))
        checks.mark_spot_check(
            actor=assessor,
            spot_check=check,
            marks=marks,
            remarks="入户核对，与网格员台账逐条比对。",
            at=at + dt.timedelta(hours=2),
        )
        made["spot_checks"] += 1
    made["draws"] += made["spot_checks"]

    # Cross-boundary reports of the drawn grids' workers, reviewed for quality.
    by_grid = checks.workers_by_grid(plan)
    reporters = [(code, rows[0]) for code, rows in sorted(by_grid.items())][: len(CROSS)]
    reported_at = now.replace(year=plan.year, month=11, day=6, hour=9, minute=30)
    for (code, planned), (category, title, kind) in zip(reporters, CROSS, strict=False):
        grid = OrgUnit.objects.get(code=code)
        worker = planned.worker
        at = reported_at + dt.timedelta(days=len(title) % 5)
        event = events.report_event(
            actor=worker,
            title=title,
            category=Category.objects.get(code=category),
            unit=grid,
            lon=grid.centre_lon,
            lat=grid.centre_lat,
            description=title,
            at=at,
        )
        event = events.accept_event(
            actor=assessor, event=event, cross_boundary=kind, at=at + dt.timedelta(hours=1)
        )
        event = events.dispatch_event(
            actor=assessor, event=event, handler_user=worker, at=at + dt.timedelta(hours=2)
        )
        event = events.sign_event(actor=worker, event=event, at=at + dt.timedelta(hours=3))
        event = events.resolve_event(
            actor=worker,
            event=event,
            note="协调相关部门现场处置完毕",
            photos=[_photo(rng)],
            at=at + dt.timedelta(days=2),
        )
        event = events.verify_event(
            actor=assessor, event=event, passed=True, at=at + dt.timedelta(days=2, hours=3)
        )
        event = events.close_event(actor=assessor, event=event, at=at + dt.timedelta(days=3))
        quality = [Quality.HIGH, Quality.ORDINARY, Quality.LOW][made["reviews"] % 3]
        checks.review_cross_boundary(
            actor=assessor,
            plan=plan,
            event=event,
            quality=quality,
            remark={
                "high": "要素齐全，定位准确，上报及时",
                "ordinary": "描述基本清楚，缺少照片",
            }.get(quality, "上报信息不完整"),
            at=_in_year(plan, now + dt.timedelta(days=3)),
        )
        made["reviews"] += 1

    # 听: an inspection of every worker in scope, scattered over November and December.
    start = now.replace(year=plan.year, month=11, day=10, hour=9, minute=0)
    workers = list(plan.workers.select_related("community").order_by("community_code", "pk"))
    for n, planned in enumerate(workers):
        for visit in range(2 if n % 4 == 0 else 1):
            level = rng.choice([Decimal("0.8"), Decimal("0.88"), Decimal("0.94"), Decimal(1)])
            aspects = {}
            for aspect in Aspect.values:
                points = Decimal(25) * level - Decimal(rng.randrange(0, 5))
                points = max(Decimal(10), min(Decimal(25), points))
                points = (points * 2).to_integral_value() / 2  # whole or half points
                aspects[aspect] = (str(points), rng.choice(REMARKS[Aspect(aspect)]))
            day = (n * 3 + visit * 17) % 45
            at = _in_year(plan, start + dt.timedelta(days=day, hours=rng.randrange(0, 7)))
            checks.record_inspection(
                actor=assessor,
                plan=plan,
                plan_worker=planned,
                aspects=aspects,
                place=f"{planned.community.display_name}网格",
                remarks=rng.choice(OVERALL),
                photos=[_photo(rng)] if n < 3 and visit == 0 else [],
                at=at,
            )
            made["inspections"] += 1
    assert Draw.objects.filter(plan=plan).count() == made["draws"]
    return made
