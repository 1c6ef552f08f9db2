"""The knowledge test in the JSON API (a router the lead mounts, e.g. /api/v1/assessment/quiz):
a worker's own papers (the questions without their answers while the quiz is open), start,
save an answer, hand in; the assessors' results of a quiz. Scoped like the pages: another
worker's paper, or a quiz outside the caller's assessments, answers 404."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from civicgrid.assessment import quiz, quiz_selectors
from civicgrid.assessment.models import Paper
from civicgrid.core.api import ERRORS

router = Router(tags=["assessment quiz"])


class QuestionOut(Schema):
    id: int
    number: int
    topic: str
    kind: str
    text: str
    options: list[str]
    chosen: list[int]
    # Only once the paper is handed in and the quiz has closed (correct, answer, explanation).
    correct: bool | None = None
    answer: list[int] | None = None
    explanation: str | None = None


class PaperOut(Schema):
    id: int
    quiz: int
    title: str
    status: str
    version: int
    minutes: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    submitted_at: dt.datetime | None
    seconds_left: int | None
    score: Decimal | None
    by_topic: dict[str, list[int]]
    questions: list[QuestionOut]


class PaperListOut(Schema):
    id: int
    quiz: int
    title: str
    status: str
    closes_at: dt.datetime
    score: Decimal | None


class AnswerIn(Schema):
    chosen: list[int]


class AnswerOut(Schema):
    question: int
    chosen: list[int]
    saved_at: dt.datetime


class SubmitIn(Schema):
    version: int | None = None


class ResultOut(Schema):
    paper: int
    worker: int
    worker_name: str
    community: str
    status: str
    score: Decimal | None
    by_topic: dict[str, list[int]]


class ResultsOut(Schema):
    quiz: int
    title: str
    quotas: dict[str, int]
    results: list[ResultOut]


def _paper(paper: Paper, now: dt.datetime) -> dict[str, Any]:
    """The paper as its worker sees it: the questions in order with their saved choices; the
    questions' answers only once the quiz has closed and this paper is marked."""
    test = paper.quiz
    shown = quiz.paper_questions(paper, now) if paper.status != "issued" else []
    left = None
    if paper.status == "started" and paper.due_at is not None:
        left = max(0, int((paper.due_at - now).total_seconds()))
    return {
        "id": paper.pk,
        "quiz": test.pk,
        "title": test.title,
        "status": paper.status,
        "version": paper.version,
        "minutes": test.minutes,
        "opens_at": test.opens_at,
        "closes_at": test.closes_at,
        "started_at": paper.started_at,
        "due_at": paper.due_at,
        "submitted_at": paper.submitted_at,
        "seconds_left": left,
        "score": paper.score,
        "by_topic": paper.by_topic,
        "questions": [
            {
                "id": s.question.pk,
                "number": s.number,
                "topic": s.question.topic,
                "kind": s.question.kind,
                "text": s.question.text,
                "options": s.question.options,
                "chosen": s.chosen,
                "correct": s.correct,
                "answer": s.answer,
                "explanation": s.question.explanation if s.answer is not None else None,
            }
            for s in shown
        ],
    }


@router.get("/papers", response={200: list[PaperListOut], **ERRORS})
def my_papers(request: HttpRequest):
    """Your papers, the newest quiz first."""
    return [
        {
            "id": p.pk,
            "quiz": p.quiz_id,
            "title": p.quiz.title,
            "status": p.status,
            "closes_at": p.quiz.closes_at,
            "score": p.score,
        }
        for p in quiz_selectors.papers_of(request.user)[:100]
    ]


@router.get("/papers/{paper_id}", response={200: PaperOut, **ERRORS})
def get_paper(request: HttpRequest, paper_id: int):
    """Your paper; the questions come once it is started (a paper past its time is closed
    and marked first)."""
    now = timezone.now()
    paper = quiz.expire_if_due(quiz_selectors.paper_for(request.user, paper_id), now)
    return _paper(paper, now)


@router.post("/papers/{paper_id}/start", response={200: PaperOut, **ERRORS})
def start_paper(request: HttpRequest, paper_id: int):
    """Start your paper (once, inside the quiz's window): 409 outside it or when started."""
    paper = quiz_selectors.paper_for(request.user, paper_id)
    now = timezone.now()
    quiz.start_paper(actor=request.user, paper=paper, now=now)
    return _paper(quiz_selectors.paper_for(request.user, paper_id), now)


@router.put("/papers/{paper_id}/answers/{question_id}", response={200: AnswerOut, **ERRORS})
def save_answer(request: HttpRequest, paper_id: int, question_id: int, payload: AnswerIn):
    """Save (or replace) your answer to one question: the indices of the chosen options.
    409 once handed in, or after the time (the paper is then closed and marked)."""
    paper = quiz_selectors.paper_for(request.user, paper_id)
    saved = quiz.save_answer(
        actor=request.user, paper=paper, question_id=question_id, chosen=payload.chosen
    )
    return {"question": saved.question_id, "chosen": saved.chosen, "saved_at": saved.saved_at}


@router.post("/papers/{paper_id}/submit", response={200: PaperOut, **ERRORS})
def submit_paper(request: HttpRequest, paper_id: int, payload: SubmitIn):
    """Hand in your paper; it is marked at once (score 0–100 and per topic)."""
    paper = quiz_selectors.paper_for(request.user, paper_id)
    now = timezone.now()
    quiz.submit_paper(actor=request.user, paper=paper, now=now, version=payload.version)
    return _paper(quiz_selectors.paper_for(request.user, paper_id), now)


@router.get("/quizzes/{quiz_id}/results", response={200: ResultsOut, **ERRORS})
def results(request: HttpRequest, quiz_id: int):
    """Every worker's paper of a quiz you assess: status, score and per topic [right, asked]."""
    test = quiz_selectors.quiz_for(request.user, quiz_id)
    return {
        "quiz": test.pk,
        "title": test.title,
        "quotas": test.quotas,
        "results": [
            {
                "paper": p.pk,
                "worker": p.plan_worker.worker_id,
                "worker_name": str(p.plan_worker.worker),
                "community": p.plan_worker.community.name,
                "status": p.status,
                "score": p.score,
                "by_topic": p.by_topic,
            }
            for p in quiz_selectors.results(request.user, test)
        ],
    }
