"""Query counts of the community service lists, pinned: the same with one row as with many, so
an N+1 (a query per need, resource, project, partner, task, unit below…) breaks a pin."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from civicgrid.alliances import services as alliances
from civicgrid.community import services
from civicgrid.community.models import Task
from civicgrid.org import services as org_services
from civicgrid.org.kinds import Kind
from civicgrid.party import services as party


@pytest.fixture
def grow(lists, tree, people, make_user):
    """Adds to community A1: an open need in grid A1-1 and one matched to a new resource and
    taken into the project, a partner activity, a task of the project claimed by a new party
    member, an open task, a member unit of the street's committee, and a grid below. The
    first member logs in. Returns the open needs so far."""
    staff = lists.staff
    week = timezone.localdate() + dt.timedelta(days=7)
    committee = alliances.save_committee(
        actor=staff, unit=tree.community_a1, name="甲一大党委", kind="party_committee"
    )
    if lists.member.user is None:
        lists.member.user = make_user("zhao")
        lists.member.save()
    made: list = []
    project: list = []

    def need(title: str):
        data = services.NeedData(title=title, category="elderly", source="door_survey")
        return services.record_need(actor=people["alice"], unit=tree.grid_a1_1, data=data)

    def add(count: int) -> list:
        for _ in range(count):
            i = len(made)
            made.append(need(title=f"需求{i}"))
            resource = services.save_resource(
                actor=staff,
                unit=tree.community_a1,
                title=f"资源{i}",
                category="elderly",
                provider_kind="partner",
                provider=lists.partner.name,
                capacity=3,
                partner=lists.partner,
            )
            matched = services.match_need(
                actor=staff, need=need(title=f"已对接{i}"), resource=resource
            )
            if not project:
                project.append(
                    services.start_project(
                        actor=staff,
                        unit=tree.community_a1,
                        title="助老项目",
                        kind="service",
                        starts_on=timezone.localdate(),
                        ends_on=week,
                        needs=[matched],
                    )
                )
            services.record_activity(
                actor=staff,
                partner=lists.partner,
                title=f"活动{i}",
                held_on=timezone.localdate() - dt.timedelta(days=i),
                people_served=5,
            )
            task = services.create_task(
                actor=staff,
                unit=tree.community_a1,
                title=f"项目任务{i}",
                due_on=week,
                project=project[0],
            )
            member = party.save_member(
                actor=staff, data=party.MemberData(name=f"党员{i}", branch=lists.member.branch)
            )
            services.claim_task(actor=staff, task=task, member=member)
            services.create_task(
                actor=staff, unit=tree.community_a1, title=f"待认领{i}", due_on=week
            )
            alliances.add_member_unit(
                actor=staff, committee=committee, name=f"共建单位{i}", kind="enterprise"
            )
            org_services.create_unit(
                actor=None, parent=tree.community_a1, kind=Kind.GRID, name=f"甲一第{i + 3}网格"
            )
        return made

    return add


def test_the_community_lists_cost_the_same_for_one_row_as_for_six(
    client, lists, tree, grow, pinned
):
    code = tree.community_a1.code
    first = grow(1)[0]
    task = Task.objects.get(title="待认领0")
    project = Task.objects.get(title="项目任务0").project
    pages = {
        f"/community/u/{code}/": 16,
        f"/community/u/{code}/figures/": 13,
        f"/community/needs/{first.pk}/": 12,
        f"/community/projects/{project.pk}/": 9,
        f"/community/partners/{lists.partner.pk}/": 7,
        f"/community/tasks/{task.pk}/": 13,
        f"/api/v1/community/units/{code}/needs": 5,
        f"/api/v1/community/units/{code}/tasks": 5,
        f"/api/v1/community/needs/{first.pk}/suggestions": 8,
    }
    own = {"/community/tasks/mine/": 9}
    client.force_login(lists.staff)
    pinned(pages)
    client.force_login(lists.member.user)
    pinned(own)
    grow(5)
    client.force_login(lists.staff)
    bodies = pinned(pages)
    hub = bodies[f"/community/u/{code}/"]
    assert all(f"{kind}5" in hub for kind in ("需求", "资源", "待认领"))
    assert "甲一第8网格" in bodies[f"/community/u/{code}/figures/"]
    assert "资源5" in bodies[f"/community/needs/{first.pk}/"]
    assert "项目任务5" in bodies[f"/community/projects/{project.pk}/"]
    assert "活动5" in bodies[f"/community/partners/{lists.partner.pk}/"]
    assert "共建单位5" in bodies[f"/community/tasks/{task.pk}/"]
    assert "党员5" in bodies[f"/community/tasks/{task.pk}/"]
    assert len(json.loads(bodies[f"/api/v1/community/units/{code}/tasks"])) == 12
    client.force_login(lists.member.user)
    assert "待认领5" in pinned(own)["/community/tasks/mine/"]
