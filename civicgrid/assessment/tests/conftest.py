"""Street A's assessment of its grid workers (alice in grid A1-1, bob in grid A1-2, both in
community A1), run by carol (street A's staff) and sam (street A's staff too); street B has
its own worker (bea, grid B1-1) and staff (bert).

Indicators of the test plan: 听 on-site 30 (inspections), 查 data 40 (completeness), 测 test
20 (quiz), 彰 honours 10 (entered). The computed sources are registered per test with
`values` (the app registers the parts' real functions in apps.py); the plan's test modules
use the fixtures `english` and `own_sources`."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from civicgrid.assessment import scoring, services
from civicgrid.assessment.models import Part, Plan, PlanWorker, Source
from civicgrid.org.roles import Role

STANDARD = [
    services.IndicatorData(Part.HEAR, "在岗履职", "30", Source.INSPECTION),
    services.IndicatorData(Part.CHECK, "数据完整", "40", Source.COMPLETENESS),
    services.IndicatorData(Part.TEST, "应知应会", "20", Source.QUIZ),
    services.IndicatorData(Part.HONOUR, "表彰加分", "10", Source.ENTERED),
]


@pytest.fixture
def english(settings):
    """Messages are asserted in English, the source strings."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def own_sources(monkeypatch):
    """The test starts with no computed source registered and registers its own (undone after
    it: the app registers the parts' real functions)."""
    monkeypatch.setattr(scoring, "SOURCES", {})


@dataclass
class Cast:
    carol: object  # street A's staff (an assessor)
    sam: object  # street A's staff too
    alice: object  # grid worker of A1-1
    bob: object  # grid worker of A1-2
    bea: object  # grid worker of street B
    bert: object  # street B's staff
    cathy: object  # community A1's staff (a reader)
    dave: object  # read-only leader of the district


def build_cast(tree, people, make_user) -> Cast:
    return Cast(
        carol=people["carol"],
        sam=make_user("sam", unit=tree.street_a, role=Role.STREET_STAFF),
        alice=people["alice"],
        bob=people["bob"],
        bea=make_user("bea", unit=tree.grid_b1_1, role=Role.GRID_WORKER),
        bert=make_user("bert", unit=tree.street_b, role=Role.STREET_STAFF),
        cathy=make_user("cathy", unit=tree.community_a1, role=Role.COMMUNITY_STAFF),
        dave=people["dave"],
    )


@pytest.fixture
def cast(tree, people, make_user) -> Cast:
    return build_cast(tree, people, make_user)


def make_plan(tree, cast, *, year=2025, rows=STANDARD) -> Plan:
    plan = services.create_plan(actor=cast.carol, unit=tree.street_a, year=year)
    services.save_indicators(actor=cast.carol, plan=plan, rows=rows)
    return plan


@pytest.fixture
def plan(tree, cast) -> Plan:
    """A draft plan of street A for 2025 with the four standard indicators."""
    return make_plan(tree, cast)


@pytest.fixture
def running(plan, cast) -> Plan:
    return services.open_plan(actor=cast.carol, plan=plan)


def line(plan, user) -> PlanWorker:
    return PlanWorker.objects.get(plan=plan, worker=user)


def indicator(plan, source):
    return plan.indicators.get(source=source)


@pytest.fixture
def values(own_sources):
    """Register values for computed sources: values(Source.QUIZ, {plan_worker_pk: 80})."""

    def register(source: str, by_line: dict) -> None:
        scoring.register(source, lambda plan: {pk: Decimal(str(v)) for pk, v in by_line.items()})

    return register


def long_ago() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=60)


@pytest.fixture
def scored(running, cast, values):
    """The plan scored: alice 听 90 查 80 测 70 彰 100; bob 听 60 测 100 (not sampled: no 查)."""
    a, b = line(running, cast.alice), line(running, cast.bob)
    values(Source.INSPECTION, {a.pk: 90, b.pk: 60})
    values(Source.COMPLETENESS, {a.pk: 80})
    values(Source.QUIZ, {a.pk: 70, b.pk: 100})
    services.save_entry(
        actor=cast.carol,
        plan_worker=a,
        indicator=indicator(running, Source.ENTERED),
        value="100",
        note="市级表彰",
    )
    return services.score_plan(actor=cast.carol, plan=running)
