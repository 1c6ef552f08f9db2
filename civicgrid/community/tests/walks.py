"""The need, task and project machines for the shared workflow property test
(civicgrid/tests/test_workflows.py)."""

import datetime as dt

from django.db.models import Count, Q

from civicgrid.alliances import services as alliances
from civicgrid.community import rollups, services
from civicgrid.community.models import NeedStatus, Resource
from civicgrid.community.tests.conftest import build_lists
from civicgrid.party import services as party
from civicgrid.tests.walking import Walk

HOLDING = Q(needs__status__in=[NeedStatus.MATCHED, NeedStatus.IN_PROGRESS])


def _counted_again() -> list[str]:
    """The rollup rows, and each resource's capacity in use (the needs that hold it)."""
    wrong = rollups.check_all()
    for resource in Resource.objects.annotate(holding=Count("needs", filter=HOLDING)):
        if resource.in_use != resource.holding:
            wrong.append(f"in use of resource {resource.pk}")
    return wrong


def _setting(request):
    tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")
    lists = build_lists(tree, request.getfixturevalue("make_user"))
    # alice records needs but keeps no lists; carol keeps them for her street; bob's grid is
    # next door; dave reads only.
    cast = {name: people[name] for name in ("alice", "bob", "carol", "dave", "mallory")}
    return tree, lists, cast | {"cathy": lists.staff}


def _need(tree, recorder):
    return services.record_need(
        actor=recorder,
        unit=tree.grid_a1_1,
        data=services.NeedData(title="独居老人助浴", category="elderly", source="door_survey"),
    )


def _resource(tree, lists) -> Resource:
    return services.save_resource(
        actor=lists.staff,
        unit=tree.community_a1,
        title="助浴",
        category="elderly",
        provider_kind="partner",
        provider="邻里家政",
        capacity=1000,
    )


def _project(tree, actor, needs=()):
    today = dt.date.today()
    return services.start_project(
        actor=actor,
        unit=tree.community_a1,
        title="助浴微实事",
        kind="micro",
        starts_on=today,
        ends_on=today + dt.timedelta(days=30),
        needs=needs,
    )


def walk_needs(request) -> Walk:
    tree, lists, cast = _setting(request)
    helper = _resource(tree, lists)
    steps = {
        "match": lambda a, n: services.match_need(actor=a, need=n, resource=helper),
        "start": lambda a, n: _project(tree, a, needs=[n]),
        "meet": lambda a, n: services.meet_need(actor=a, need=n, answer="已助浴"),
        "drop": lambda a, n: services.drop_need(actor=a, need=n, answer="超出社区能力"),
    }
    return Walk(
        start=lambda: _need(tree, cast["alice"]),
        steps=steps,
        people=cast,
        recount=_counted_again,
    )


def walk_tasks(request) -> Walk:
    tree, lists, cast = _setting(request)
    make_user = request.getfixturevalue("make_user")
    zhao = make_user("zhao")
    lists.member.user = zhao
    lists.member.save()
    qian = party.save_member(
        actor=lists.staff, data=party.MemberData(name="钱党员", branch=lists.member.branch)
    )
    qian.user = make_user("qian")
    qian.save()
    committee = alliances.save_committee(
        actor=lists.staff, unit=tree.community_a1, name="大党委", kind="party_committee"
    )
    school = alliances.add_member_unit(
        actor=lists.staff, committee=committee, name="第一小学", kind="school"
    )
    cast |= {"zhao": zhao, "qian": qian.user}  # party members with logins
    today = dt.date.today()
    steps = {
        # For oneself (a party member) …
        "claim": lambda a, t: services.claim_task(actor=a, task=t),
        # … or recorded by staff for a member or a member unit.
        "claim_for_zhao": lambda a, t: services.claim_task(actor=a, task=t, member=lists.member),
        "claim_for_school": lambda a, t: services.claim_task(actor=a, task=t, member_unit=school),
        "report": lambda a, t: services.report_task(actor=a, task=t, report="已清理"),
        "close": lambda a, t: services.close_task(actor=a, task=t, reason="已由物业处理"),
    }
    return Walk(
        start=lambda: services.create_task(
            actor=lists.staff,
            unit=tree.community_a1,
            title="清理楼道杂物",
            due_on=today + dt.timedelta(days=7),
        ),
        steps=steps,
        people=cast,
        recount=_counted_again,
    )


def walk_projects(request) -> Walk:
    tree, lists, cast = _setting(request)
    helper = _resource(tree, lists)

    def start():
        # A project of a matched need, which finishing it meets.
        need = _need(tree, lists.staff)
        services.match_need(actor=lists.staff, need=need, resource=helper)
        return _project(tree, lists.staff, needs=[need])

    steps = {
        "finish": lambda a, p: services.finish_project(
            actor=a, project=p, outcome="为老人助浴 12 次", beneficiaries=1
        ),
    }
    return Walk(start=start, steps=steps, people=cast, recount=_counted_again)


WALKS = {
    "community.Need": walk_needs,
    "community.Task": walk_tasks,
    "community.Project": walk_projects,
}
