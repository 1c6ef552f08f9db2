"""Issue 14, words: the party-member list is not titled 家庭成员, a class's seats column
says 报名/名额 (not 场所), people's names are 姓名 (not 名称), hours are 小时 (not "h"),
and completeness with no resident recorded says 无数据 instead of 100 %."""

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

from civicgrid.people.selectors import Check, Completeness


@pytest.fixture
def frank(tree, make_user):
    from civicgrid.org.roles import Role

    return make_user("frank", unit=tree.community_a1, role=Role.COMMUNITY_STAFF)


def test_the_party_page_lists_party_members_and_names(client, frank, tree):
    from civicgrid.party import services
    from civicgrid.party.models import BranchKind

    branch = services.save_branch(
        actor=frank, unit=tree.community_a1, name="甲一社区党支部", kind=BranchKind.values[0]
    )
    services.save_member(actor=frank, data=services.MemberData(name="李红", branch=branch))
    client.force_login(frank)
    body = client.get("/party/").content.decode()
    assert "<h2>党员 " in body and "家庭成员" not in body
    assert "<th>姓名</th>" in body and "李红" in body


def test_the_classes_page_heads_the_seats_column_enrolled_over_places(client, frank):
    client.force_login(frank)
    body = client.get("/classes/").content.decode()
    assert "<th>报名/名额</th>" in body and "<th>场所</th>" not in body


def test_hours_read_in_chinese():
    with translation.override("zh-hans"):
        assert gettext("%(h)s hours") % {"h": "1.5"} == "1.5 小时"
        assert pgettext("person", "Full name") == "姓名"
        assert gettext("No data") == "无数据"


def test_completeness_without_residents_is_no_data_not_100_per_cent(tree):
    organisations_only = Completeness(
        tree.street_b,
        [Check("person_fields", "", 0, 0), Check("organisation_contact", "", 3, 3)],
    )
    assert organisations_only.score is None
    recorded = Completeness(
        tree.street_a,
        [Check("person_fields", "", 4, 3), Check("organisation_contact", "", 1, 1)],
    )
    assert recorded.score == 80.0
