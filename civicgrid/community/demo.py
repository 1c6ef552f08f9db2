"""Demo community services in 河南纺机社区, after the seeds: partners who run services in the
service centre (space, operation and governance partners, with the rent they are spared) and
the thirty-odd activities they ran for about a thousand people; needs from door-to-door surveys;
resources from partners, volunteer teams and member units; projects that matched them (one
micro-project done); the community's joint party committee with its member units, monthly
councils and quarterly joint meetings whose resolutions became tasks claimed by members."""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone, translation

from civicgrid.alliances import services as alliances
from civicgrid.community import rollups, services
from civicgrid.community.models import Need, NeedStep, Partner, Task
from civicgrid.org.demo import DEMO_COMMUNITY, DEMO_PASSWORD
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.tree import is_under
from civicgrid.party.models import PartyMember

PARTNERS = [
    # name, space, operation, governance, space used, benefit, yuan a year, offer
    (
        "邻里家政服务中心",
        True,
        True,
        False,
        "党群服务中心一楼 40㎡",
        "免租金",
        24000,
        "助浴、保洁（公益+低偿）",
    ),
    ("百姓大药房纺机店", False, True, False, "", "", 0, "免费量血压、送药上门"),
    ("爱心理发店", True, True, False, "党群服务中心一楼 15㎡", "租金减半", 6000, "老人理发 5 元"),
    (
        "小蜜蜂托管中心",
        True,
        True,
        False,
        "党群服务中心二楼 80㎡",
        "免租金",
        36000,
        "四点半课堂、暑期托管（低偿）",
    ),
    ("纺机物业服务中心", False, False, True, "", "", 0, "楼道整治、设施维修"),
    ("中原律师事务所", False, False, True, "", "", 0, "每月法律咨询日"),
]
ACTIVITIES = [
    "义剪",
    "健康义诊",
    "四点半课堂",
    "助浴服务",
    "法律咨询日",
    "夏季送清凉",
    "家电义修",
    "防诈骗讲座",
]
NEEDS = [
    ("独居老人助浴", "elderly", "high"),
    ("双职工家庭孩子放学后无人照看", "children", "normal"),
    ("楼道灯不亮", "repair", "normal"),
    ("老人量血压", "health", "low"),
    ("高龄老人上门理发", "elderly", "normal"),
    ("失业人员找工作", "employment", "normal"),
    ("楼下电动车乱充电", "safety", "high"),
    ("咨询遗产继承", "legal", "low"),
    ("单元门禁损坏", "repair", "normal"),
    ("希望开设书法班", "culture", "low"),
]
MEMBER_UNITS = [
    ("郑州纺织机械股份有限公司", "enterprise", "职工志愿者、场地"),
    ("三官庙派出所", "government", "治安巡逻、反诈宣传"),
    ("中原区纺机小学", "school", "场地、四点半课堂师资"),
    ("中原区中医院", "hospital", "义诊、健康讲座"),
    ("纺机物业服务中心", "property", "设施维修、楼道整治"),
    ("中原律师事务所", "social", "法律咨询"),
]
RESOLUTIONS = [
    "整治楼道堆放杂物",
    "在纺机小学门口设早晚护学岗",
    "为独居老人安装燃气报警器",
    "开展电动车集中充电宣传",
    "暑期开设四点半课堂",
]


def has_community(district: str) -> bool:
    return Partner.objects.filter(unit_code__under=district).exists()


@transaction.atomic
def load_demo_community(district: str) -> int:
    """Returns the number of needs recorded."""
    with translation.override("zh-hans"):
        return _load(district)


def _load(district: str) -> int:
    rng = random.Random(23)
    community = OrgUnit.objects.filter(code=DEMO_COMMUNITY).first()
    if community is None or not is_under(community.code, district):
        return 0
    staff = get_user_model().objects.get(username="community")
    worker = get_user_model().objects.get(username="gridworker")
    grids = list(OrgUnit.objects.filter(parent=community, kind=Kind.GRID).order_by("code"))
    today = timezone.localdate()

    partners = []
    for name, space, operation, governance, used, benefit, yuan, offer in PARTNERS:
        partners.append(
            services.save_partner(
                actor=staff,
                unit=community,
                data=services.PartnerData(
                    name=name,
                    joined_on=today - dt.timedelta(days=rng.randint(200, 900)),
                    space=space,
                    operation=operation,
                    governance=governance,
                    space_used=used,
                    benefit=benefit,
                    benefit_yuan=Decimal(yuan),
                    offer=offer,
                ),
            )
        )
    # The first partner has a login of its own (the README's `partner`).
    _own_login(partners[0], "partner")
    for _ in range(34):
        partner = rng.choice(partners)
        services.record_activity(
            actor=staff,
            partner=partner,
            title=rng.choice(ACTIVITIES),
            held_on=today - dt.timedelta(days=rng.randint(1, 300)),
            people_served=rng.randint(12, 60),
            terms=rng.choice(["free", "free", "low_fee"]),
        )

    resources = [
        # title, category, partner index or member unit name, capacity, terms, price, when
        ("助浴服务", "elderly", 0, 6, "free", None, "每周二、四下午"),
        ("四点半课堂", "children", 3, 30, "low_fee", Decimal(10), "工作日 16:30–18:30"),
        ("设施维修", "repair", 4, 10, "free", None, ""),
        ("免费量血压", "health", 1, 20, "free", None, ""),
        ("法律咨询", "legal", "中原律师事务所", 8, "free", None, "每月第一个周六"),
        ("就业岗位推荐", "employment", "郑州纺织机械股份有限公司", 5, "free", None, ""),
    ]
    for title, category, provider, capacity, terms, price, schedule in resources:
        owner = partners[provider] if isinstance(provider, int) else None
        services.save_resource(
            actor=staff,
            unit=community,
            title=title,
            category=category,
            provider_kind="partner" if owner else "member_unit",
            provider=owner.name if owner else str(provider),
            partner=owner,
            capacity=capacity,
            terms=terms,
            price=price,
            schedule=schedule,
        )

    needs = []
    for n in range(30):
        title, category, urgency = NEEDS[n % len(NEEDS)]
        grid = grids[n % len(grids)] if grids else community
        needs.append(
            services.record_need(
                actor=worker if grid == grids[0] else staff,
                unit=grid,
                data=services.NeedData(
                    title=title,
                    category=category,
                    urgency=urgency,
                    source=rng.choice(["door_survey", "door_survey", "resident", "grid_worker"]),
                    who=f"{rng.choice(['纺机家园', '保利百合'])}{rng.randint(1, 12)}号楼",
                    people=rng.randint(1, 4),
                ),
            )
        )
    for need in needs[:16]:
        suggestions = services.suggest(need)
        if suggestions and suggestions[0][0].category == need.category:
            services.match_need(actor=staff, need=need, resource=suggestions[0][0])
    bath = [
        n
        for n in needs
        if n.category == "elderly" and Need.objects.get(pk=n.pk).status == "matched"
    ][:3]
    if bath:
        project = services.start_project(
            actor=staff,
            unit=community,
            title="独居老人助浴微实事",
            kind="micro",
            starts_on=today - dt.timedelta(days=60),
            ends_on=today - dt.timedelta(days=5),
            needs=bath,
        )
        services.finish_project(
            actor=staff,
            project=project,
            beneficiaries=len(bath) + 5,
            outcome="每周两次上门助浴，服务独居老人 8 位、32 人次",
        )
    services.start_project(
        actor=staff,
        unit=community,
        title="楼道照明改造",
        kind="public_good",
        starts_on=today,
        ends_on=today + dt.timedelta(days=45),
    )
    for need in needs[-3:]:
        services.drop_need(
            actor=staff, need=Need.objects.get(pk=need.pk), answer="已转交街道统筹解决"
        )

    # The joint committee, its meetings and their resolutions as tasks.
    committee = alliances.save_committee(
        staff, unit=community, name="河南纺机社区大党委", kind="party_committee"
    )
    units = [
        alliances.add_member_unit(
            staff,
            committee=committee,
            name=name,
            kind=kind,
            offer=offer,
            joined_on=today - dt.timedelta(days=400),
        )
        for name, kind, offer in MEMBER_UNITS
    ]
    # The first member unit has a login of its own (the README's `memberunit`).
    _own_login(units[0], "memberunit")
    members = list(PartyMember.objects.filter(unit_code__under=community.code))
    for month in range(4, 0, -1):
        held = (today.replace(day=1) - dt.timedelta(days=30 * (month - 1))).replace(day=8)
        if held > today:
            held = today
        kind = "quarterly" if month == 3 else "monthly"
        meeting = alliances.record_meeting(
            staff,
            committee=committee,
            kind=kind,
            held_on=held,
            topic=f"{held.month}月{'季度联席会' if kind == 'quarterly' else '月议事会'}",
            attendees=rng.sample(units, rng.randint(4, len(units))),
            minutes="通报上月共建事项完成情况，研究本月重点工作。",
            resolutions=rng.sample(RESOLUTIONS, 2),
        )
        for resolution in meeting.resolutions.all():
            task = services.task_from_resolution(
                actor=staff,
                resolution=resolution,
                unit=community,
                title=resolution.text,
                due_on=today + dt.timedelta(days=rng.randint(3, 30)),
            )
            roll = rng.random()
            if roll < 0.6 and members:
                services.claim_task(actor=staff, task=task, member=rng.choice(members))
                if roll < 0.35:
                    services.report_task(
                        actor=staff, task=Task.objects.get(pk=task.pk), report="已完成，拍照留档"
                    )
            elif roll < 0.8:
                services.claim_task(actor=staff, task=task, member_unit=rng.choice(units))

    # The party-member login (issue 14): the member with the most claimed tasks, whose home
    # page lists them and the open tasks of the community; no posting.
    claimed: list[PartyMember] = [
        task.member
        for task in Task.objects.filter(member__in=members).select_related("member")
        if task.member is not None
    ]
    if claimed:
        member = max(set(claimed), key=lambda m: (claimed.count(m), -m.pk))
        login, _created = get_user_model().objects.get_or_create(
            username="partymember", defaults={"full_name": member.name}
        )
        login.set_password(DEMO_PASSWORD)
        login.save()
        PartyMember.objects.filter(user=login).exclude(pk=member.pk).update(user=None)
        PartyMember.objects.filter(pk=member.pk).update(user=login)

    # Spread the needs over the last months, as the surveys happened.
    for need in needs:
        when = timezone.now() - dt.timedelta(days=rng.randint(5, 150))
        Need.objects.filter(pk=need.pk).update(created_at=when)
        NeedStep.objects.filter(need=need, from_status="").update(at=when)
    rollups.rebuild_rollups()
    return len(needs)


def demo_part(district: str, *, progress: bool) -> str:
    """The demo's lists, partners, committee and tasks, unless the district has them (core.demo;
    registered in apps.py)."""
    if has_community(district):
        return ""
    return f"{load_demo_community(district)} demo needs added."


def _own_login(row, username: str) -> None:
    """Give a partner or a member unit the demo login `username` (demo password)."""
    User = get_user_model()
    row.user = User.objects.filter(username=username).first() or User.objects.create(
        username=username,
        full_name=(row.contact or row.name)[:64],
        password=make_password(DEMO_PASSWORD),
    )
    row.save(update_fields=["user"])
