"""The knowledge test's services: the bank's rules, quizzes and their quotas, the reproducible
draw, timing (explicit `now`, no sleeping), one attempt, marking, expiry and the values the
plan's score reads."""

import datetime as dt
from decimal import Decimal

import pytest

from civicgrid.assessment import quiz
from civicgrid.assessment.models import (
    Paper,
    PaperAnswer,
    PaperStatus,
    PaperStep,
    PlanStatus,
    QuestionKind,
    Topic,
)
from civicgrid.assessment.tests.quiz_kit import (
    NOW,
    bank,
    other_street_staff,
    question,
    quiz_data,
    running_plan,
    setup,
)
from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db
MINUTE = dt.timedelta(minutes=1)


def data(**changes) -> quiz.QuestionData:
    fields = {
        "topic": Topic.DISPUTES,
        "kind": QuestionKind.SINGLE,
        "text": "邻里纠纷首先由谁排查？",
        "options": ["网格员", "法院", "公安"],
        "answer": [0],
    }
    fields.update(changes)
    return quiz.QuestionData(**fields)


# ---- the bank --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"answer": [0, 1]}, "answer"),  # single choice: exactly one right
        ({"answer": []}, "answer"),
        ({"answer": [5]}, "answer"),  # not an option
        ({"options": ["只有一个"]}, "options"),
        ({"options": [str(i) for i in range(9)]}, "options"),
        ({"options": ["同", "同"]}, "options"),
        ({"kind": QuestionKind.MULTIPLE, "answer": []}, "answer"),
        ({"kind": QuestionKind.MULTIPLE, "options": ["甲"], "answer": [0]}, "options"),
        ({"kind": QuestionKind.TRUE_FALSE, "answer": [0, 1]}, "answer"),
        ({"text": "  "}, "text"),
        ({"text": "长" * 501}, "text"),
        ({"options": ["短", "长" * 201]}, "options"),
        ({"topic": "cooking"}, "topic"),
        ({"kind": "essay"}, "kind"),
    ],
)
def test_a_bad_question_is_refused_naming_its_field(tree, people, changes, field):
    with pytest.raises(InvalidInput) as refused:
        quiz.add_question(actor=people["carol"], unit=tree.street_a, data=data(**changes))
    assert refused.value.field == field


def test_good_questions_of_each_kind(tree, people):
    carol = people["carol"]
    single = quiz.add_question(actor=carol, unit=tree.street_a, data=data())
    assert single.options == ["网格员", "法院", "公安"] and single.answer == [0]
    multiple = quiz.add_question(
        actor=carol,
        unit=tree.street_a,
        data=data(kind=QuestionKind.MULTIPLE, options=["甲", "乙", "丙"], answer=[2, 0]),
    )
    assert multiple.answer == [0, 2]
    # True/false always has the two fixed options, whatever was sent.
    true_false = quiz.add_question(
        actor=carol,
        unit=tree.street_a,
        data=data(kind=QuestionKind.TRUE_FALSE, options=["x", "y", "z"], answer=[1]),
    )
    assert true_false.options == ["正确", "错误"] and true_false.answer == [1]


def test_only_assessors_of_the_unit_keep_its_bank(tree, people, make_user):
    for actor in (people["alice"], people["dave"], other_street_staff(tree, make_user)):
        with pytest.raises(NotAllowed):
            quiz.add_question(actor=actor, unit=tree.street_a, data=data())
    # Street staff may not write into the district's bank above them.
    with pytest.raises(NotAllowed):
        quiz.add_question(actor=people["carol"], unit=tree.district, data=data())


def test_a_question_once_asked_can_only_be_taken_out_of_use(tree, people):
    s = setup(tree, people)
    asked = quiz.Question.objects.get(pk=s.paper().questions[0])
    changed = data(topic=asked.topic, kind=asked.kind, text="改过的题目", options=asked.options)
    with pytest.raises(Conflict):
        quiz.edit_question(actor=s.staff, question=asked, data=changed)
    same = quiz.QuestionData(
        topic=asked.topic,
        kind=asked.kind,
        text=asked.text,
        options=asked.options,
        answer=asked.answer,
        active=False,
    )
    assert quiz.edit_question(actor=s.staff, question=asked, data=same).active is False


# ---- the quiz --------------------------------------------------------------------------------


def test_quotas_must_be_satisfiable_by_the_active_bank_at_the_plans_unit(tree, people):
    bank(tree.street_a, per_topic=2)
    bank(tree.street_b, per_topic=5)  # another street's bank: not drawn from
    plan = running_plan(tree, people)
    carol = people["carol"]
    with pytest.raises(InvalidInput) as refused:
        quiz.create_quiz(actor=carol, plan=plan, data=quiz_data(quotas={Topic.POLICY: 3}))
    assert refused.value.field == "quota-policy"
    # The district's bank above the street counts.
    question(tree.district, Topic.POLICY)
    made = quiz.create_quiz(actor=carol, plan=plan, data=quiz_data(quotas={Topic.POLICY: 3}))
    assert made.quotas == {"policy": 3}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quotas": {}}, "quotas"),
        ({"quotas": {"policy": -1}}, "quota-policy"),
        ({"quotas": {"policy": "x"}}, "quota-policy"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 241}, "minutes"),
        ({"closes_at": NOW - dt.timedelta(hours=1)}, "closes_at"),
        ({"title": ""}, "title"),
    ],
)
def test_a_bad_quiz_is_refused(tree, people, changes, field):
    bank(tree.street_a)
    plan = running_plan(tree, people)
    with pytest.raises(InvalidInput) as refused:
        quiz.create_quiz(actor=people["carol"], plan=plan, data=quiz_data(**changes))
    assert refused.value.field == field


def test_one_quiz_per_plan_and_nothing_changes_once_published(tree, people):
    s = setup(tree, people, issue=False)
    with pytest.raises(Conflict):
        quiz.create_quiz(actor=s.staff, plan=s.plan, data=quiz_data())
    s.plan.status = PlanStatus.PUBLISHED
    s.plan.save()
    with pytest.raises(Conflict):
        quiz.edit_quiz(actor=s.staff, quiz=s.quiz, data=quiz_data(minutes=20))
    with pytest.raises(Conflict):
        quiz.issue_papers(actor=s.staff, quiz=s.quiz, now=NOW)


# ---- issuing and the draw ------------------------------------------------------------------


def test_every_worker_gets_a_paper_drawn_by_quota_and_logged(tree, people):
    s = setup(tree, people)
    papers = list(Paper.objects.filter(quiz=s.quiz))
    assert len(papers) == 2
    for paper in papers:
        asked = quiz.Question.objects.in_bulk(paper.questions)
        assert len(paper.questions) == 10 == len(set(paper.questions))
        for topic in Topic.values:
            assert sum(q.topic == topic for q in asked.values()) == 2
        step = PaperStep.objects.get(paper=paper)
        assert (step.action, step.from_status, step.to_status) == ("issue", "", "issued")
        assert step.actor == s.staff and step.details["seed"] == paper.seed
    assert papers[0].seed != papers[1].seed
    # Issuing again issues nothing more; the papers cannot change after.
    assert quiz.issue_papers(actor=s.staff, quiz=s.quiz, now=NOW) == 0
    with pytest.raises(Conflict):
        quiz.edit_quiz(actor=s.staff, quiz=s.quiz, data=quiz_data(minutes=20))


def test_the_draw_is_reproducible_from_the_recorded_seed(tree, people):
    s = setup(tree, people)
    for paper in Paper.objects.filter(quiz=s.quiz):
        assert quiz.redraw(paper) == paper.questions
    # New questions added to the bank later change nothing: the pool drawn from is recorded.
    bank(tree.street_a, per_topic=4)
    paper = s.paper()
    assert quiz.redraw(paper) == paper.questions
    # The pure draw: same seed, same paper; another seed, (almost surely) another paper.
    pools = {topic: list(range(100 * i, 100 * i + 40)) for i, topic in enumerate(Topic.values)}
    quotas = {topic: 5 for topic in Topic.values}
    assert quiz.draw("abc", pools, quotas) == quiz.draw("abc", pools, quotas)
    assert quiz.draw("abc", pools, quotas) != quiz.draw("abd", pools, quotas)


def test_papers_are_issued_only_once_the_plan_runs(tree, people):
    bank(tree.street_a)
    plan = running_plan(tree, people, status=PlanStatus.DRAFT)
    made = quiz.create_quiz(actor=people["carol"], plan=plan, data=quiz_data())
    with pytest.raises(Conflict):
        quiz.issue_papers(actor=people["carol"], quiz=made, now=NOW)
    with pytest.raises(NotAllowed):
        quiz.issue_papers(actor=people["alice"], quiz=made, now=NOW)


# ---- timing and one attempt --------------------------------------------------------------------


def test_start_inside_the_window_sets_the_time_due(tree, people):
    s = setup(tree, people)
    paper = quiz.start_paper(actor=s.alice, paper=s.paper(), now=NOW)
    assert paper.status == "started" and paper.started_at == NOW
    assert paper.due_at == NOW + dt.timedelta(minutes=30)
    # Started near the close, the time due is the close.
    late = NOW + dt.timedelta(days=1) - dt.timedelta(minutes=10)
    paper = quiz.start_paper(actor=s.bob, paper=s.paper("bob"), now=late)
    assert paper.due_at == s.quiz.closes_at


def test_no_start_outside_the_window_or_by_anyone_else(tree, people):
    s = setup(tree, people)
    with pytest.raises(Conflict, match="开放"):
        quiz.start_paper(actor=s.alice, paper=s.paper(), now=s.quiz.opens_at - MINUTE)
    with pytest.raises(Conflict):
        quiz.start_paper(actor=s.alice, paper=s.paper(), now=s.quiz.closes_at)
    for other in (s.bob, s.staff):
        with pytest.raises(NotAllowed):
            quiz.start_paper(actor=other, paper=s.paper(), now=NOW)
    assert s.paper().status == "issued"


def test_one_attempt_no_second_start_and_no_answer_after_hand_in(tree, people):
    s = setup(tree, people)
    paper = quiz.start_paper(actor=s.alice, paper=s.paper(), now=NOW)
    with pytest.raises(Conflict):
        quiz.start_paper(actor=s.alice, paper=paper, now=NOW + MINUTE)
    first = paper.questions[0]
    quiz.save_answer(actor=s.alice, paper=paper, question_id=first, chosen=[0], now=NOW + MINUTE)
    quiz.submit_paper(actor=s.alice, paper=paper, now=NOW + 2 * MINUTE)
    with pytest.raises(Conflict, match="交卷"):
        quiz.save_answer(
            actor=s.alice, paper=paper, question_id=first, chosen=[1], now=NOW + 3 * MINUTE
        )
    with pytest.raises(Conflict):
        quiz.submit_paper(actor=s.alice, paper=s.paper(), now=NOW + 3 * MINUTE)
    with pytest.raises(Conflict):
        quiz.start_paper(actor=s.alice, paper=s.paper(), now=NOW + 3 * MINUTE)
    assert PaperAnswer.objects.get(question_id=first).chosen == [0]


def test_answers_are_saved_as_they_go_once_per_question(tree, people):
    s = setup(tree, people)
    paper = quiz.start_paper(actor=s.alice, paper=s.paper(), now=NOW)
    first = paper.questions[0]
    with pytest.raises(Conflict):  # not started: bob's paper
        quiz.save_answer(actor=s.bob, paper=s.paper("bob"), question_id=first, chosen=[0], now=NOW)
    with pytest.raises(NotAllowed):
        quiz.save_answer(actor=s.bob, paper=paper, question_id=first, chosen=[0], now=NOW)
    for chosen in ([1], [0], [0]):
        quiz.save_answer(actor=s.alice, paper=paper, question_id=first, chosen=chosen, now=NOW)
    assert list(PaperAnswer.objects.values_list("question_id", "chosen")) == [(first, [0])]
    not_on_paper = quiz.Question.objects.exclude(pk__in=paper.questions).first()
    with pytest.raises(InvalidInput):
        quiz.save_answer(
            actor=s.alice, paper=paper, question_id=not_on_paper.pk, chosen=[0], now=NOW
        )
    with pytest.raises(InvalidInput):
        quiz.save_answer(actor=s.alice, paper=paper, question_id=first, chosen=[9], now=NOW)


def test_an_answer_after_the_time_is_refused_and_the_paper_marked_on_saved_answers(tree, people):
    s = setup(tree, people)
    paper = quiz.start_paper(actor=s.alice, paper=s.paper(), now=NOW)
    asked = quiz.Question.objects.in_bulk(paper.questions)
    first, second = paper.questions[:2]
    quiz.save_answer(
        actor=s.alice, paper=paper, question_id=first, chosen=asked[first].answer, now=NOW
    )
    with pytest.raises(Conflict, match="时间已到"):
        quiz.save_answer(
            actor=s.alice,
            paper=paper,
            question_id=second,
            chosen=asked[second].answer,
            now=paper.due_at,
        )
    paper = s.paper()
    assert paper.status == "expired" and paper.score == Decimal("10.00")
    assert not PaperAnswer.objects.filter(question_id=second).exists()
    steps = list(paper.steps.values_list("action", "actor"))
    assert steps[-1] == ("expire", None)


def test_a_hand_in_after_the_time_is_refused_and_closed_by_the_clock(tree, people):
    s = setup(tree, people)
    paper = quiz.start_paper(actor=s.alice, paper=s.paper(), now=NOW)
    with pytest.raises(Conflict, match="时间已到"):
        quiz.submit_paper(actor=s.alice, paper=paper, now=paper.due_at + MINUTE)
    assert s.paper().status == "expired" and s.paper().submitted_at is None


def test_the_clock_marks_started_papers_past_due_and_zeroes_papers_never_started(tree, people):
    s = setup(tree, people)
    paper = quiz.start_paper(actor=s.alice, paper=s.paper(), now=NOW)
    asked = quiz.Question.objects.in_bulk(paper.questions)
    for pk in paper.questions[:3]:
        quiz.save_answer(
            actor=s.alice, paper=paper, question_id=pk, chosen=asked[pk].answer, now=NOW
        )
    # Before its time nothing is closed; the paper never started stays open until the close.
    assert quiz.expire_due(now=paper.due_at - MINUTE) == 0
    with pytest.raises(Conflict):
        quiz.expire_paper(paper=s.paper(), now=paper.due_at - MINUTE)
    assert quiz.expire_due(now=paper.due_at) == 1
    alice = s.paper()
    assert alice.status == "expired" and alice.score == Decimal("30.00")
    assert s.paper("bob").status == "issued"
    assert quiz.expire_due(now=s.quiz.closes_at) == 1
    bob = s.paper("bob")
    assert bob.status == "expired" and bob.score == Decimal("0.00")
    assert bob.by_topic == {topic: [0, 2] for topic in Topic.values}
    assert quiz.values(s.plan) == {s.line_alice.pk: Decimal("30.00"), s.line_bob.pk: 0}


def test_opening_a_paper_past_its_time_closes_it(tree, people):
    s = setup(tree, people)
    paper = quiz.start_paper(actor=s.alice, paper=s.paper(), now=NOW)
    assert quiz.expire_if_due(paper, now=paper.due_at - MINUTE).status == "started"
    assert quiz.expire_if_due(s.paper(), now=paper.due_at).status == "expired"


# ---- marking ---------------------------------------------------------------------------------


def _only(tree, people, kind, **fields):
    """A plan whose quiz asks one question of `kind`; alice's started paper."""
    made = question(tree.street_a, Topic.POLICY, kind, **fields)
    plan = running_plan(tree, people)
    test = quiz.create_quiz(
        actor=people["carol"], plan=plan, data=quiz_data(quotas={Topic.POLICY: 1})
    )
    quiz.issue_papers(actor=people["carol"], quiz=test, now=NOW)
    paper = Paper.objects.get(quiz=test, plan_worker__worker=people["alice"])
    return made, quiz.start_paper(actor=people["alice"], paper=paper, now=NOW)


@pytest.mark.parametrize(
    ("kind", "chosen", "score"),
    [
        (QuestionKind.SINGLE, [0], "100.00"),
        (QuestionKind.SINGLE, [1], "0.00"),
        (QuestionKind.TRUE_FALSE, [0], "100.00"),
        (QuestionKind.TRUE_FALSE, [1], "0.00"),
        # Multiple choice: right only when the chosen set is exactly the answer set (A and C).
        (QuestionKind.MULTIPLE, [0, 2], "100.00"),
        (QuestionKind.MULTIPLE, [2, 0], "100.00"),
        (QuestionKind.MULTIPLE, [0], "0.00"),
        (QuestionKind.MULTIPLE, [0, 1, 2], "0.00"),
        (QuestionKind.MULTIPLE, [], "0.00"),
    ],
)
def test_marking(tree, people, kind, chosen, score):
    made, paper = _only(tree, people, kind)
    quiz.save_answer(
        actor=people["alice"], paper=paper, question_id=made.pk, chosen=chosen, now=NOW
    )
    marked = quiz.submit_paper(actor=people["alice"], paper=paper, now=NOW + MINUTE)
    assert marked.status == "submitted" and marked.score == Decimal(score)
    assert marked.by_topic == {"policy": [1 if score == "100.00" else 0, 1]}
    assert PaperAnswer.objects.get(paper=paper).correct is (score == "100.00")


def test_a_single_choice_takes_one_option_only(tree, people):
    made, paper = _only(tree, people, QuestionKind.SINGLE)
    with pytest.raises(InvalidInput):
        quiz.save_answer(
            actor=people["alice"], paper=paper, question_id=made.pk, chosen=[0, 1], now=NOW
        )


def test_the_score_is_right_over_asked_with_two_decimals_and_per_topic(tree, people):
    s = setup(tree, people, quotas={Topic.BASIC_DATA: 3, Topic.DISPUTES: 3, Topic.POLICY: 3})
    paper = quiz.start_paper(actor=s.alice, paper=s.paper(), now=NOW)
    asked = quiz.Question.objects.in_bulk(paper.questions)
    right = [pk for pk in paper.questions if asked[pk].topic != Topic.POLICY][:4]
    for pk in right:
        quiz.save_answer(
            actor=s.alice, paper=paper, question_id=pk, chosen=asked[pk].answer, now=NOW
        )
    marked = quiz.submit_paper(actor=s.alice, paper=paper, now=NOW + MINUTE)
    assert marked.score == Decimal("44.44")  # 4 of 9
    assert marked.by_topic == {"basic_data": [3, 3], "disputes": [1, 3], "policy": [0, 3]}
    assert quiz.values(s.plan) == {s.line_alice.pk: Decimal("44.44")}


def test_no_change_once_the_plan_is_published(tree, people):
    s = setup(tree, people)
    paper = quiz.start_paper(actor=s.alice, paper=s.paper(), now=NOW)
    s.plan.status = PlanStatus.PUBLISHED
    s.plan.save()
    with pytest.raises(Conflict):
        quiz.save_answer(
            actor=s.alice, paper=paper, question_id=paper.questions[0], chosen=[0], now=NOW
        )
    with pytest.raises(Conflict):
        quiz.submit_paper(actor=s.alice, paper=s.paper(), now=NOW + MINUTE)
    with pytest.raises(Conflict):
        quiz.start_paper(actor=s.bob, paper=s.paper("bob"), now=NOW)
    assert quiz.expire_due(now=s.quiz.closes_at) == 0
    assert {p.status for p in Paper.objects.all()} == {"started", "issued"}


def test_the_periodic_task_closes_papers(tree, people):
    from civicgrid.assessment import tasks

    s = setup(tree, people)  # closed long before the real clock's now
    assert tasks.expire_quiz_papers.call_local() == 2
    assert set(Paper.objects.values_list("status", flat=True)) == {PaperStatus.EXPIRED}
    assert s.paper().score == 0
