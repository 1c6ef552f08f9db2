"""Small fixtures of the knowledge-test tests: a running plan of street A with its two grid
workers (alice, bob), a bank of the street's questions, a quiz open now and its papers.
Plans and workers are made directly with the models (the plan's services are another part)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from civicgrid.assessment import quiz
from civicgrid.assessment.models import (
    Paper,
    Plan,
    PlanStatus,
    PlanWorker,
    Question,
    QuestionKind,
    Quiz,
    Topic,
)
from civicgrid.org.roles import Role

NOW = timezone.make_aware(dt.datetime(2025, 12, 10, 9, 0))


def question(unit, topic: str = Topic.BASIC_DATA, kind: str = QuestionKind.SINGLE, **fields):
    """A question of `unit`'s bank; single choice by default with option A right."""
    options = {
        QuestionKind.SINGLE: ["甲", "乙", "丙", "丁"],
        QuestionKind.MULTIPLE: ["甲", "乙", "丙", "丁"],
        QuestionKind.TRUE_FALSE: [],
    }[kind]
    answer = {QuestionKind.MULTIPLE: [0, 2]}.get(kind, [0])
    data = quiz.QuestionData(
        topic=topic,
        kind=kind,
        text=fields.pop("text", f"题目{Question.objects.count() + 1}"),
        options=fields.pop("options", options),
        answer=fields.pop("answer", answer),
    )
    return Question.objects.create(unit=unit, created_at=NOW, **quiz.clean_question(data))


def bank(unit, per_topic: int = 3) -> list[Question]:
    """`per_topic` questions of each topic: a single, a multiple and a true/false in turn."""
    kinds = [QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE]
    return [question(unit, topic, kinds[i % 3]) for topic in Topic.values for i in range(per_topic)]


@dataclass
class Setup:
    plan: Plan
    quiz: Quiz
    staff: Any  # carol, street staff of A: an assessor
    alice: Any
    bob: Any
    line_alice: PlanWorker
    line_bob: PlanWorker

    def paper(self, who: str = "alice") -> Paper:
        line = self.line_alice if who == "alice" else self.line_bob
        return Paper.objects.get(quiz=self.quiz, plan_worker=line)


def running_plan(tree, people, *, status: str = PlanStatus.RUNNING) -> Plan:
    plan = Plan.objects.create(
        unit=tree.street_a, title="2025年度网格员考核", year=2025, status=status, created_at=NOW
    )
    for name, grid in (("alice", tree.grid_a1_1), ("bob", tree.grid_a1_2)):
        PlanWorker.objects.create(
            plan=plan, worker=people[name], community=tree.community_a1, grid_codes=[grid.code]
        )
    return plan


def quiz_data(**changes) -> quiz.QuizData:
    fields = {
        "title": "应知应会测试",
        "quotas": {topic: 2 for topic in Topic.values},
        "minutes": 30,
        "opens_at": NOW - dt.timedelta(hours=1),
        "closes_at": NOW + dt.timedelta(days=1),
    }
    fields.update(changes)
    return quiz.QuizData(**fields)


def setup(tree, people, *, issue: bool = True, **changes) -> Setup:
    """A running plan of street A, a bank of 3 questions per topic, a 10-question quiz open
    from an hour before NOW to a day after, papers issued to alice and bob."""
    bank(tree.street_a)
    plan = running_plan(tree, people)
    staff = people["carol"]
    made = quiz.create_quiz(actor=staff, plan=plan, data=quiz_data(**changes))
    if issue:
        quiz.issue_papers(actor=staff, quiz=made, now=NOW)
    lines = {line.worker.username: line for line in plan.workers.select_related("worker")}
    return Setup(plan, made, staff, people["alice"], people["bob"], lines["alice"], lines["bob"])


def other_street_staff(tree, make_user):
    return make_user("sam", unit=tree.street_b, role=Role.STREET_STAFF)
