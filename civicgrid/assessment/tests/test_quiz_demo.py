"""The demo's knowledge test: a real bank on the five topics, a quiz in December of the
plan's year, a paper for every worker, all marked (one closed by the clock), reproducible."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from civicgrid.assessment import quiz, quiz_demo
from civicgrid.assessment.models import PlanWorker, Question, QuestionKind, Topic
from civicgrid.assessment.tests.quiz_kit import running_plan
from civicgrid.org.roles import Role

pytestmark = pytest.mark.django_db


def test_the_demo_quiz(tree, people, make_user):
    plan = running_plan(tree, people)
    for i in range(4):
        worker = make_user(f"worker{i}", unit=tree.grid_a1_1, role=Role.GRID_WORKER)
        PlanWorker.objects.create(plan=plan, worker=worker, community=tree.community_a1)
    now = timezone.make_aware(dt.datetime(2026, 1, 15, 10, 0))
    test = quiz_demo.load(plan, people["carol"], now)

    bank = Question.objects.filter(unit=tree.street_a)
    assert bank.count() >= 40
    for topic in Topic.values:
        kinds = set(bank.filter(topic=topic).values_list("kind", flat=True))
        assert kinds == set(QuestionKind.values), topic
    assert all(q.text.endswith(("？", "。")) for q in bank)
    local = timezone.localtime
    assert (local(test.opens_at).month, local(test.closes_at).month) == (12, 12)
    assert local(test.opens_at).year == plan.year

    papers = list(test.papers.all())
    assert len(papers) == 6
    statuses = sorted(p.status for p in papers)
    assert statuses == ["expired"] + ["submitted"] * 5
    for paper in papers:
        assert quiz.redraw(paper) == paper.questions
        assert test.opens_at <= paper.started_at < paper.due_at <= test.closes_at
        assert sum(asked for _right, asked in paper.by_topic.values()) == 20
    scores = quiz.values(plan)
    assert len(scores) == 6 and all(Decimal(0) <= v <= 100 for v in scores.values())
    assert len(set(scores.values())) > 2  # varied, not all the same
