"""The demo's public selection: 三官庙街道's “最美如意人” in its voting period, taken through
the real services with the moment of each step (`now=`): three categories, candidates with
their stories (nominated by the street's staff and by residents), one nomination rejected
with its reason, and a few days of votes by synthetic voters (keyed hashes of no real phone),
among them a burst from one address that is flagged for the staff to review. Deterministic
(seeded)."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from civicgrid.core import privacy
from civicgrid.core.errors import CivicgridError
from civicgrid.org.demo import DEMO_STREET
from civicgrid.org.models import OrgUnit
from civicgrid.org.tree import is_under
from civicgrid.selections import services
from civicgrid.selections.models import Selection

TITLE = "2026年度“最美如意人”评选"
STAFF_LOGIN = "street"
# category → [(nominee, story, nominated by a resident?)]
CANDIDATES: dict[str, list[tuple[str, str, bool]]] = {
    "最美志愿者": [
        (
            "王秀兰",
            "退休教师，在社区“四点半课堂”义务辅导孩子作业八年，寒暑假还组织读书会。",
            False,
        ),
        (
            "李建国",
            "老党员，每晚带着楼院巡逻队在纺机家园转一圈，谁家水管漏了、楼道灯坏了，他总是第一个知道。",
            True,
        ),
        (
            "陈晓燕",
            "暖心驿站志愿者，夏天给环卫工和快递小哥备好绿豆汤，冬天备好热水和暖手宝。",
            True,
        ),
    ],
    "优秀网格员": [
        (
            "赵敏",
            "第1网格专职网格员，熟悉网格内每一户，独居老人家里的钥匙都放心交给她保管。",
            False,
        ),
        (
            "孙磊",
            "第2网格网格员，一年上报并跟进处置事件两百余件，小区消防通道不再被占用。",
            False,
        ),
    ],
    "最美家庭": [
        (
            "张卫东家庭",
            "三代同堂，悉心照料卧床多年的老母亲，还常帮邻居照看孩子，被邻里称为“好人家”。",
            True,
        ),
        (
            "马红梅家庭",
            "夫妻俩坚持垃圾分类、带头参加楼院美化，把楼道变成了居民的“小花园”。",
            False,
        ),
    ],
}
# Relative popularity of each candidate in the synthetic votes.
WEIGHTS = {
    "王秀兰": 5,
    "李建国": 4,
    "陈晓燕": 3,
    "赵敏": 5,
    "孙磊": 3,
    "张卫东家庭": 4,
    "马红梅家庭": 3,
}
VOTERS = 150


def has_selections(district: str) -> bool:
    return Selection.objects.filter(unit_code__under=district).exists()


def _voter(n: int) -> services.Voter:
    """A synthetic voter: the keyed hash of a made-up key, never a phone number."""
    return services.Voter(privacy.blind_index(f"demo-voter:{n}"), "")


@transaction.atomic
def load(district: str, *, now: dt.datetime | None = None, seed: int = 2026) -> int:
    """Add the selection to `district` (when 三官庙街道 and its staff login are in it); returns
    the number of votes cast."""
    street = OrgUnit.objects.filter(code=DEMO_STREET).first()
    staff = get_user_model().objects.filter(username=STAFF_LOGIN).first()
    if street is None or staff is None or not is_under(street.code, district):
        return 0
    now = now or timezone.now()
    rng = random.Random(seed)
    start = (now - dt.timedelta(days=12)).replace(hour=9, minute=0, second=0, microsecond=0)
    with translation.override("zh-hans"):
        selection = services.create_selection(
            actor=staff,
            unit=street,
            data=services.SelectionData(
                title=TITLE,
                description=(
                    "寻找身边的“最美如意人”：为社区默默奉献的志愿者、尽职尽责的网格员和"
                    "和睦友爱的家庭。居民提名、街道审核、公开投票，每个手机号每天每个类别可投一票。"
                ),
                nominations_open_at=start,
                nominations_close_at=start + dt.timedelta(days=5),
                voting_open_at=start + dt.timedelta(days=7),
                voting_close_at=start + dt.timedelta(days=30),
                vote_rule="daily",
            ),
            categories=list(CANDIDATES),
            now=start - dt.timedelta(days=3),
        )
        selection = services.open_nominations(actor=staff, selection=selection, now=start)
        categories = {c.name: c for c in selection.categories.all()}
        made = []
        for index, (category, rows) in enumerate(CANDIDATES.items()):
            for number, (name, story, by_resident) in enumerate(rows):
                made.append(
                    services.nominate(
                        actor=None if by_resident else staff,
                        selection=selection,
                        category=categories[category],
                        name=name,
                        story=story,
                        nominator="热心居民" if by_resident else "",
                        phone=f"1380000{index}{number:03d}" if by_resident else "",
                        now=start + dt.timedelta(days=1, hours=index * 3 + number),
                    )
                )
        rejected = services.nominate(
            actor=None,
            selection=selection,
            category=categories["最美志愿者"],
            name="王某",
            story="人很好。",
            nominator="匿名",
            phone="13800009999",
            now=start + dt.timedelta(days=4),
        )
        selection = services.close_nominations(
            actor=staff, selection=selection, now=start + dt.timedelta(days=5)
        )
        review = start + dt.timedelta(days=6)
        candidates = [
            services.approve_nomination(actor=staff, nomination=n, now=review) for n in made
        ]
        services.reject_nomination(
            actor=staff,
            nomination=rejected,
            reason="事迹过于简单，提名人未能提供可核实的具体事迹。",
            now=review,
        )
        selection = services.open_voting(
            actor=staff, selection=selection, now=start + dt.timedelta(days=7)
        )
        by_category: dict[int, list] = {}
        for candidate in candidates:
            by_category.setdefault(candidate.category_id, []).append(candidate)
        opened = selection.voting_open_at
        hours = max(1, int((now - opened).total_seconds() // 3600) - 1)
        cast = 0
        for n in range(VOTERS):
            ip = f"10.{20 + n // 200}.{n % 200}.{rng.randint(1, 250)}"
            device = f"demo-device-{n:012d}"
            for day in sorted(rng.sample(range(hours // 24 + 1), k=min(2, hours // 24 + 1))):
                moment = opened + dt.timedelta(
                    hours=day * 24 + rng.randint(0, 23), minutes=rng.randint(0, 59)
                )
                if moment >= now:
                    continue
                for pool in by_category.values():
                    if rng.random() < 0.35:
                        continue
                    choice = rng.choices(pool, weights=[WEIGHTS[c.name] for c in pool])[0]
                    try:
                        services.cast_vote(
                            selection=selection,
                            nomination=choice,
                            voter=_voter(n),
                            ip=ip,
                            device=device,
                            now=moment,
                        )
                        cast += 1
                    except CivicgridError:
                        pass
        # Yesterday evening, 25 votes for one candidate from one address within minutes: flagged.
        burst = (now - dt.timedelta(days=1)).replace(hour=21, minute=0, second=0, microsecond=0)
        target = by_category[categories["最美家庭"].pk][1]
        for k in range(25):
            moment = burst + dt.timedelta(seconds=17 * k)
            if not opened <= moment < now:
                continue
            services.cast_vote(
                selection=selection,
                nomination=target,
                voter=_voter(10_000 + k),
                ip="10.99.0.1",
                device=f"demo-burst-{k:012d}",
                now=moment,
            )
            cast += 1
    return cast


def demo_part(district: str, *, progress: bool) -> str:
    """The demo's selection, unless the district has one (core.demo; registered in apps.py)."""
    if has_selections(district):
        return ""
    cast = load(district)
    return f"1 demo selection with {cast} votes added." if cast else ""
