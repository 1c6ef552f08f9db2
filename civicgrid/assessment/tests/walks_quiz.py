"""The paper machine (workflow.PAPERS) for the shared workflow property test
(civicgrid/tests/test_workflows.py): start, answers, hand-in and the clock, tried by the
paper's worker, another worker, the street's assessor, another street's staff and a user
with no posting. Every marked paper's score must equal a recount of its saved answers.

The lead merges `WALKS` into the app's tests/walks.py."""

import datetime as dt

from civicgrid.assessment import quiz
from civicgrid.assessment.models import Paper, Plan, PlanWorker, Question
from civicgrid.assessment.tests.quiz_kit import NOW, bank, quiz_data
from civicgrid.org.roles import Role
from civicgrid.tests.walking import Walk

MINUTE = dt.timedelta(minutes=1)


def _recount() -> list[str]:
    wrong = []
    for paper in Paper.objects.filter(status__in=list(quiz.ENDED)):
        asked = Question.objects.in_bulk(paper.questions)
        right = sum(quiz.is_right(asked[a.question_id], a.chosen) for a in paper.answers.all())
        if paper.score != quiz.percent(right, len(paper.questions)):
            wrong.append(f"paper {paper.pk}: {paper.score}, recounted {right}")
        if sum(asked for _right, asked in paper.by_topic.values()) != len(paper.questions):
            wrong.append(f"paper {paper.pk}: by_topic does not count its questions")
    for paper in Paper.objects.exclude(status__in=list(quiz.ENDED)):
        if paper.score is not None:
            wrong.append(f"paper {paper.pk} is {paper.status} with a score")
    return wrong


def walk_papers(request) -> Walk:
    tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")
    make_user = request.getfixturevalue("make_user")
    bank(tree.street_a)
    carol = people["carol"]
    years = iter(range(2000, 2101))

    def start() -> Paper:
        # One quiz per plan and one plan per street and year: a new plan for each paper.
        plan = Plan.objects.create(
            unit=tree.street_a, title="考核", year=next(years), status="running", created_at=NOW
        )
        PlanWorker.objects.create(
            plan=plan,
            worker=people["alice"],
            community=tree.community_a1,
            grid_codes=[tree.grid_a1_1.code],
        )
        test = quiz.create_quiz(actor=carol, plan=plan, data=quiz_data())
        quiz.issue_papers(actor=carol, quiz=test, now=NOW)
        return test.papers.get()

    def answer(actor, paper: Paper, at: dt.datetime) -> object:
        asked = Question.objects.get(pk=paper.questions[0])
        return quiz.save_answer(
            actor=actor, paper=paper, question_id=asked.pk, chosen=asked.answer, now=at
        )

    def due(paper: Paper) -> dt.datetime:
        return paper.due_at or paper.quiz.closes_at

    steps = {
        "start": lambda a, p: quiz.start_paper(actor=a, paper=p, now=NOW),
        "start_late": lambda a, p: quiz.start_paper(actor=a, paper=p, now=p.quiz.closes_at),
        "answer": lambda a, p: answer(a, p, NOW + MINUTE),
        "answer_late": lambda a, p: answer(a, p, due(p)),
        "submit": lambda a, p: quiz.submit_paper(actor=a, paper=p, now=NOW + 2 * MINUTE),
        "submit_late": lambda a, p: quiz.submit_paper(actor=a, paper=p, now=due(p) + MINUTE),
        # The clock takes no actor: before the time it is refused, at the time it closes.
        "expire_early": lambda a, p: quiz.expire_paper(paper=p, now=NOW),
        "expire": lambda a, p: quiz.expire_paper(paper=p, now=due(p)),
        "expire_due": lambda a, p: quiz.expire_due(now=due(p)),
    }
    cast = {
        "alice": people["alice"],  # the paper's worker
        "bob": people["bob"],  # another worker
        "carol": carol,  # the street's assessor
        "sam": make_user("sam", unit=tree.street_b, role=Role.STREET_STAFF),
        "mallory": people["mallory"],
    }
    return Walk(start=start, steps=steps, people=cast, recount=_recount)


WALKS = {"assessment.Paper": walk_papers}
