"""The demo's assessment (civicgrid/assessment/demo.py) on the demo street's real units: the
2025 plan of 三官庙街道 goes through every step with times in 2025 — opened, values entered,
scored, one appeal upheld and corrected, one dismissed, computed again, published after the
appeal period, the three best on the honour list — once. The parts' sources are stood in
for here (the check and quiz parts register the real ones)."""

import pytest
from django.contrib.auth import get_user_model

from civicgrid.assessment import demo, selectors
from civicgrid.assessment.models import AppealStatus, Plan, PlanStatus, Source
from civicgrid.org import services as org
from civicgrid.org.demo import DEMO_COMMUNITY, DEMO_STREET
from civicgrid.org.divisions import import_divisions
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "own_sources")]

COMPUTED = [s for s in Source.values if s != Source.ENTERED]


@pytest.fixture
def street(db):
    """三官庙街道 with two grids in 河南纺机社区 and one in another community, their workers,
    a grid leader, and two street staff (the demo login `street` and one more)."""
    import_divisions(["410102"], progress=False)
    users = get_user_model().objects
    community = OrgUnit.objects.get(code=DEMO_COMMUNITY)
    other = OrgUnit.objects.filter(parent__code=DEMO_STREET, kind=Kind.COMMUNITY).exclude(
        pk=community.pk
    )[0]
    grids = [
        org.create_unit(actor=None, parent=parent, kind=Kind.GRID, name=f"第{n}网格")
        for n, parent in enumerate([community, community, other], start=1)
    ]
    street = OrgUnit.objects.get(code=DEMO_STREET)
    for name, unit, role in [
        ("street", street, Role.STREET_STAFF),
        ("street2", street, Role.STREET_STAFF),
        ("gridleader", community, Role.GRID_LEADER),
        *[(f"gw{n}", grid, Role.GRID_WORKER) for n, grid in enumerate(grids)],
    ]:
        user = users.create_user(username=name, password="x", full_name=f"{name}姓名")
        org.post_user(actor=None, user=user, unit=unit, role=role)
    return street


def test_the_demo_assessment_runs_every_step_in_2025_once(street, values, monkeypatch):
    # The parts' loaders need the demo district (their own tests load it: test_check_demo,
    # test_quiz_demo); here the plan's steps run on stand-in values.
    monkeypatch.setattr(demo, "PART_LOADERS", ())
    for source in COMPUTED:
        values(source, {})
    lines = {}

    def stand_in(plan):
        # 60–100 by the line's id, the same on every run.
        return {pk: 60 + (pk * 7) % 41 for pk in plan.workers.values_list("pk", flat=True)}

    from civicgrid.assessment import scoring

    for source in COMPUTED:
        scoring.register(source, stand_in)
    said = demo.demo_part("410102", progress=False)
    assert "published" in said
    plan = Plan.objects.get(unit__code=DEMO_STREET, year=2025)
    assert plan.status == PlanStatus.PUBLISHED
    steps = list(plan.steps.values_list("action", "at"))
    assert [a for a, _at in steps] == ["create", "open", "score", "rescore", "publish"]
    assert all(at.year == 2025 for _a, at in steps)
    lines = list(plan.workers.order_by("rank_in_plan"))
    assert len(lines) == 4 and all(line.score is not None for line in lines)
    assert lines[0].rank_in_plan == 1
    appeals = sorted(a.status for line in lines for a in line.appeals.all())
    assert appeals == [AppealStatus.DISMISSED, AppealStatus.UPHELD]
    honours = list(selectors.published_honours(DEMO_STREET))
    assert len(honours) == 3 and honours[0].plan_worker.rank_in_plan == 1
    assert honours[0].title == "十佳网格员" and honours[0].published_at.year == 2025
    assert demo.demo_part("410102", progress=False) == ""
