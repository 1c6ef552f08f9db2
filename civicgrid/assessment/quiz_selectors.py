"""Reads of the knowledge test (测). Each takes the acting user and answers what they may see,
an object outside it exactly like a missing one (Http404):

- the bank of a unit, a question, a plan's quiz and its results: to the assessors of that unit
  (street or district staff there or above, `roles.ASSESSOR_ROLES`), through `org.scoping`;
- a paper: to the worker it was issued to (and, read-only, to the plan's assessors).
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from civicgrid.assessment.models import Paper, PaperStatus, Plan, Question, Quiz
from civicgrid.assessment.quiz import is_assessor_at
from civicgrid.org import selectors as org_selectors
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import scope
from civicgrid.org.selectors import code_prefixes


def bank_unit(user: Any, code: str) -> OrgUnit:
    """The unit whose bank the user keeps (an assessor there or above); 404 otherwise."""
    unit = org_selectors.unit_for(user, code)
    if not is_assessor_at(user, unit.code):
        raise Http404
    return unit


def bank_of(user: Any, unit: OrgUnit) -> QuerySet[Question]:
    """The questions a quiz at `unit` may draw from: the unit's own bank and the banks of the
    units above it (a district's questions serve its streets). Assessors of `unit` only."""
    if not is_assessor_at(user, unit.code):
        return Question.objects.none()
    return Question.objects.filter(unit_code__in=code_prefixes(unit.code)).select_related("unit")


def question_for(user: Any, pk: int) -> Question:
    """A question the user may change: of a bank where they assess."""
    question = scope(Question.objects.select_related("unit"), user).filter(pk=pk).first()
    if question is None or not is_assessor_at(user, question.unit_code):
        raise Http404
    return question


def plan_for_quiz(user: Any, pk: int) -> Plan:
    """A plan the user assesses (its unit or above); 404 otherwise."""
    plan = scope(Plan.objects.select_related("unit"), user).filter(pk=pk).first()
    if plan is None or not is_assessor_at(user, plan.unit_code):
        raise Http404
    return plan


def quiz_of(plan: Plan) -> Quiz | None:
    return plan.quizzes.order_by("pk").first()


def quiz_for(user: Any, pk: int) -> Quiz:
    quiz = Quiz.objects.select_related("plan", "plan__unit").filter(pk=pk).first()
    if quiz is None or not is_assessor_at(user, quiz.plan.unit_code):
        raise Http404
    # The plan must also lie in the user's scope (a superuser's, or under their postings).
    if not scope(Plan.objects.filter(pk=quiz.plan_id), user).exists():
        raise Http404
    return quiz


def results(user: Any, quiz: Quiz) -> QuerySet[Paper]:
    """Every paper of the quiz with its worker and community, by community then name."""
    if not is_assessor_at(user, quiz.plan.unit_code):
        return Paper.objects.none()
    return quiz.papers.select_related("plan_worker__worker", "plan_worker__community").order_by(
        "plan_worker__community_code", "plan_worker__worker__username", "pk"
    )


_PAPER = ("quiz", "quiz__plan", "plan_worker", "plan_worker__plan", "plan_worker__worker")


def papers_of(user: Any) -> QuerySet[Paper]:
    """The user's own papers, the newest quiz first."""
    if not getattr(user, "is_authenticated", False):
        return Paper.objects.none()
    return (
        Paper.objects.filter(plan_worker__worker=user)
        .select_related(*_PAPER)
        .order_by("-quiz__opens_at", "-pk")
    )


def open_papers_of(user: Any, now: dt.datetime) -> QuerySet[Paper]:
    """The user's papers still to take or in progress, in quizzes not yet closed."""
    return papers_of(user).filter(
        status__in=[PaperStatus.ISSUED, PaperStatus.STARTED], quiz__closes_at__gt=now
    )


def paper_for(user: Any, pk: int) -> Paper:
    """The user's own paper; any other paper answers 404 (even to its assessors: they read it
    through `paper_for_assessor`)."""
    paper = papers_of(user).filter(pk=pk).first()
    if paper is None:
        raise Http404
    return paper


def paper_for_assessor(user: Any, pk: int) -> Paper:
    paper = Paper.objects.select_related(*_PAPER).filter(pk=pk).first()
    if paper is None or not is_assessor_at(user, paper.quiz.plan.unit_code):
        raise Http404
    if not scope(Plan.objects.filter(pk=paper.quiz.plan_id), user).exists():
        raise Http404
    return paper
