"""Community services: matching ranks as specified, capacity holds, needs and tasks follow
their tables, figures equal recounts."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from civicgrid.community import rollups, services
from civicgrid.community.models import (
    CommunityRollup,
    NeedStatus,
    ProjectStatus,
    TaskStatus,
)
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.party.models import PointEntry, PointKind

TODAY = dt.date.today


def resource(lists, unit, title, category="elderly", terms="free", capacity=1, **extra):
    return services.save_resource(
        actor=lists.staff if unit.code.startswith("410102001001") else extra.pop("actor"),
        unit=unit,
        title=title,
        category=category,
        provider_kind="partner",
        provider="邻里家政",
        capacity=capacity,
        terms=terms,
        price=5 if terms == "low_fee" else None,
        **extra,
    )


def test_matching_ranks_category_nearness_terms_capacity(lists, need, tree, people):
    wanted = need()
    same_grid = resource(lists, tree.grid_a1_1, "网格助浴")
    community = resource(lists, tree.community_a1, "社区助浴", capacity=3)
    community_fee = resource(lists, tree.community_a1, "低偿助浴", terms="low_fee", capacity=9)
    street = resource(lists, tree.street_a, "街道助浴", actor=people["carol"])
    other_kind = resource(lists, tree.grid_a1_1, "其他帮助", category="other")
    wrong = resource(lists, tree.grid_a1_1, "法律咨询", category="legal")
    neighbour_grid = resource(lists, tree.grid_a1_2, "隔壁网格助浴", capacity=5)
    ranked = [r for r, _reasons in services.suggest(wanted)]
    assert ranked == [
        same_grid,
        neighbour_grid,
        community,
        community_fee,
        street,
        other_kind,
    ]
    assert wrong not in ranked


def test_a_resource_is_never_matched_beyond_its_capacity(lists, need, tree):
    one = resource(lists, tree.community_a1, "助浴", capacity=1)
    first, second = need(), need()
    services.match_need(actor=lists.staff, need=first, resource=one)
    with pytest.raises(Conflict) as error:
        services.match_need(actor=lists.staff, need=second, resource=one)
    assert error.value.field == "resource"
    assert one not in [r for r, _ in services.suggest(second)]
    services.meet_need(actor=lists.staff, need=first, answer="已助浴")
    services.match_need(actor=lists.staff, need=second, resource=one)  # capacity came back


def test_a_resource_of_another_community_does_not_serve(lists, need, tree, make_user):
    from civicgrid.org.roles import Role

    boss = make_user("boss", unit=tree.district, role=Role.DISTRICT_STAFF)
    elsewhere = services.save_resource(
        actor=boss,
        unit=tree.community_b1,
        title="乙社区助浴",
        category="elderly",
        provider_kind="community",
        provider="乙社区",
    )
    wanted = need()
    assert elsewhere not in [r for r, _ in services.suggest(wanted)]
    with pytest.raises(InvalidInput):
        services.match_need(actor=boss, need=wanted, resource=elsewhere)


def test_needs_follow_their_table(lists, need, tree, people):
    wanted = need()
    with pytest.raises(NotAllowed):
        services.record_need(
            actor=people["erin"],
            unit=tree.grid_a1_1,
            data=services.NeedData(title="x", category="elderly", source="resident"),
        )
    with pytest.raises(Conflict):
        services.meet_need(actor=lists.staff, need=wanted, answer="x")
    services.drop_need(actor=lists.staff, need=wanted, answer="超出社区能力，已转街道")
    wanted.refresh_from_db()
    assert wanted.status == NeedStatus.NOT_FEASIBLE
    assert [s.to_status for s in wanted.steps.all()] == ["open", "not_feasible"]


def test_project_from_matched_needs_and_done(lists, need, tree):
    helper = resource(lists, tree.community_a1, "助浴", capacity=5)
    needs = [need(people=2), need()]
    for n in needs:
        services.match_need(actor=lists.staff, need=n, resource=helper)
    project = services.start_project(
        actor=lists.staff,
        unit=tree.community_a1,
        title="助浴微实事",
        kind="micro",
        starts_on=TODAY(),
        ends_on=TODAY() + dt.timedelta(days=30),
        needs=needs,
    )
    assert project.beneficiaries == 3 and list(project.resources.all()) == [helper]
    services.finish_project(
        actor=lists.staff, project=project, outcome="为 3 位老人助浴 12 次", beneficiaries=3
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.DONE
    assert set(project.needs.values_list("status", flat=True)) == {NeedStatus.MET}
    helper.refresh_from_db()
    assert helper.in_use == 0


def test_tasks_claimed_once_and_reported(lists, tree, make_user):
    task = services.create_task(
        actor=lists.staff,
        unit=tree.community_a1,
        title="清理楼道杂物",
        due_on=TODAY() + dt.timedelta(days=7),
        source="月议事决议",
    )
    user = make_user("zhao")
    lists.member.user = user
    lists.member.save()
    user.refresh_from_db()
    services.claim_task(actor=user, task=task)
    with pytest.raises(Conflict) as error:
        services.claim_task(actor=lists.staff, task=task, member=lists.member)
    assert "赵党员" in error.value.message
    services.report_task(actor=user, task=task, report="已清理 3 个单元")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert PointEntry.objects.get().kind == PointKind.TASK
    closed = services.create_task(
        actor=lists.staff, unit=tree.community_a1, title="x", due_on=TODAY()
    )
    services.close_task(actor=lists.staff, task=closed, reason="已由物业处理")
    with pytest.raises(Conflict):
        services.claim_task(actor=user, task=closed)
    with pytest.raises(InvalidInput):
        services.create_task(
            actor=lists.staff,
            unit=tree.community_a1,
            title="x",
            due_on=TODAY() - dt.timedelta(days=1),
        )


def test_figures_equal_recounts(lists, need, tree):
    helper = resource(lists, tree.community_a1, "助浴", capacity=5)
    first, _second = need(), need()
    services.match_need(actor=lists.staff, need=first, resource=helper)
    services.meet_need(actor=lists.staff, need=first, answer="好")
    services.record_activity(
        actor=lists.staff,
        partner=lists.partner,
        title="义剪",
        held_on=timezone.localdate(),
        people_served=35,
    )
    task = services.create_task(
        actor=lists.staff, unit=tree.community_a1, title="t", due_on=TODAY()
    )
    services.claim_task(actor=lists.staff, task=task, member=lists.member)
    kept = CommunityRollup.objects.aggregate(
        needs=Sum("needs"),
        met=Sum("needs_met"),
        people=Sum("people_served"),
        claimed=Sum("tasks_claimed"),
    )
    assert kept == {"needs": 2, "met": 1, "people": 35, "claimed": 1}
    rollups.rebuild_rollups()
    assert kept == CommunityRollup.objects.aggregate(
        needs=Sum("needs"),
        met=Sum("needs_met"),
        people=Sum("people_served"),
        claimed=Sum("tasks_claimed"),
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_claims_at_once_one_wins(lists, tree, at_once, people):
    task = services.create_task(
        actor=lists.staff, unit=tree.community_a1, title="t", due_on=TODAY()
    )
    from civicgrid.party import services as party

    other = party.save_member(
        actor=lists.staff, data=party.MemberData(name="钱党员", branch=lists.member.branch)
    )
    outcomes = at_once(
        [
            lambda: services.claim_task(actor=lists.staff, task=task, member=lists.member),
            lambda: services.claim_task(actor=lists.staff, task=task, member=other),
        ]
    )
    assert sorted(outcomes) == ["Conflict", "ok"]


@pytest.fixture
def dedicated(tree):
    """An office building hanging on street A beside its communities: its 12-digit code is
    no community's."""
    from civicgrid.org import services as org
    from civicgrid.org.kinds import DedicatedKind, Kind

    return org.create_unit(
        actor=None,
        parent=tree.street_a,
        kind=Kind.DEDICATED_GRID,
        subkind=DedicatedKind.OFFICE_BUILDING,
        name="东方大厦",
    )


def test_a_dedicated_grid_of_a_street_is_served_as_its_own_community(
    lists, need, tree, people, dedicated
):
    carol = people["carol"]
    wanted = services.record_need(
        actor=carol,
        unit=dedicated,
        data=services.NeedData(title="楼宇助浴", category="elderly", source="door_survey"),
    )
    own = resource(lists, dedicated, "大厦助浴", actor=carol)
    street = resource(lists, tree.street_a, "街道助浴", actor=carol)
    resource(lists, tree.community_a1, "社区助浴")
    ranked = services.suggest(wanted)
    assert [r for r, _reasons in ranked] == [own, street]
    assert "same grid" in ranked[0][1] and "same community" not in ranked[1][1]
    household = services.NeedData(
        title="x", category="elderly", source="door_survey", household=_household(tree)
    )
    with pytest.raises(InvalidInput) as error:
        services.record_need(actor=carol, unit=dedicated, data=household)
    assert error.value.field == "household"


def _household(tree):
    from civicgrid.people.models import Household

    return Household.objects.create(unit=tree.grid_a1_1, number="1-1-101")


def test_a_member_of_a_dedicated_grid_sees_and_claims_its_tasks_only(
    lists, tree, people, dedicated
):
    from civicgrid.community import selectors
    from civicgrid.party import services as party

    carol = people["carol"]
    branch = party.save_branch(actor=carol, unit=dedicated, name="大厦支部", kind="branch")
    member = party.save_member(actor=carol, data=party.MemberData(name="孙党员", branch=branch))
    here = services.create_task(actor=carol, unit=dedicated, title="楼宇巡查", due_on=TODAY())
    there = services.create_task(
        actor=lists.staff, unit=tree.community_a1, title="楼道", due_on=TODAY()
    )
    assert list(selectors.tasks_near(member)["open"]) == [here]
    services.claim_task(actor=carol, task=here, member=member)
    with pytest.raises(InvalidInput) as error:
        services.claim_task(actor=carol, task=there, member=member)
    assert error.value.field == "member"


def test_a_member_unit_with_a_login_claims_and_reports_for_itself_only(lists, tree, make_user):
    from civicgrid.alliances import services as alliances
    from civicgrid.community import selectors

    committee = alliances.save_committee(
        lists.staff, unit=tree.community_a1, name="甲一社区大党委", kind="party_committee"
    )
    school, hospital = (
        alliances.add_member_unit(lists.staff, committee=committee, name=name, kind=kind)
        for name, kind in (("纺机小学", "school"), ("中医院", "hospital"))
    )
    school.user = make_user("school")
    school.save()
    login = school.user
    login.refresh_from_db()
    task, other = (
        services.create_task(actor=lists.staff, unit=tree.community_a1, title=title, due_on=TODAY())
        for title in ("四点半课堂助教", "义诊")
    )
    near = selectors.tasks_near(school)
    assert {t.pk for t in near["open"]} == {task.pk, other.pk}
    # Not on another unit's behalf, nor as a party member.
    with pytest.raises(NotAllowed):
        services.claim_task(actor=login, task=other, member_unit=hospital)
    with pytest.raises(NotAllowed):
        services.claim_task(actor=login, task=other, member=lists.member)
    claimed = services.claim_task(actor=login, task=task)
    assert claimed.member_unit == school and claimed.member is None
    assert selectors.task_for(login, task.pk) == task
    assert [t.pk for t in selectors.tasks_near(school)["mine"]] == [task.pk]
    # Another login cannot report it done.
    with pytest.raises(NotAllowed):
        services.report_task(actor=make_user("stranger"), task=task, report="x")
    done = services.report_task(actor=login, task=task, report="每周二、四两名教师到场")
    assert done.status == TaskStatus.DONE
    assert not PointEntry.objects.exists()  # points are a party member's, not a unit's
