"""Query counts of the 查/听 list pages, pinned: the same with one row as with many, so an N+1
(a query per draw, grid, row, event, inspection or photo) breaks a pin."""

import pytest

from civicgrid.assessment import checks, sampling
from civicgrid.assessment.tests.check_setup import ASPECTS, build, jpeg, ledger
from civicgrid.assessment.tests.test_check_services import cross_event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def setup(tree, people, make_user):
    return build(tree, people, make_user)


def test_the_check_pages_cost_the_same_for_one_row_as_for_many(client, setup, tree, people, pinned):
    plan, carol = setup.plan, setup.carol
    ledger(tree.grid_a1_1, n=4)
    ledger(tree.grid_a1_2, n=2)
    checks.draw_communities(actor=carol, plan=plan, count=2, seed="a")
    # One grid drawn, alice's: a seed that draws it, found the way anyone would re-draw.
    population = [tree.grid_a1_1.code, tree.grid_a1_2.code, setup.grid_a2_1.code]
    seed = next(
        s for s in map(str, range(100)) if sampling.draw(population, s, 1)[0] == population[0]
    )
    checks.draw_grids(actor=carol, plan=plan, count=1, seed=seed)
    grid = tree.grid_a1_1
    checks.draw_ledger(actor=carol, plan=plan, grid=grid, count=1)
    checks.record_inspection(actor=carol, plan=plan, plan_worker=setup.alice, aspects=ASPECTS)
    cross_event(people["alice"], carol, title="跨区域")
    code = grid.code
    pk = plan.pk
    pages = {
        f"/assessment/plans/{pk}/check/": 24,
        f"/assessment/plans/{pk}/check/grids/{code}/": 14,
        f"/assessment/plans/{pk}/check/cross/": 11,
        f"/assessment/plans/{pk}/inspections/": 10,
    }
    client.force_login(carol)
    pinned(pages)
    # Many: all three grids drawn, more rows drawn again, cross reports, inspections, photos.
    checks.draw_grids(actor=carol, plan=plan, count=3, seed="c", reason="扩大抽查")
    for n in range(2):
        checks.draw_ledger(actor=carol, plan=plan, grid=grid, count=4, reason=f"第{n + 2}次")
    for n in range(3):
        cross_event(people["alice"], carol, title=f"跨区域{n}")
        cross_event(people["bob"], carol, lon=113.57, title=f"跨部门{n}", kind="department")
    for planned in (setup.alice, setup.bob, setup.bob):
        checks.record_inspection(
            actor=carol, plan=plan, plan_worker=planned, aspects=ASPECTS, photos=[jpeg()]
        )
    bodies = pinned(pages)
    assert bodies[f"/assessment/plans/{pk}/check/"].count("data-grid=") == 3
    assert bodies[f"/assessment/plans/{pk}/check/cross/"].count("data-event=") == 7
    assert bodies[f"/assessment/plans/{pk}/inspections/"].count("data-inspection=") == 4
