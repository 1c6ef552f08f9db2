"""Demo volunteer services in the demo community (河南纺机社区), after the seeds: teams for
appliance repair, haircuts and help for the elderly, the party members' shock team serving as a
team, a menu of public-good and low-fee services, volunteers drawn from the residents (party
members among them), half a year of orders done and rated, a few waiting — and the `volunteer`
login for a volunteer's phone page."""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from civicgrid.core import privacy
from civicgrid.org.demo import DEMO_COMMUNITY, DEMO_PASSWORD
from civicgrid.org.models import OrgUnit
from civicgrid.org.tree import is_under
from civicgrid.party import services as party
from civicgrid.party.models import PartyMember
from civicgrid.people.models import Person
from civicgrid.volunteers import rollups, services
from civicgrid.volunteers.models import ServiceOrder, Volunteer, VolunteerRecord

MENU = [
    # name, category, team index, terms, price, description
    ("家电维修", "repair", 0, "free", None, "冰箱、洗衣机、空调、电视的检修，材料费另计"),
    (
        "爱心理发",
        "haircut",
        1,
        "low_fee",
        Decimal(5),
        "每月10日、25日上午在党群服务中心，行动不便的上门",
    ),
    ("助老保洁", "cleaning", 2, "free", None, "独居、高龄老人家庭的清洁"),
    ("陪伴聊天", "companionship", 2, "free", None, "陪独居老人聊天、读报"),
    ("代买代办", "errands", 3, "free", None, "代买药品、代缴费用"),
    ("义诊", "clinic", None, "free", None, "社区卫生服务中心医生量血压、测血糖"),
    ("法律咨询", "legal", None, "free", None, "律师志愿者解答婚姻、继承、消费纠纷"),
]
REPORTS = {
    "repair": ["更换冰箱温控器", "清洗空调滤网", "修好洗衣机排水泵", "更换电视电源板"],
    "haircut": ["上门理发", "理发修面"],
    "cleaning": ["打扫厨房卫生间", "擦窗拖地"],
    "companionship": ["陪老人聊天一小时", "读报、量血压"],
    "errands": ["代买降压药", "代缴电费"],
    "clinic": ["测血压血糖，提醒按时服药"],
    "legal": ["解答继承问题"],
}


def has_volunteers(district: str) -> bool:
    return Volunteer.objects.filter(unit_code__under=district).exists()


@transaction.atomic
def load_demo_volunteers(district: str) -> int:
    """Returns the number of orders made."""
    with translation.override("zh-hans"):
        return _load(district)


def _load(district: str) -> int:
    rng = random.Random(17)
    community = OrgUnit.objects.filter(code=DEMO_COMMUNITY).first()
    if community is None or not is_under(community.code, district):
        return 0
    User = get_user_model()
    staff = User.objects.get(username="community")
    members = list(PartyMember.objects.filter(unit_code__under=community.code)[:12])
    shock = None
    if members:
        shock = party.save_shock_team(
            actor=staff,
            unit=community,
            name="党员先锋突击队",
            purpose="助老、防汛、应急",
            leader=members[0],
            members=members[:8],
        )
    teams = [
        services.save_team(
            actor=staff, unit=community, name="家电维修志愿服务队", purpose="小家电维修"
        ),
        services.save_team(actor=staff, unit=community, name="爱心理发队"),
        services.save_team(
            actor=staff, unit=community, name="夕阳红助老服务队", purpose="助老、陪伴"
        ),
        services.save_team(actor=staff, unit=community, name="党员先锋队", shock_team=shock),
    ]
    items = []
    for name, category, team, terms, price, description in MENU:
        items.append(
            services.save_item(
                actor=staff,
                unit=community,
                name=name,
                category=category,
                team=teams[team] if team is not None else None,
                terms=terms,
                price=price,
                description=description,
            )
        )
    residents = list(
        Person.objects.filter(unit_code__under=community.code)
        .exclude(phone="")
        .exclude(party_member__isnull=False)
        .order_by("id")[200:230]
    )
    volunteers = []
    for number, person in enumerate(residents[:16]):
        volunteers.append(
            services.register_volunteer(
                actor=staff,
                unit=community,
                data=services.VolunteerData(
                    name=person.name,
                    person=person,
                    skills=rng.choice(["家电维修", "理发", "保洁", "陪伴", "跑腿"]),
                    teams=[teams[number % 3]],
                ),
            )
        )
    for member in members[:6]:
        volunteers.append(
            services.register_volunteer(
                actor=staff,
                unit=community,
                data=services.VolunteerData(
                    name=member.name,
                    person=member.person,
                    member=member,
                    skills="党员志愿服务",
                    teams=[teams[3]],
                ),
            )
        )
    login, _created = User.objects.get_or_create(
        username="volunteer", defaults={"full_name": volunteers[0].name}
    )
    login.set_password(DEMO_PASSWORD)
    login.save()
    Volunteer.objects.filter(pk=volunteers[0].pk).update(user=login)

    households = list(
        Person.objects.filter(unit_code__under=community.code, relation="head")
        .exclude(phone="")
        .select_related("household__house__building")[:300]
    )
    made = 0
    now = timezone.now()
    for n in range(90):
        person = rng.choice(households)
        house = person.household.house if person.household else None
        address = f"{house.building}{house.entrance}单元{house.room}" if house else "纺机家园"
        item = rng.choice(items)
        order = services.place_order(
            actor=None,
            unit=community,
            item=item,
            name=person.name,
            phone=privacy.decrypt(person.phone),
            address=address,
        )
        made += 1
        if n >= 84:
            continue  # a few still waiting
        suited = [v for v in volunteers if item.team is None or item.team in v.teams.all()]
        volunteer = rng.choice(suited or volunteers)
        services.assign_order(actor=staff, order=order, volunteer=volunteer)
        if n >= 80:
            continue  # a few taken, not yet done
        hours = Decimal(rng.choice(["0.5", "1", "1", "1.5", "2"]))
        services.complete_order(
            actor=staff, order=order, hours=hours, report=rng.choice(REPORTS[item.category])
        )
        if rng.random() < 0.8:
            services.rate_order(
                actor=None, order=order, token=order.token, rating=rng.choice([4, 5, 5, 5])
            )
        # Spread the history over half a year.
        when = now - dt.timedelta(days=rng.randint(3, 180), hours=rng.randint(0, 8))
        ServiceOrder.objects.filter(pk=order.pk).update(
            created_at=when,
            taken_at=when + dt.timedelta(hours=1),
            done_at=when + dt.timedelta(days=1),
        )
        VolunteerRecord.objects.filter(order=order).update(
            day=timezone.localtime(when + dt.timedelta(days=1)).date()
        )
    rollups.rebuild_rollups()
    return made


def demo_part(district: str, *, progress: bool) -> str:
    """The demo's volunteers and their orders, unless the district has them (core.demo;
    registered in apps.py)."""
    if has_volunteers(district):
        return ""
    return f"{load_demo_volunteers(district)} demo service orders added."
