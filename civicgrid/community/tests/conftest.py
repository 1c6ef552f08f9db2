"""Community A1's lists: staff, a grid worker, two partners' resources, a party member."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from civicgrid.community import services
from civicgrid.org.roles import Role
from civicgrid.party import services as party


@dataclass
class Lists:
    staff: object
    partner: object
    member: object


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English, the source strings."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def build_lists(tree, make_user) -> Lists:
    """The lists themselves (also built by the workflow walks, tests/walks.py)."""
    staff = make_user("cathy", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)
    partner = services.save_partner(
        actor=staff,
        unit=tree.community_a1,
        data=services.PartnerData(
            name="邻里家政",
            joined_on=dt.date(2025, 3, 1),
            space=True,
            operation=True,
            space_used="党群服务中心一楼 40㎡",
            benefit="减免租金",
            benefit_yuan=Decimal(24000),
        ),
    )
    branch = party.save_branch(actor=staff, unit=tree.community_a1, name="第一支部", kind="branch")
    member = party.save_member(actor=staff, data=party.MemberData(name="赵党员", branch=branch))
    return Lists(staff, partner, member)


@pytest.fixture
def lists(tree, make_user) -> Lists:
    return build_lists(tree, make_user)


@pytest.fixture
def need(lists, tree, people):
    def make(category="elderly", unit=None, **extra):
        return services.record_need(
            actor=people["alice"],
            unit=unit or tree.grid_a1_1,
            data=services.NeedData(
                title="独居老人助浴", category=category, source="door_survey", **extra
            ),
        )

    return make
