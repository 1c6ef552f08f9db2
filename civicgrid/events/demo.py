"""Demo events: a year of synthetic history for the district, and a handful of live events
in the demo community taken through the real services, so every login has work waiting."""

import random

from django.contrib.auth import get_user_model
from django.db import transaction

from civicgrid.events import services
from civicgrid.events.models import FOLLOW_UP_CALL, Category, Event, Satisfaction, WhistleKind
from civicgrid.events.synth import synthesize
from civicgrid.org.demo import DEMO_COMMUNITY, DEMO_STREET
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit

HISTORY = 3000

LIVE = [
    # category, title, how far it goes
    ("2101", "3号楼东侧消防通道被私家车堵塞", "dispatched"),
    ("0103", "5号楼2单元楼道堆放纸箱杂物", "handling"),
    ("0403", "小区南门共享单车乱停放", "reported"),
    ("2401", "7号楼外墙墙皮脱落，有坠落风险", "whistled"),
    ("1201", "纺机路人行道路面破损", "resolved"),
    ("0102", "菜市场门口占道堆物", "accepted"),
    ("1104", "小区北侧高压电缆下垂", "whistled"),
    ("2301", "独居老人家中暖气不热需要帮助", "closed"),
    ("1401", "9号楼前绿化带内枯枝倒伏", "followed_up"),
    # 即报即办: fixed on patrol; one closed at once, one drawn for the community's spot check.
    ("0103", "2号楼楼道堆放杂物已当场清理", "on_the_spot"),
    ("0403", "东门共享单车已当场摆放整齐", "spot_check"),
]


@transaction.atomic
def load_demo_events(district: str) -> int:
    made = synthesize(district=district, count=HISTORY, days=365, with_steps=True, words=True)
    User = get_user_model()
    worker = User.objects.get(username="gridworker")
    community = User.objects.get(username="community")
    police = OrgUnit.objects.get(code=DEMO_STREET + "901")
    grid = OrgUnit.objects.get(code=DEMO_COMMUNITY + "001")
    assert grid.centre_lon is not None and grid.centre_lat is not None  # the demo draws it
    rng = random.Random(7)
    for code, title, stage in LIVE:
        lon = grid.centre_lon + rng.uniform(-0.0004, 0.0004)
        lat = grid.centre_lat + rng.uniform(-0.0004, 0.0004)
        if stage in {"on_the_spot", "spot_check"}:
            services.report_event(
                actor=worker,
                title=title,
                category=Category.objects.get(code=code),
                unit=grid,
                lon=lon,
                lat=lat,
                address="河南纺机社区",
                photos=[_photo(rng, "before.jpg")],
                on_the_spot=True,
                resolution="巡查发现后当场处置",
                after_photos=[_photo(rng)],
                spot_check=stage == "spot_check",
            )
            continue
        event = services.report_event(
            actor=worker,
            title=title,
            category=Category.objects.get(code=code),
            unit=grid,
            lon=lon,
            lat=lat,
            address="河南纺机社区",
        )
        if stage == "reported":
            continue
        event = services.accept_event(actor=community, event=event)
        if stage == "accepted":
            continue
        if stage == "whistled":
            fire = OrgUnit.objects.filter(
                kind=Kind.DEPARTMENT, parent__code=DEMO_STREET, subkind="fire"
            ).first()
            services.whistle_event(
                actor=community,
                event=event,
                kind=WhistleKind.TOUGH_CASE,
                departments=[unit for unit in (police, fire) if unit],
                note="社区协调未果，请部门报到",
            )
            continue
        event = services.dispatch_event(actor=community, event=event, handler_user=worker)
        if stage == "dispatched":
            continue
        event = services.sign_event(actor=worker, event=event)
        if stage == "handling":
            continue
        event = services.resolve_event(
            actor=worker, event=event, note="已现场处置", photos=[_photo(rng)]
        )
        if stage == "resolved":
            continue
        # Separation of duties: the community verifies what the grid worker resolved, and a
        # rating is a follow-up call by the community, never the worker's own.
        event = services.verify_event(actor=community, event=event, passed=True)
        event = services.close_event(actor=community, event=event)
        if stage == "followed_up":
            services.rate_event(
                actor=community,
                event=event,
                channel=FOLLOW_UP_CALL,
                solved=True,
                satisfaction=Satisfaction.SATISFIED,
                comment="电话回访：居民表示已清理",
            )
    return made + len(LIVE)


def _photo(rng: random.Random, name: str = "after.jpg"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), (rng.randint(150, 220), 200, 190))
    ImageDraw.Draw(image).rectangle((100, 120, 700, 480), outline=(60, 60, 60), width=8)
    out = io.BytesIO()
    image.save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def has_events(district: str) -> bool:
    return Event.objects.filter(unit_code__under=district).exists()


def demo_part(district: str, *, progress: bool) -> str:
    """The demo's events, unless the district has them (core.demo;
    registered in apps.py)."""
    if has_events(district):
        return ""
    return f"{load_demo_events(district)} demo events added."
