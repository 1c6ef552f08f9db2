"""Query counts of the knowledge test's list pages, pinned: the same with few rows as with
many, so an N+1 (a query per question, per paper, per worker) breaks a pin."""

import pytest

from civicgrid.assessment import quiz
from civicgrid.assessment.models import Paper, PlanWorker, Question
from civicgrid.assessment.tests.quiz_kit import NOW, bank, setup
from civicgrid.org.roles import Role

pytestmark = pytest.mark.django_db


def test_the_bank_costs_the_same_for_few_questions_as_for_many(client, tree, people, pinned):
    bank(tree.street_a, per_topic=1)
    bank(tree.district, per_topic=1)  # the district's bank, shared
    client.force_login(people["carol"])
    pages = {
        f"/assessment/quiz/bank/{tree.street_a.code}/": 9,
        f"/assessment/quiz/bank/{tree.street_a.code}/?topic=policy": 9,
    }
    pinned(pages)
    bank(tree.street_a, per_topic=6)
    bank(tree.district, per_topic=2)
    bodies = pinned(pages)
    assert bodies[f"/assessment/quiz/bank/{tree.street_a.code}/"].count("data-question=") == 50
    assert Question.objects.count() == 50


def test_results_and_my_tests_cost_the_same_for_two_workers_as_for_eight(
    client, tree, people, make_user, pinned
):
    s = setup(tree, people)
    pages = {f"/assessment/quiz/{s.quiz.pk}/results/": 8}
    mine = {"/assessment/quiz/": 5}
    client.force_login(s.staff)
    pinned(pages)
    client.force_login(s.alice)
    pinned(mine)
    for i in range(6):
        worker = make_user(f"worker{i}", unit=tree.grid_a1_1, role=Role.GRID_WORKER)
        PlanWorker.objects.create(
            plan=s.plan, worker=worker, community=tree.community_a1, grid_codes=[]
        )
    quiz.issue_papers(actor=s.staff, quiz=s.quiz, now=NOW)
    assert Paper.objects.count() == 8
    client.force_login(s.staff)
    body = pinned(pages)[f"/assessment/quiz/{s.quiz.pk}/results/"]
    assert body.count("data-worker=") == 8
    client.force_login(s.alice)
    pinned(mine)
