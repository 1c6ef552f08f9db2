"""The plan and appeal machines for the shared workflow property test
(civicgrid/tests/test_workflows.py): every step tried by street A's staff (assessors), a grid
worker in scope, street B's staff and the district's read-only leader. The plan's indicators
are entered ones (honours 60 %, deductions 40 %), so a walk needs no other part's records.

Invariants beyond the engine's: a plan past draft has its workers fixed; a scored plan whose
values did not change since has each worker's score and ranks equal to a recomputation; a
published plan has no appeal waiting; an answered appeal has its answer and its time. The
paper machine's walk is the quiz part's (walks_quiz.py)."""

import datetime as dt
import itertools

from django.utils import timezone

from civicgrid.assessment import scoring, services
from civicgrid.assessment.models import (
    Appeal,
    AppealStatus,
    Part,
    Plan,
    PlanStatus,
    Source,
)
from civicgrid.assessment.tests import walks_quiz
from civicgrid.assessment.tests.conftest import build_cast
from civicgrid.core.errors import Conflict
from civicgrid.tests.walking import Walk

ENTERED_ONLY = [
    services.IndicatorData(Part.HONOUR, "表彰加分", "60", Source.ENTERED),
    services.IndicatorData(Part.HONOUR, "扣分项", "40", Source.ENTERED),
]


def _consistent() -> list[str]:
    wrong = []
    for plan in Plan.objects.all():
        workers = list(plan.workers.all())
        if plan.status != PlanStatus.DRAFT and not workers:
            wrong.append(f"plan {plan.pk} is {plan.status} with no worker in scope")
        if plan.status == PlanStatus.PUBLISHED:
            if plan.published_at is None:
                wrong.append(f"plan {plan.pk} published without a time")
            if Appeal.objects.filter(plan_worker__plan=plan, status=AppealStatus.FILED).exists():
                wrong.append(f"plan {plan.pk} published with an appeal waiting")
        if plan.status in (PlanStatus.SCORING, PlanStatus.PUBLISHED):
            if plan.appeals_until is None:
                wrong.append(f"plan {plan.pk} scored without an appeal period")
            if services.stale_since_scored(plan):
                continue
            indicators = list(plan.indicators.all())
            values = scoring.indicator_values(plan, indicators)
            weights = scoring.weights_of(indicators)
            scores = {}
            for line in workers:
                mine = {pk: v[line.pk] for pk, v in values.items() if line.pk in v}
                scores[line.pk] = scoring.score_of(weights, mine)
                if line.score != scores[line.pk]:
                    wrong.append(f"line {line.pk}: {line.score} kept, {scores[line.pk]} recounted")
            ranks = scoring.ranks(scores)
            for line in workers:
                if line.rank_in_plan != ranks[line.pk]:
                    wrong.append(f"line {line.pk}: rank {line.rank_in_plan}, {ranks[line.pk]}")
    for appeal in Appeal.objects.exclude(status=AppealStatus.FILED):
        if not appeal.answer or appeal.answered_at is None:
            wrong.append(f"appeal {appeal.pk} answered without an answer or a time")
    return wrong


def _cast(request):
    tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")
    cast = build_cast(tree, people, request.getfixturevalue("make_user"))
    return tree, cast


def _line(plan, who):
    line = plan.workers.filter(worker=who).first()
    if line is None:
        raise Conflict("not in scope")
    return line


def _entry(actor, plan, who, value):
    line = _line(plan, who)
    return services.save_entry(
        actor=actor,
        plan_worker=line,
        indicator=plan.indicators.order_by("position")[0],
        value=value,
    )


def _publish(actor, plan):
    later = (plan.appeals_until or timezone.now()) + dt.timedelta(minutes=1)
    return services.publish_plan(actor=actor, plan=plan, now=later)


def walk_plans(request) -> Walk:
    tree, cast = _cast(request)
    years = itertools.count(2000)

    def start():
        plan = services.create_plan(actor=cast.carol, unit=tree.street_a, year=next(years))
        services.save_indicators(actor=cast.carol, plan=plan, rows=ENTERED_ONLY)
        return plan

    steps = {
        "open": lambda a, p: services.open_plan(actor=a, plan=p),
        "score": lambda a, p: services.score_plan(actor=a, plan=p),
        "rescore": lambda a, p: services.rescore_plan(actor=a, plan=p),
        "publish": _publish,
        "publish_early": lambda a, p: services.publish_plan(actor=a, plan=p),
        "entry": lambda a, p: _entry(a, p, cast.alice, 70),
        "entry_bob": lambda a, p: _entry(a, p, cast.bob, 95),
        "appeal": lambda a, p: services.file_appeal(
            actor=a, plan_worker=_line(p, cast.alice), reason="加分漏算"
        ),
        "reweigh": lambda a, p: services.save_indicators(actor=a, plan=p, rows=ENTERED_ONLY[:1]),
    }
    people = {"carol": cast.carol, "sam": cast.sam, "alice": cast.alice, "bert": cast.bert}
    people["dave"] = cast.dave
    return Walk(start=start, steps=steps, people=people, recount=_consistent)


def walk_appeals(request) -> Walk:
    tree, cast = _cast(request)
    years = itertools.count(2000)

    def start():
        plan = services.create_plan(actor=cast.carol, unit=tree.street_a, year=next(years))
        services.save_indicators(actor=cast.carol, plan=plan, rows=ENTERED_ONLY)
        services.open_plan(actor=cast.carol, plan=plan)
        services.score_plan(actor=cast.carol, plan=plan)
        return services.file_appeal(
            actor=cast.alice, plan_worker=plan.workers.get(worker=cast.alice), reason="漏算"
        )

    def publish(actor, appeal):
        return _publish(actor, Plan.objects.get(pk=appeal.plan_worker.plan_id))

    def correct(actor, appeal):
        plan = Plan.objects.get(pk=appeal.plan_worker.plan_id)
        _entry(actor, plan, cast.alice, 90)
        return services.rescore_plan(actor=actor, plan=plan)

    steps = {
        "uphold": lambda a, x: services.answer_appeal(
            actor=a, appeal=x, uphold=True, answer="属实"
        ),
        "dismiss": lambda a, x: services.answer_appeal(
            actor=a, appeal=x, uphold=False, answer="已核实无误"
        ),
        "uphold_silent": lambda a, x: services.answer_appeal(
            actor=a, appeal=x, uphold=True, answer=""
        ),
        "correct": correct,
        "publish": publish,
    }
    people = {"carol": cast.carol, "alice": cast.alice, "bob": cast.bob, "bert": cast.bert}
    return Walk(start=start, steps=steps, people=people, recount=_consistent)


WALKS = {
    "assessment.Plan": walk_plans,
    "assessment.Appeal": walk_appeals,
    **walks_quiz.WALKS,
}
