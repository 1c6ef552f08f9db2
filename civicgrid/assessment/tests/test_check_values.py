"""The values the 查/听 indicators give each worker (the scoring contract: {PlanWorker.pk:
0–100} for the workers that have one), checked against recounts by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from civicgrid.assessment import checks
from civicgrid.assessment.models import PlanWorker
from civicgrid.assessment.tests.check_setup import ASPECTS, build, ledger, sample_all
from civicgrid.events import selectors as event_selectors
from civicgrid.events import services as events
from civicgrid.events.models import Category
from civicgrid.org.roles import Role
from civicgrid.people import ledger_rollups
from civicgrid.people.models import Household, Person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def setup(tree, people, make_user):
    return build(tree, people, make_user)


def test_no_sample_no_check_values(setup):
    checks.record_inspection(
        actor=setup.carol, plan=setup.plan, plan_worker=setup.bob, aspects=ASPECTS
    )
    for values in (
        checks.values_completeness,
        checks.values_rates,
        checks.values_spot_checks,
        checks.values_cross_boundary,
    ):
        assert values(setup.plan) == {}
    assert checks.values_inspections(setup.plan) == {setup.bob.pk: Decimal("85.50")}


def test_completeness_pools_the_workers_drawn_grids(setup, tree, make_user):
    ledger(tree.grid_a1_1, n=3)  # 3 persons without birth date or ID: 0/3 filled
    household = Household.objects.create(unit=tree.grid_a1_2, address="2号楼201")
    Person.objects.create(
        unit=tree.grid_a1_2,
        name="李完整",
        gender="2",
        birth_date=dt.date(1980, 5, 1),
        id_hash="h",
        household=household,
        relation="head",
    )
    ledger_rollups.rebuild()  # rows made with the ORM
    leader = make_user("gail", unit=tree.community_a1, role=Role.GRID_LEADER)
    both = PlanWorker.objects.create(
        plan=setup.plan,
        worker=leader,
        community=tree.community_a1,
        grid_codes=[tree.grid_a1_1.code, tree.grid_a1_2.code],
    )
    sample_all(setup, tree)
    values = checks.values_completeness(setup.plan)
    # A1-1: persons' fields 0/3, persons in a household 3/3, households with a head 1/1.
    assert values[setup.alice.pk] == Decimal("57.10")  # 4 of 7
    # A1-2: 1/1, 1/1, 1/1.
    assert values[setup.bob.pk] == Decimal("100.00")
    # Both grids together: 7 of 10 (not the mean of 57.1 and 100).
    assert values[both.pk] == Decimal("70.00")


def test_a_grid_without_residents_gives_no_completeness(setup, tree):
    ledger(tree.grid_a1_1)
    sample_all(setup, tree)
    assert set(checks.values_completeness(setup.plan)) == {setup.alice.pk}


def test_four_rates_become_one_value_by_their_mean():
    assert checks.four_rates_value([]) is None
    assert checks.four_rates_value([{"response": (0, 0)}]) is None
    one = {"response": (9, 10), "closure": (1, 2), "solution": (0, 0), "satisfaction": (3, 4)}
    assert checks.four_rates_value([one]) == Decimal("71.67")  # (90 + 50 + 75) / 3
    other = {"response": (1, 10), "closure": (0, 0), "solution": (2, 2), "satisfaction": (0, 0)}
    # Pooled: response 10/20, closure 1/2, solution 2/2, satisfaction 3/4.
    assert checks.four_rates_value([one, other]) == Decimal("68.75")


def test_the_rates_value_reads_the_drawn_grids_figures(setup, tree, people):
    sample_all(setup, tree)
    event = events.report_event(
        actor=people["alice"],
        title="楼道堆物",
        category=Category.objects.get(code="0103"),
        lon=113.52,
        lat=34.72,
    )
    event = events.accept_event(actor=setup.carol, event=event)
    event = events.dispatch_event(actor=setup.carol, event=event, handler_user=people["alice"])
    events.sign_event(actor=people["alice"], event=event)
    start, end = dt.date(setup.plan.year, 1, 1), timezone.localdate()
    figures = event_selectors.figures_for(tree.grid_a1_1, start, end)
    rates = {rate.key: rate for rate in figures.rates}
    assert rates["response"].denominator == 1 and rates["response"].numerator == 1
    values = checks.values_rates(setup.plan)
    assert values[setup.alice.pk] == checks.four_rates_value(
        [{key: (rates[key].numerator, rates[key].denominator) for key in checks.RATE_KEYS}]
    )
    assert setup.bob.pk not in values  # nothing happened in bob's grid
