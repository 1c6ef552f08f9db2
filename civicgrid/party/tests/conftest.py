"""A branch of community A1 with a member, community staff, and the shop's first item."""

import pytest

from civicgrid.org.roles import Role
from civicgrid.party import services
from civicgrid.party.models import BranchKind, MemberKind, Position


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English, the source strings."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def staff(tree, make_user):
    return make_user("cathy", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)


@pytest.fixture
def branch(tree, staff):
    return services.save_branch(
        actor=staff, unit=tree.community_a1, name="第一党支部", kind=BranchKind.BRANCH
    )


@pytest.fixture
def member(branch, staff):
    return services.save_member(
        actor=staff,
        data=services.MemberData(
            name="刘党员",
            branch=branch,
            phone="13600002222",
            kind=MemberKind.SELF_MANAGED,
            position=Position.MEMBER,
        ),
    )


@pytest.fixture
def item(tree, staff):
    return services.save_item(
        actor=staff, unit=tree.community_a1, name="洗衣液", points=10, stock=3
    )
