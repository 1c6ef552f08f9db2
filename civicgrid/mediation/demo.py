"""Demo mediation for the demo district: a year of dispute cases in 河南纺机社区 and a handful
at 三官庙街道's one-stop centre and two of its other communities, all taken through the real
services with the moment of each step (`now=`), so the figures are the rollups' own.

The community's pool: a people's mediator with the demo login `mediator`, a second people's
mediator, a retired party member who leads a micro-grid, a mediation social organisation; the
street's: its full-time mediator, a lawyer and a police officer for joint mediation (联调). A
mediation room in the community and one at the street's centre. Cases come in through every
door (dispute events of categories 2201–2204 reported by the grid workers and kept in step, a
situation, walk-ins, hotline calls, referrals from the court and the police station, cases a
mediator found), are mediated in sessions with notes, mostly end in an agreement that is kept
at follow-up (one broken and mediated again), some in none, some are referred and accepted by
the receiving body, one is declined; a few are still open, one of them past its deadline, and
one was high-risk. With a year of the monthly legal consultations. Deterministic (seeded);
times are working hours in the past, deadlines follow the working-day calendar."""

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone, translation
from faker import Faker

from civicgrid.classes import services as classes
from civicgrid.classes.models import Venue, VenueKind
from civicgrid.events import services as events
from civicgrid.events.models import Category, Event
from civicgrid.events.models import Status as EventStatus
from civicgrid.events.workdays import is_workday
from civicgrid.mediation import services
from civicgrid.mediation.models import (
    AgreementForm,
    Body,
    Case,
    CaseKind,
    Channel,
    Mediator,
    MediatorKind,
    PartyRole,
)
from civicgrid.mediation.services import CaseData, Intake, PartyData, SessionData
from civicgrid.org.demo import DEMO_COMMUNITY, DEMO_PASSWORD, DEMO_STREET
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.tree import is_under
from civicgrid.party.models import PartyMember, Position
from civicgrid.people import services as people
from civicgrid.people.models import Gender, Organisation, OrganisationKind, Person, Situation

MEDIATOR_LOGIN = "mediator"
# A point in 河南纺机社区 for the dispute events when its grid has no drawn centre.
FALLBACK_POINT = (113.6148, 34.7587)
EVENT_KINDS: dict[str, str] = {
    "2201": CaseKind.NEIGHBOUR,
    "2202": CaseKind.PROPERTY,
    "2203": CaseKind.LABOUR,
    "2204": CaseKind.FAMILY,
}
CATEGORY_OF_KIND: dict[str, str] = {kind: code for code, kind in EVENT_KINDS.items()}


@dataclass(frozen=True)
class Dispute:
    kind: str
    title: str
    facts: str
    request: str
    terms: str
    amount: int | None = None
    # The respondent is an organisation of the basic data (the property company) or a named one.
    respondent: str = ""


DISPUTES = [
    Dispute(
        CaseKind.NEIGHBOUR,
        "楼上卫生间漏水浸泡楼下天花板",
        "楼上住户卫生间防水层老化，漏水浸泡楼下卫生间和客厅天花板，楼下多次上门协商未果，"
        "双方发生口角。",
        "楼上修复防水并赔偿楼下天花板修复费用",
        "楼上住户于十日内请专业人员重做卫生间防水，并一次性赔偿楼下天花板修复费用1800元。",
        1800,
    ),
    Dispute(
        CaseKind.NEIGHBOUR,
        "楼上夜间噪音扰民",
        "楼上住户家中孩子夜间跑跳、拖动桌椅，楼下老人长期失眠，双方多次争吵。",
        "晚上十点后不再发出噪音",
        "楼上住户在客厅铺设地垫，晚上十点后不再拖动家具；楼下如有意见先电话沟通。",
    ),
    Dispute(
        CaseKind.NEIGHBOUR,
        "空调外机噪音及冷凝水滴落纠纷",
        "邻居新装空调外机正对卧室窗户，噪音大且冷凝水滴落在窗台，双方协商未果。",
        "移走空调外机或加装排水管",
        "邻居自费将空调外机移至侧墙并加装冷凝水管，施工期间双方相互配合。",
    ),
    Dispute(
        CaseKind.NEIGHBOUR,
        "楼道堆放杂物引发邻里争执",
        "一楼住户在楼道长期堆放纸箱和旧家具，影响通行和消防安全，邻居清理时双方发生推搡。",
        "清理楼道杂物并赔礼道歉",
        "一楼住户三日内清理楼道杂物，双方互相道歉，今后楼道保持畅通。",
    ),
    Dispute(
        CaseKind.NEIGHBOUR,
        "宠物狗夜间吠叫扰邻",
        "住户饲养的大型犬夜间吠叫，出门不牵绳，邻居孩子曾被惊吓，双方多次争执。",
        "夜间管好宠物，出门牵绳",
        "养犬住户出门牵绳并佩戴嘴套，夜间将犬只关在室内；邻居不再在业主群中指责。",
    ),
    Dispute(
        CaseKind.NEIGHBOUR,
        "装修损坏邻居墙面",
        "住户装修时打穿共用墙体，造成邻居家墙面开裂、瓷砖脱落，双方对赔偿金额有分歧。",
        "修复墙面并赔偿损失",
        "装修户承担邻居墙面修复及瓷砖更换费用共计3200元，于协议签订当日付清。",
        3200,
    ),
    Dispute(
        CaseKind.PROPERTY,
        "物业费收取与服务质量争议",
        "部分业主认为小区保洁、安保不到位，拒交物业费，物业公司催缴时双方发生争执。",
        "物业公司改进服务，业主补交物业费",
        "物业公司一个月内增加保洁频次并公示服务标准；业主分两期补交欠缴的物业费。",
        2400,
        "property",
    ),
    Dispute(
        CaseKind.PROPERTY,
        "地下车位被长期占用纠纷",
        "业主购买的地下车位长期被外来车辆占用，物业公司管理不力，业主要求物业承担责任。",
        "物业公司清理占用车辆并加强管理",
        "物业公司在车位加装地锁并登记外来车辆；占用方车主当面道歉，不再占用。",
        None,
        "property",
    ),
    Dispute(
        CaseKind.PROPERTY,
        "电梯频繁故障维修费用分摊",
        "单元电梯频繁故障，物业公司要求动用维修资金，低层业主不同意分摊维修费用。",
        "合理分摊电梯维修费用",
        "维修费用按楼层系数分摊，一楼住户免缴；物业公司公开维修明细并接受业主监督。",
        46000,
        "property",
    ),
    Dispute(
        CaseKind.PROPERTY,
        "小区公共收益分配争议",
        "业主对小区广告位、停车场收益去向有疑问，要求物业公司公开账目，物业公司迟迟未回应。",
        "公开公共收益账目",
        "物业公司每季度在公示栏公开公共收益收支，收益优先用于小区设施维修。",
        None,
        "property",
    ),
    Dispute(
        CaseKind.FAMILY,
        "老人赡养费用分担纠纷",
        "八旬老人有三名子女，长子认为其余子女未尽赡养义务，拒绝继续承担老人医药费用。",
        "子女共同承担赡养费用",
        "三名子女每人每月支付赡养费600元，老人医药费按三等份分担，长女负责日常照料。",
        21600,
    ),
    Dispute(
        CaseKind.FAMILY,
        "夫妻因家庭琐事矛盾激化",
        "夫妻双方因家务分担和孩子教育问题长期争吵，女方回娘家居住，要求离婚。",
        "男方改正态度，双方和好",
        "双方同意继续共同生活，男方戒酒并承担接送孩子，每周末共同陪伴孩子。",
    ),
    Dispute(
        CaseKind.FAMILY,
        "兄妹之间房屋继承纠纷",
        "父母去世后留下一套住房，兄妹三人对房屋归属和补偿金额各执一词。",
        "依法分配父母遗留房屋",
        "房屋归长子所有，长子分别向两位妹妹支付补偿款各12万元，分两年付清。",
        240000,
    ),
    Dispute(
        CaseKind.FAMILY,
        "离婚后子女探望权争议",
        "双方离婚后孩子随母亲生活，父亲反映母亲多次拒绝其探望孩子。",
        "保障父亲每月探望孩子",
        "父亲每月第一、三个周末接孩子探望，提前一天电话告知；双方不在孩子面前争吵。",
    ),
    Dispute(
        CaseKind.LABOUR,
        "家政服务员工资结算纠纷",
        "家政服务员离职时，雇主以打碎物品为由扣发半个月工资，双方协商不成。",
        "支付剩余工资",
        "雇主支付剩余工资2100元，服务员赔偿打碎物品300元，双方互不追究。",
        2400,
        "雇主",
    ),
    Dispute(
        CaseKind.LABOUR,
        "餐馆员工辞退补偿纠纷",
        "小区门口餐馆以经营困难为由辞退工作两年的员工，未支付经济补偿。",
        "支付经济补偿",
        "餐馆一次性支付经济补偿金6000元及当月工资，双方解除劳动关系。",
        6000,
        "纺机路某餐馆",
    ),
    Dispute(
        CaseKind.CONSUMER,
        "美容店预付卡关门退费纠纷",
        "小区周边美容店突然停业，多名居民预付卡余额无法使用，店主承诺退款后迟迟不兑现。",
        "退还预付卡余额",
        "店主按登记余额分三个月退还预付款，首期于本月底前支付。",
        8600,
        "某美容店",
    ),
    Dispute(
        CaseKind.CONSUMER,
        "家电维修收费争议",
        "居民请上门维修洗衣机，维修人员更换配件后收费远高于报价，居民拒绝付款。",
        "按报价收费",
        "维修方按原报价收取费用并出具配件清单，保修三个月。",
        680,
        "某家电维修部",
    ),
    Dispute(
        CaseKind.LAND,
        "老旧小区加装电梯意见分歧",
        "单元拟加装电梯，高层住户积极推动，一楼住户担心采光和噪音坚决反对。",
        "达成加装电梯意见",
        "高层住户对一楼住户给予一次性补偿，电梯井道避开一楼窗户，施工期间错峰作业。",
        30000,
    ),
    Dispute(
        CaseKind.LAND,
        "房屋租赁押金退还纠纷",
        "租户退租时房东以墙面污损为由不退押金，租户认为属正常使用损耗。",
        "退还押金",
        "房东扣除墙面修补费500元后退还其余押金2500元，当日结清。",
        3000,
    ),
    Dispute(
        CaseKind.OTHER,
        "公共菜地使用分配争议",
        "小区空地被部分居民私自开辟为菜地，其他居民要求恢复绿地，双方争执不下。",
        "恢复公共绿地",
        "私开菜地的居民一个月内自行清理，社区统一规划为共享花园，由居民认领维护。",
    ),
]
HIGH_RISK = Dispute(
    CaseKind.LABOUR,
    "装修公司拖欠12名工人工资",
    "纺机家园一装修项目完工后，装修公司以业主未结款为由拖欠12名工人工资共8.6万元，工人"
    "聚集在小区门口讨薪，情绪激动。",
    "装修公司结清拖欠工资",
    "装修公司于协议签订后三日内支付拖欠工资5万元，余款3.6万元于当月底前付清，工人撤离小区门口。",
    86000,
    "郑州某装饰工程有限公司",
)

FIRST_SESSION = [
    "分别听取双方陈述，了解纠纷起因和经过，向双方释明《民法典》相关规定，双方情绪趋于平稳。",
    "到现场查看情况并拍照留存，听取双方意见，初步了解各自诉求，约定下次调解时间。",
    "召集双方到调解室面对面沟通，调解员释法说理，双方同意在调解员主持下继续协商。",
]
NEXT_SESSION = [
    "背对背分别做双方工作，讲清利害关系，双方各让一步，就主要分歧初步达成一致。",
    "邀请网格员和楼栋长共同参与，双方就赔偿金额和履行方式进一步协商，分歧明显缩小。",
    "再次组织双方协商，核实相关费用票据，双方对调解方案表示认可。",
]
FAILED_SESSION = "双方分歧较大，一方坚持原有诉求，经多次协商仍未能达成一致。"
CONSULTATION_TOPICS = [
    "婚姻家庭、遗产继承、赡养老人",
    "物业费、房屋租赁、邻里相邻关系",
    "劳动合同、拖欠工资、社保缴纳",
    "消费维权、预付卡退费",
    "民法典宣传：居住权、遗嘱",
    "防范养老诈骗、借贷纠纷",
    "交通事故赔偿、人身损害",
    "房屋买卖、不动产登记",
]


class Clock:
    """The moments of one case's steps: each on a working day, in working hours, later than the
    one before."""

    def __init__(self, start: dt.datetime, limit: dt.datetime) -> None:
        self.limit = limit  # nothing happens after it: a recent case stops short of now
        self.moment = min(start, limit)

    def _move(self, moment: dt.datetime) -> dt.datetime:
        self.moment = max(self.moment, min(moment, self.limit))
        return self.moment

    def after(self, rng: random.Random, workdays: int) -> dt.datetime:
        """`workdays` working days later (0: later the same day), in working hours."""
        local = timezone.localtime(self.moment)
        day = local.date()
        for _counted in range(workdays):
            day = _next_workday(day + dt.timedelta(days=1))
        hour = rng.randint(9, 16)
        if workdays == 0:
            hour = min(max(hour, local.hour + 1), 20)
        return self._move(_at(day, hour, rng.choice((0, 10, 20, 30, 40, 50))))

    def later(self, minutes: int) -> dt.datetime:
        return self._move(self.moment + dt.timedelta(minutes=minutes))


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _next_workday(day: dt.date) -> dt.date:
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


@dataclass
class Desk:
    """Who keeps one unit's desk in the demo, and where its sessions are held."""

    unit: OrgUnit
    staff: Any
    follow_up_by: Any
    room: Venue


@dataclass
class Plan:
    """One case: when it came in, through which door, and how far it goes."""

    dispute: Dispute
    start: dt.datetime
    channel: str
    outcome: str
    lead: Mediator
    helpers: list[Mediator] = field(default_factory=list)
    sessions: int = 2


class DemoMediation:
    def __init__(self, community: OrgUnit, street: OrgUnit) -> None:
        User = get_user_model()
        self.rng = random.Random(17)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(17)
        self.community, self.street = community, street
        self.now = timezone.now()
        self.staff = User.objects.get(username="community")
        self.street_staff = User.objects.get(username="street")
        # A second pair of hands at the desk makes the follow-up calls (never a mediator).
        self.caller = (
            User.objects.filter(username=f"u{community.code}").first() or self.street_staff
        )
        self.workers = [
            user
            for user in User.objects.filter(username__in=["gridworker", "gridworker2"]).order_by(
                "username"
            )
        ]
        self.verifier = User.objects.filter(username="gridleader").first()
        self.grids = list(
            OrgUnit.objects.filter(
                parent=community,
                kind=Kind.GRID,
                active=True,
                code__in=[
                    community.code + "001",
                    community.code + "002",
                ],
            ).order_by("code")
        )
        self.residents = list(
            Person.objects.filter(unit_code__under=community.code, birth_date__year__lt=2000)
            .exclude(phone="")
            .select_related("household__house__building")
            .order_by("id")[:600]
        )
        self.rng.shuffle(self.residents)
        self.property_company = (
            Organisation.objects.filter(
                unit_code__under=community.code, kind=OrganisationKind.PROPERTY
            )
            .order_by("id")
            .first()
        )
        self.cases: list[Case] = []

    # ---- the pool, the rooms, the login ----------------------------------------------------

    def build_pool(self) -> None:
        User = get_user_model()
        login = User.objects.filter(username=MEDIATOR_LOGIN).first() or User.objects.create(
            username=MEDIATOR_LOGIN, full_name="高秀兰", password=make_password(DEMO_PASSWORD)
        )
        save = services.save_mediator
        c, s = self.community, self.street
        self.mediator_user = login
        self.gao = save(
            actor=self.staff,
            unit=c,
            name="高秀兰",
            kind=MediatorKind.PEOPLES_MEDIATOR,
            user=login,
            affiliation="河南纺机社区人民调解委员会",
            specialties="邻里纠纷、婚姻家庭",
        )
        self.ma = save(
            actor=self.staff,
            unit=c,
            name="马建军",
            kind=MediatorKind.PEOPLES_MEDIATOR,
            affiliation="河南纺机社区人民调解委员会",
            specialties="物业纠纷、相邻关系",
        )
        member = (
            PartyMember.objects.filter(unit_code__under=c.code, position=Position.MEMBER)
            .order_by("id")
            .first()
        )
        self.elder = save(
            actor=self.staff,
            unit=c,
            name=member.name if member else "杨德福",
            kind=MediatorKind.MICRO_GRID,
            party_member=member,
            affiliation="退休党员、微网格长",
            specialties="邻里纠纷、家庭矛盾",
        )
        organisation = None
        if self.grids:
            organisation = people.save_organisation(
                actor=self.staff,
                unit=self.grids[0],
                name="纺机和事佬调解服务社",
                kind=OrganisationKind.SOCIAL,
                business="人民调解、心理疏导",
                contact_name="孟庆华",
                staff_size=9,
            )
        self.society = save(
            actor=self.staff,
            unit=c,
            name="纺机和事佬调解服务社",
            kind=MediatorKind.ORGANISATION,
            organisation=organisation,
            affiliation="社区社会组织",
            specialties="婚姻家庭、心理疏导",
        )
        self.liu = save(
            actor=self.street_staff,
            unit=s,
            name="刘淑华",
            kind=MediatorKind.PEOPLES_MEDIATOR,
            affiliation="三官庙街道人民调解委员会（专职）",
            specialties="劳动争议、房屋土地",
        )
        self.lawyer = save(
            actor=self.street_staff,
            unit=s,
            name="周明远",
            kind=MediatorKind.LAWYER,
            affiliation="河南某律师事务所",
            specialties="民法典、婚姻继承、劳动争议",
        )
        self.police = save(
            actor=self.street_staff,
            unit=s,
            name="吴志刚",
            kind=MediatorKind.POLICE,
            affiliation="三官庙派出所（警调联动）",
            specialties="治安类纠纷、邻里冲突",
        )
        self.room = classes.save_venue(
            actor=self.staff,
            unit=c,
            name="人民调解室",
            kind=VenueKind.MEDIATION_ROOM,
            capacity=10,
            address="党群服务中心一楼",
        )
        self.street_room = classes.save_venue(
            actor=self.street_staff,
            unit=s,
            name="矛盾纠纷多元调处中心调解室",
            kind=VenueKind.MEDIATION_ROOM,
            capacity=16,
            address="三官庙街道办事处一楼",
        )

    # ---- parties ---------------------------------------------------------------------------

    def _phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"

    def _person(self, role: str) -> PartyData:
        """A resident of the community when one is left, else a named person."""
        if self.residents and self.rng.random() < 0.6:
            person = self.residents.pop()
            age = None
            if person.birth_date:
                age = (self.now.date() - person.birth_date).days // 365
            house = getattr(getattr(person, "household", None), "house", None)
            address = (
                f"{house.building.estate}{house.building.name}{house.entrance}单元{house.room}"
                if house is not None
                else ""
            )
            genders: dict[str, str] = {Gender.MALE: "male", Gender.FEMALE: "female"}
            gender = genders.get(person.gender, "")
            return PartyData(
                role=role, person=person, gender=gender, age=age, address=address[:200]
            )
        gender = self.rng.choice(("male", "female"))
        name = self.faker.name_male() if gender == "male" else self.faker.name_female()
        return PartyData(
            role=role,
            name=name,
            phone=self._phone(),
            gender=gender,
            age=self.rng.randint(28, 78),
            address=f"{self.rng.choice(['纺机家园', '保利百合'])}{self.rng.randint(1, 12)}号楼",
        )

    def parties(self, dispute: Dispute) -> list[PartyData]:
        applicant = self._person(PartyRole.APPLICANT)
        if dispute.respondent == "property":
            if self.property_company is not None:
                respondent = PartyData(
                    role=PartyRole.RESPONDENT, organisation=self.property_company
                )
            else:
                respondent = PartyData(role=PartyRole.RESPONDENT, name="郑州某物业服务有限公司")
        elif dispute.respondent:
            respondent = PartyData(
                role=PartyRole.RESPONDENT, name=dispute.respondent, phone=self._phone()
            )
        else:
            respondent = self._person(PartyRole.RESPONDENT)
        found = [applicant, respondent]
        if dispute.kind == CaseKind.FAMILY and self.rng.random() < 0.5:
            found.append(self._person(PartyRole.THIRD))
        return found

    # ---- one case --------------------------------------------------------------------------

    def _data(self, dispute: Dispute, channel: str, people_affected: int = 2) -> CaseData:
        return CaseData(
            title=dispute.title,
            kind=dispute.kind,
            facts=dispute.facts,
            request=dispute.request,
            amount=dispute.amount,
            people_affected=people_affected,
            referred_by=self.rng.choice(
                ["中原区人民法院（诉前委派调解）", "三官庙派出所（110警情转办）"]
            )
            if channel == Channel.REFERRAL
            else "",
        )

    def _event(self, dispute: Dispute, at: dt.datetime) -> Event | None:
        code = CATEGORY_OF_KIND.get(dispute.kind)
        if code is None or not self.grids or not self.workers:
            return None
        number = self.rng.randrange(len(self.grids))
        grid = self.grids[number]
        worker = self.workers[min(number, len(self.workers) - 1)]
        lon, lat = (
            (grid.centre_lon, grid.centre_lat)
            if grid.centre_lon is not None and grid.centre_lat is not None
            else FALLBACK_POINT
        )
        return events.report_event(
            actor=worker,
            title=dispute.title,
            description=dispute.facts,
            category=Category.objects.get(code=code),
            unit=grid,
            lon=lon + self.rng.uniform(-0.0004, 0.0004),
            lat=lat + self.rng.uniform(-0.0004, 0.0004),
            address=self.community.name,
            at=at,
        )

    def case(self, plan: Plan, desk: Desk) -> Case:
        """Take one case in and as far along the chain as its plan says."""
        clock = Clock(plan.start, self.now - dt.timedelta(minutes=5))
        dispute = plan.dispute
        people_affected = 12 if plan.outcome == "high_risk" else 2
        data = self._data(dispute, plan.channel, people_affected)
        parties = self.parties(dispute)
        event = self._event(dispute, plan.start) if plan.channel == Channel.EVENT else None
        if event is not None:
            case = services.open_from_event(
                actor=desk.staff, event=event, data=data, parties=parties, now=clock.later(90)
            )
        elif plan.channel == Channel.MEDIATOR and plan.lead.user is not None:
            case = services.receive_case(
                actor=plan.lead.user,
                unit=desk.unit,
                data=data,
                intake=Intake(Channel.MEDIATOR),
                parties=parties,
                now=clock.moment,
            )
        else:
            # A dispute event needs a grid to be reported in: without one it is a walk-in.
            channel = Channel.WALK_IN if plan.channel == Channel.EVENT else plan.channel
            case = services.receive_case(
                actor=desk.staff,
                unit=desk.unit,
                data=data,
                intake=Intake(channel),
                parties=parties,
                now=clock.moment,
            )
        self.cases.append(case)
        case = self._chain(case, plan, desk, clock)
        self._settle_event(case, clock)
        return case

    def _chain(self, case: Case, plan: Plan, desk: Desk, clock: Clock) -> Case:
        rng = self.rng
        dispute = plan.dispute
        if plan.outcome == "declined":
            return services.decline_case(
                actor=desk.staff,
                case=case,
                reason="经审查属劳动人事争议仲裁受理范围，已告知当事人向中原区劳动人事争议仲裁"
                "委员会申请仲裁，并协助准备材料。",
                handed_to=Body.ARBITRATION,
                body_name="中原区劳动人事争议仲裁委员会",
                now=clock.after(rng, rng.randint(0, 1)),
            )
        case = services.accept_case(
            actor=desk.staff,
            case=case,
            lead=plan.lead,
            helpers=plan.helpers,
            now=clock.after(rng, rng.randint(0, 1)),
        )
        if plan.outcome == "accepted":
            return case
        if plan.outcome == "referred_police":
            return self._referral(
                case,
                desk,
                clock,
                Body.POLICE,
                "三官庙派出所",
                "双方有肢体冲突苗头，移交派出所依法处置",
            )
        recorder = plan.lead.user or desk.staff
        for number in range(plan.sessions):
            held = clock.after(rng, rng.randint(1, 2) if number == 0 else rng.randint(2, 5))
            failing = plan.outcome in {"failed", "referred_court", "referred_justice"}
            notes = (
                rng.choice(FIRST_SESSION)
                if number == 0
                else FAILED_SESSION
                if failing and number == plan.sessions - 1
                else rng.choice(NEXT_SESSION)
            )
            on_site = number == 0 and dispute.kind in {CaseKind.NEIGHBOUR, CaseKind.LAND}
            services.record_session(
                actor=recorder,
                case=case,
                data=SessionData(
                    held_at=held,
                    notes=notes,
                    mediators=[plan.lead, *plan.helpers],
                    parties=list(case.parties.all()),
                    venue=None if on_site else desk.room,
                    place="纠纷现场（当事人家中）" if on_site else "",
                ),
                now=clock.later(rng.randint(60, 150)),
            )
        if plan.outcome in {"overdue", "mediating"}:
            return case
        if plan.outcome in {"failed", "referred_court", "referred_justice"}:
            case = services.record_no_agreement(
                actor=recorder,
                case=case,
                reason="双方对赔偿金额分歧过大，经多次调解未能达成协议。",
                now=clock.later(20),
            )
            if plan.outcome == "failed":
                return services.close_case(
                    actor=desk.staff,
                    case=case,
                    outcome="调解不成，已告知当事人可依法向人民法院提起诉讼。",
                    resolved=False,
                    now=clock.after(rng, rng.randint(1, 3)),
                )
            if plan.outcome == "referred_court":
                return self._referral(
                    case, desk, clock, Body.COURT, "中原区人民法院", "调解不成，诉调对接转法院"
                )
            return self._referral(
                case, desk, clock, Body.JUSTICE, "三官庙街道司法所", "涉及法律问题较多，移交司法所"
            )
        case = self._agree(case, plan, recorder, clock)
        if plan.outcome == "agreed":
            return case
        kept = plan.outcome != "not_kept"
        if plan.outcome == "broken":
            case = services.follow_up(
                actor=desk.follow_up_by,
                case=case,
                kept=False,
                note="电话回访申请人：对方未按期履行，双方矛盾再起。",
                now=clock.after(rng, rng.randint(6, 9)),
            )
            case = services.resume_mediation(
                actor=desk.staff,
                case=case,
                note="协议未履行，申请人要求再次调解。",
                now=clock.after(rng, 1),
            )
            services.record_session(
                actor=recorder,
                case=case,
                data=SessionData(
                    held_at=clock.after(rng, rng.randint(2, 4)),
                    notes="再次召集双方，核实未履行原因，重新约定履行期限和方式。",
                    mediators=[plan.lead, *plan.helpers],
                    venue=desk.room,
                ),
                now=clock.later(90),
            )
            case = self._agree(case, plan, recorder, clock)
        case = services.follow_up(
            actor=desk.follow_up_by,
            case=case,
            kept=kept,
            note="电话回访双方当事人：协议已按约履行，双方关系缓和。"
            if kept
            else "电话回访：被申请人未履行协议，申请人表示将向法院起诉。",
            now=clock.after(rng, rng.randint(6, 9)),
        )
        return services.close_case(
            actor=desk.staff,
            case=case,
            outcome="协议已履行，纠纷化解。"
            if kept
            else "协议未履行，已告知申请人申请司法确认或起诉。",
            now=clock.after(rng, rng.randint(1, 2)),
        )

    def _agree(self, case: Case, plan: Plan, recorder: Any, clock: Clock) -> Case:
        oral = plan.outcome == "oral"
        return services.reach_agreement(
            actor=recorder,
            case=case,
            terms=plan.dispute.terms,
            form=AgreementForm.ORAL if oral else AgreementForm.WRITTEN,
            performance="按协议约定期限履行，社区回访确认" if not oral else "当场履行",
            now=clock.later(30),
        )

    def _referral(
        self, case: Case, desk: Desk, clock: Clock, body: str, name: str, note: str
    ) -> Case:
        rng = self.rng
        case = services.refer_case(
            actor=desk.staff,
            case=case,
            body=body,
            body_name=name,
            note=note,
            now=clock.after(rng, rng.randint(1, 2)),
        )
        case = services.record_referral_accepted(
            actor=desk.staff,
            case=case,
            note=f"{name}已回执接收",
            now=clock.after(rng, rng.randint(1, 3)),
        )
        resolved = body != Body.COURT or rng.random() < 0.5
        return services.close_case(
            actor=desk.staff,
            case=case,
            outcome=f"{name}已受理并处理完毕。" if resolved else f"{name}已立案，转入诉讼程序。",
            resolved=resolved,
            now=clock.after(rng, rng.randint(5, 12)),
        )

    def _settle_event(self, case: Case, clock: Clock) -> None:
        """The community verifies and closes the dispute event its case resolved."""
        if case.event_id is None or self.verifier is None:
            return
        event = Event.objects.get(pk=case.event_id)
        if event.status != EventStatus.RESOLVED:
            return
        event = events.verify_event(
            actor=self.verifier, event=event, passed=True, at=clock.after(self.rng, 1)
        )
        events.close_event(actor=self.staff, event=event, at=clock.later(30))

    # ---- the year --------------------------------------------------------------------------

    def plans(self) -> list[Plan]:
        """The community's cases, oldest first: 31 closed over the year, then the open ones."""
        rng = self.rng
        today = timezone.localdate()
        outcomes = ["kept"] * 31
        for index, outcome in {
            1: "broken",
            4: "declined",
            6: "failed",
            9: "referred_court",
            12: "oral",
            14: "high_risk",
            17: "referred_police",
            19: "not_kept",
            21: "failed",
            24: "referred_justice",
            27: "oral",
        }.items():
            outcomes[index] = outcome
        channels = [
            Channel.EVENT,
            Channel.WALK_IN,
            Channel.HOTLINE,
            Channel.MEDIATOR,
            Channel.WALK_IN,
            Channel.EVENT,
            Channel.WALK_IN,
            Channel.REFERRAL,
            Channel.HOTLINE,
            Channel.WALK_IN,
        ]
        leads = [self.gao, self.gao, self.ma, self.elder, self.society, self.gao, self.lawyer]
        plans = []
        for index, outcome in enumerate(outcomes):
            day = today - dt.timedelta(days=360 - index * 9 - rng.randint(0, 4))
            start = _at(_next_workday(day), rng.randint(9, 15), rng.choice((0, 15, 30, 45)))
            dispute = DISPUTES[(index * 8) % len(DISPUTES)]
            channel = channels[index % len(channels)]
            helpers: list[Mediator] = []
            if outcome == "high_risk":
                dispute, channel = HIGH_RISK, Channel.WALK_IN
            if outcome == "declined":
                dispute, channel = DISPUTES[14], Channel.HOTLINE
            if channel == Channel.MEDIATOR:
                lead = self.gao
            elif dispute.kind == CaseKind.FAMILY:
                lead = rng.choice([self.society, self.gao, self.elder])
            elif dispute.kind in {CaseKind.LABOUR, CaseKind.LAND}:
                lead = rng.choice([self.lawyer, self.gao])
            elif dispute.kind == CaseKind.PROPERTY:
                lead = rng.choice([self.ma, self.gao])
            else:
                lead = leads[index % len(leads)]
            if outcome == "high_risk":
                lead, helpers = self.gao, [self.police, self.lawyer]
            elif dispute.kind == CaseKind.NEIGHBOUR and index % 4 == 0:
                helpers = [self.police]  # 联调: the police officer mediates with them
            elif dispute.kind in {CaseKind.PROPERTY, CaseKind.LABOUR} and lead != self.lawyer:
                helpers = [self.lawyer]
            plans.append(
                Plan(
                    dispute=dispute,
                    start=start,
                    channel=channel,
                    outcome=outcome,
                    lead=lead,
                    helpers=[h for h in helpers if h != lead],
                    sessions=3 if outcome in {"failed", "referred_court"} else rng.randint(1, 2),
                )
            )
        # Open now: past the mediation deadline; agreed and waiting for the follow-up call;
        # in mediation; accepted; and (from a situation, in `load`) just received.
        for days_ago, outcome, dispute, lead, channel in (
            (52, "overdue", DISPUTES[12], self.elder, Channel.WALK_IN),
            (12, "agreed", DISPUTES[1], self.gao, Channel.EVENT),
            (8, "mediating", DISPUTES[7], self.gao, Channel.HOTLINE),
            (4, "accepted", DISPUTES[10], self.society, Channel.WALK_IN),
        ):
            day = _next_workday(today - dt.timedelta(days=days_ago))
            plans.append(
                Plan(
                    dispute=dispute,
                    start=_at(day, 9, 30),
                    channel=channel,
                    outcome=outcome,
                    lead=lead,
                    sessions=1,
                )
            )
        return plans

    def elsewhere(self) -> list[tuple[Desk, Plan]]:
        """The street's one-stop centre and two other communities of the street."""
        rng = self.rng
        today = timezone.localdate()
        User = get_user_model()
        # The district's staff make the follow-up calls of the street's cases: whoever
        # recorded a session or the agreement does not ask whether it was kept.
        caller = User.objects.filter(username="district").first() or self.caller
        street_desk = Desk(self.street, self.street_staff, caller, self.street_room)
        found = [
            (street_desk, DISPUTES[19], 300, "kept", self.lawyer, Channel.WALK_IN),
            (street_desk, DISPUTES[16], 200, "kept", self.liu, Channel.HOTLINE),
            (street_desk, DISPUTES[15], 120, "referred_justice", self.liu, Channel.REFERRAL),
        ]
        others = (
            OrgUnit.objects.filter(parent=self.street, kind=Kind.COMMUNITY, active=True)
            .exclude(pk=self.community.pk)
            .order_by("code")[:2]
        )
        for number, unit in enumerate(others):
            staff = User.objects.filter(username=f"u{unit.code}").first() or self.street_staff
            desk = Desk(
                unit,
                staff,
                caller if staff == self.street_staff else self.street_staff,
                self.street_room,
            )
            dispute = DISPUTES[[3, 11][number]]
            found.append((desk, dispute, [250, 150][number], "kept", self.liu, Channel.WALK_IN))
        plans = []
        for desk, dispute, days_ago, outcome, lead, channel in found:
            day = _next_workday(today - dt.timedelta(days=days_ago))
            plans.append(
                (
                    desk,
                    Plan(
                        dispute=dispute,
                        start=_at(day, rng.randint(9, 15), 0),
                        channel=channel,
                        outcome=outcome,
                        lead=lead,
                        sessions=2,
                    ),
                )
            )
        return plans

    def from_situation(self, desk: Desk) -> Case:
        """A dispute sign a grid worker recorded (the residents' demo has one) taken on as a
        case today: still waiting to be accepted."""
        situation = (
            Situation.objects.filter(unit_code__under=self.community.code, kind="risk")
            .order_by("id")
            .first()
        )
        if situation is None and self.grids and self.workers:
            situation = people.record_situation(
                actor=self.workers[0],
                unit=self.grids[0],
                kind="risk",
                topic="两户邻里因漏水产生矛盾",
                place="保利百合",
                people_concerned=2,
            )
        if situation is None:
            return self.cases[-1]
        received = max(situation.recorded_at, self.now - dt.timedelta(minutes=30))
        case = services.open_from_situation(
            actor=desk.staff,
            situation=situation,
            data=CaseData(
                title=situation.topic,
                kind=CaseKind.NEIGHBOUR,
                facts=situation.description
                or "网格员走访发现：楼上漏水殃及楼下，两户多次争吵，有激化苗头。",
                request="尽快调解，修复漏水",
                people_affected=max(situation.people_concerned, 2),
            ),
            parties=[self._person(PartyRole.APPLICANT), self._person(PartyRole.RESPONDENT)],
            now=min(received, self.now),
        )
        self.cases.append(case)
        return case

    def waiting_disputes(self) -> list[Event]:
        """Two disputes grid workers reported this morning, not yet taken on: the desk's demo
        starts from one of them (the event's page offers 转为调解案件)."""
        made = []
        for number, (kind, title, facts) in enumerate(WAITING):
            code = CATEGORY_OF_KIND[kind]
            if not self.grids or not self.workers:
                break
            grid = self.grids[number % len(self.grids)]
            lon, lat = (
                (grid.centre_lon, grid.centre_lat)
                if grid.centre_lon is not None and grid.centre_lat is not None
                else FALLBACK_POINT
            )
            made.append(
                events.report_event(
                    actor=self.workers[number % len(self.workers)],
                    title=title,
                    description=facts,
                    category=Category.objects.get(code=code),
                    unit=grid,
                    lon=lon,
                    lat=lat,
                    address=self.community.name,
                    at=self.now - dt.timedelta(hours=2 + number),
                )
            )
        return made

    def consultations(self) -> int:
        """The lawyer's monthly afternoon at the community over the last twelve months."""
        today = timezone.localdate()
        made = 0
        for months_ago in range(12, 0, -1):
            year, month = divmod(today.year * 12 + today.month - 1 - months_ago, 12)
            held_on = _next_workday(dt.date(year, month + 1, 15))
            served = 33 if month + 1 == 5 else self.rng.randint(14, 31)
            services.record_consultation(
                actor=self.staff,
                unit=self.community,
                held_on=held_on,
                residents_served=served,
                topics=CONSULTATION_TOPICS[(month + 4) % len(CONSULTATION_TOPICS)]
                if month + 1 != 5
                else "民法典宣传月：居住权、遗嘱、婚姻家庭",
                lawyer=self.lawyer,
                place="党群服务中心一楼人民调解室",
                disputes_found=self.rng.choice((0, 0, 1, 1, 2)),
            )
            made += 1
        return made

    def load(self) -> int:
        self.build_pool()
        desk = Desk(self.community, self.staff, self.caller, self.room)
        for plan in self.plans():
            overdue = plan.outcome == "overdue"
            case = self.case(plan, desk)
            if overdue and case.due_at is not None and case.due_at < self.now:
                services.escalate_case(case=case, now=case.due_at + dt.timedelta(hours=1))
        self.from_situation(desk)
        self.waiting_disputes()
        for other, plan in self.elsewhere():
            self.case(plan, other)
        self.consultations()
        return len(self.cases)


# Disputes reported this morning and waiting for the desk (kind, title, facts).
WAITING = (
    (
        CaseKind.NEIGHBOUR,
        "楼道堆放杂物引发邻里争吵",
        "5号楼3单元两户因楼道堆放杂物互不相让，今早发生争吵，网格员已到场劝开。",
    ),
    (
        CaseKind.PROPERTY,
        "业主与物业因停车费上涨发生纠纷",
        "纺机家园十余户业主对物业上调停车费不满，拒缴并在小区门口聚集。",
    ),
)


def has_mediation(district: str) -> bool:
    return Mediator.objects.filter(unit_code__under=district).exists()


@transaction.atomic
def load_demo_mediation(district: str) -> int:
    """Returns the number of cases made. Notes the services write are kept in Chinese."""
    community = OrgUnit.objects.filter(code=DEMO_COMMUNITY).first()
    street = OrgUnit.objects.filter(code=DEMO_STREET).first()
    if community is None or street is None or not is_under(community.code, district):
        return 0
    with translation.override("zh-hans"):
        return DemoMediation(community, street).load()


def demo_part(district: str, *, progress: bool) -> str:
    """The demo's mediation, unless the district has a mediators' pool (core.demo; registered
    in apps.py)."""
    if has_mediation(district):
        return ""
    made = load_demo_mediation(district)
    return f"{made} demo mediation cases added." if made else ""
