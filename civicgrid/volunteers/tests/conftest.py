"""A volunteer service in community A1: a repair team, its menu, two volunteers with logins
(one a party member), community staff."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from civicgrid.org.roles import Role
from civicgrid.party import services as party
from civicgrid.volunteers import services


@dataclass
class Service:
    staff: object
    team: object
    repair: object
    haircut: object
    li: object
    wang: object
    member: object


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English, the source strings."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def build_service(tree, make_user) -> Service:
    """The service itself (also built by the workflow walk, tests/walks.py)."""
    staff = make_user("cathy", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)
    team = services.save_team(actor=staff, unit=tree.community_a1, name="家电维修志愿服务队")
    repair = services.save_item(
        actor=staff, unit=tree.community_a1, name="家电维修", category="repair", team=team
    )
    haircut = services.save_item(
        actor=staff,
        unit=tree.community_a1,
        name="爱心理发",
        category="haircut",
        terms="low_fee",
        price=Decimal(5),
    )
    branch = party.save_branch(actor=staff, unit=tree.community_a1, name="第一支部", kind="branch")
    member = party.save_member(
        actor=staff, data=party.MemberData(name="王党员", branch=branch, phone="13600003333")
    )
    li = services.register_volunteer(
        actor=staff,
        unit=tree.community_a1,
        data=services.VolunteerData(name="李师傅", phone="13500001111", teams=[team]),
    )
    wang = services.register_volunteer(
        actor=staff,
        unit=tree.community_a1,
        data=services.VolunteerData(
            name="王党员", phone="13600003333", id_number="410102196805120010"
        ),
    )
    for volunteer, login in ((li, "li"), (wang, "wang")):
        volunteer.user = make_user(login)
        volunteer.save()
    return Service(staff, team, repair, haircut, li, wang, member)


@pytest.fixture
def service(tree, make_user) -> Service:
    return build_service(tree, make_user)


@pytest.fixture
def order(service, tree):
    def make(item=None, **extra):
        return services.place_order(
            actor=None,
            unit=tree.community_a1,
            item=item or service.repair,
            name="张秀英",
            phone="13812345678",
            address="保利百合3号楼2单元501",
            **extra,
        )

    return make
