"""Pages of the knowledge test (测): the bank of a unit (list by topic, add, edit, import from
Excel), a plan's quiz (set up, issue, results), and a worker's paper on the phone (start page,
the questions with each answer saved as it changes, hand-in, result). Thin views: parse, call
a service or a selector, render; a refused step shows its message, never a 500."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.assessment import quiz, quiz_selectors
from civicgrid.assessment.models import (
    Paper,
    PaperStatus,
    PlanStatus,
    Question,
    QuestionKind,
    Quiz,
    Topic,
)
from civicgrid.core.errors import CivicgridError, InvalidInput
from civicgrid.core.forms import parse_int

PAGE_SIZE = 50
OPTION_ROWS = 6


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---- the bank --------------------------------------------------------------------------------


@login_required
@require_GET
def bank(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's bank with the banks above it, by topic, with how many questions each topic
    holds (in use / all)."""
    user = request.user
    unit = quiz_selectors.bank_unit(user, code)
    questions = quiz_selectors.bank_of(user, unit)
    topic = request.GET.get("topic", "")
    topic = topic if topic in Topic.values else ""
    counts = quiz.bank_counts(questions)
    listed = questions.filter(topic=topic) if topic else questions
    page = Paginator(listed.order_by("topic", "-active", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "question": q,
            "editable": quiz.is_assessor_at(user, q.unit_code) and q.unit_code == unit.code,
            "options": [
                (
                    "" if q.kind == QuestionKind.TRUE_FALSE else quiz.LETTERS[i],
                    option,
                    i in q.answer,
                )
                for i, option in enumerate(q.options)
            ],
        }
        for q in page.object_list
    ]
    context = {
        "unit": unit,
        "page": page,
        "rows": rows,
        "topic": topic,
        "topics": [(value, label, counts[value]) for value, label in Topic.choices],
        "total": sum(c["all"] for c in counts.values()),
        "active_total": sum(c["active"] for c in counts.values()),
    }
    return render(request, "assessment/quiz_bank.html", context)


def _question_data(post: Any) -> quiz.QuestionData:
    return quiz.QuestionData(
        topic=post.get("topic", ""),
        kind=post.get("kind", ""),
        text=post.get("text", ""),
        options=[post.get(f"option-{i}", "") for i in range(quiz.MAX_OPTIONS)],
        answer=[value for value in post.getlist("answer") if value.isdigit()],
        explanation=post.get("explanation", ""),
        active=post.get("active", "on") == "on",
    )


def _question_form(
    request: HttpRequest,
    unit: Any,
    question: Question | None,
    error: CivicgridError | None,
    status: int = 200,
) -> HttpResponse:
    if request.method == "POST":
        post = request.POST
        options = [post.get(f"option-{i}", "") for i in range(OPTION_ROWS)]
        answer = {int(v) for v in post.getlist("answer") if v.isdigit()}
        values = {
            "topic": post.get("topic", ""),
            "kind": post.get("kind", ""),
            "text": post.get("text", ""),
            "explanation": post.get("explanation", ""),
            "active": post.get("active", "on") == "on",
        }
    elif question is not None:
        options = (list(question.options) + [""] * OPTION_ROWS)[:OPTION_ROWS]
        if question.kind == QuestionKind.TRUE_FALSE:
            options = [""] * OPTION_ROWS
        answer = set(question.answer)
        values = {
            "topic": question.topic,
            "kind": question.kind,
            "text": question.text,
            "explanation": question.explanation,
            "active": question.active,
        }
    else:
        options, answer = [""] * OPTION_ROWS, set()
        values = {"topic": "", "kind": QuestionKind.SINGLE, "text": "", "explanation": ""}
        values["active"] = True
    context = {
        "unit": unit,
        "question": question,
        "error": error,
        "values": values,
        "topics": Topic.choices,
        "kinds": QuestionKind.choices,
        "option_rows": [
            {"index": i, "letter": quiz.LETTERS[i], "text": text, "right": i in answer}
            for i, text in enumerate(options)
        ],
        "tf_answer": next(iter(answer), None)
        if values["kind"] == QuestionKind.TRUE_FALSE
        else None,
        "asked": question is not None and quiz.was_asked(question),
    }
    return render(request, "assessment/quiz_question_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def question_new(request: HttpRequest, code: str) -> HttpResponse:
    unit = quiz_selectors.bank_unit(request.user, code)
    if request.method == "POST":
        try:
            quiz.add_question(actor=request.user, unit=unit, data=_posted_question(request))
        except CivicgridError as exc:
            return _question_form(request, unit, None, exc, status=exc.status)
        messages.success(request, _("Question added to the bank."))
        if request.POST.get("again"):
            return redirect("assessment:quiz_question_new", code=unit.code)
        return redirect("assessment:quiz_bank", code=unit.code)
    return _question_form(request, unit, None, None)


def _posted_question(request: HttpRequest) -> quiz.QuestionData:
    data = _question_data(request.POST)
    if data.kind == QuestionKind.TRUE_FALSE:
        chosen = request.POST.get("tf_answer", "")
        data.answer = [int(chosen)] if chosen in ("0", "1") else []
    return data


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = quiz_selectors.question_for(request.user, pk)
    unit = question.unit
    if request.method == "POST":
        try:
            quiz.edit_question(
                actor=request.user, question=question, data=_posted_question(request)
            )
        except CivicgridError as exc:
            return _question_form(request, unit, question, exc, status=exc.status)
        messages.success(request, _("Question saved."))
        return redirect("assessment:quiz_bank", code=unit.code)
    return _question_form(request, unit, question, None)


@login_required
@require_GET
def bank_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(quiz.template(), "civicgrid-question-bank-template.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def bank_import(request: HttpRequest, code: str) -> HttpResponse:
    """Import questions from an .xlsx: all or nothing; every bad row listed with its reason."""
    unit = quiz_selectors.bank_unit(request.user, code)
    error: CivicgridError | None = None
    rows: list[dict[str, Any]] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise InvalidInput(_("Choose an .xlsx file."), field="file")
            if (upload.size or 0) > quiz.IMPORT_MAX_BYTES:
                raise InvalidInput(
                    _("The file is larger than %(mb)d MB.")
                    % {"mb": quiz.IMPORT_MAX_BYTES // (1024 * 1024)},
                    field="file",
                )
            made = quiz.import_bank(actor=request.user, unit=unit, data=upload.read())
        except quiz.ImportRejected as exc:
            error, rows = exc, exc.errors
        except CivicgridError as exc:
            error = exc
        else:
            messages.success(
                request, _("%(n)d questions imported into the bank.") % {"n": len(made)}
            )
            return redirect("assessment:quiz_bank", code=unit.code)
    context = {
        "unit": unit,
        "error": error,
        "rows": rows,
        "max_rows": quiz.IMPORT_MAX_ROWS,
        "max_mb": quiz.IMPORT_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "assessment/quiz_import.html", context, status=400 if error else 200)


# ---- a plan's quiz ---------------------------------------------------------------------------


def _moment(value: str | None, field: str) -> dt.datetime:
    """A local date and time from an <input type=datetime-local> (2025-12-10T09:00)."""
    try:
        moment = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise InvalidInput(_("Give a date and time like 2025-12-10 09:00."), field=field) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _posted_quiz(request: HttpRequest) -> quiz.QuizData:
    post = request.POST
    return quiz.QuizData(
        title=post.get("title", ""),
        quotas={topic: post.get(f"quota-{topic}", "") or 0 for topic in Topic.values},
        minutes=parse_int(post.get("minutes"), "minutes"),
        opens_at=_moment(post.get("opens_at"), "opens_at"),
        closes_at=_moment(post.get("closes_at"), "closes_at"),
    )


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, plan_pk: int) -> HttpResponse:
    """The plan's test: set it up (or change it until the papers are issued), issue papers."""
    user = request.user
    plan = quiz_selectors.plan_for_quiz(user, plan_pk)
    current = quiz_selectors.quiz_of(plan)
    error: CivicgridError | None = None
    if request.method == "POST":
        try:
            data = _posted_quiz(request)
            if current is None:
                current = quiz.create_quiz(actor=user, plan=plan, data=data)
                messages.success(request, _("The test is set up."))
            else:
                quiz.edit_quiz(actor=user, quiz=current, data=data)
                messages.success(request, _("The test is saved."))
        except CivicgridError as exc:
            error = exc
        else:
            return redirect("assessment:quiz_setup", plan_pk=plan.pk)
    pools = quiz.active_pools(plan.unit_code)
    issued = current.papers.count() if current else 0
    values: dict[str, Any]
    quotas: dict[str, Any]
    if request.method == "POST":
        post = request.POST
        values = {
            "title": post.get("title", ""),
            "minutes": post.get("minutes", ""),
            "opens_at": post.get("opens_at", ""),
            "closes_at": post.get("closes_at", ""),
        }
        quotas = {t: post.get(f"quota-{t}", "") for t in Topic.values}
    elif current is not None:
        values = {
            "title": current.title,
            "minutes": current.minutes,
            "opens_at": _local(current.opens_at),
            "closes_at": _local(current.closes_at),
        }
        quotas = {t: current.quotas.get(t, 0) for t in Topic.values}
    else:
        values = {"title": _("Required knowledge test"), "minutes": 30}
        values |= {"opens_at": "", "closes_at": ""}
        quotas = {t: min(4, len(pools[t])) for t in Topic.values}
    context = {
        "plan": plan,
        "quiz": current,
        "issued": issued,
        "workers": plan.workers.count(),
        "error": error,
        "values": values,
        "topics": [
            {"value": value, "label": label, "pool": len(pools[value]), "quota": quotas[value]}
            for value, label in Topic.choices
        ],
        "editable": plan.status != PlanStatus.PUBLISHED and not issued,
        "may_issue": current is not None
        and plan.status not in (PlanStatus.DRAFT, PlanStatus.PUBLISHED)
        and issued < plan.workers.count()
        and timezone.now() < current.closes_at,
        "bank_code": plan.unit_code,
    }
    status = error.status if error else 200
    return render(request, "assessment/quiz_setup.html", context, status=status)


@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    test = quiz_selectors.quiz_for(request.user, pk)
    try:
        count = quiz.issue_papers(actor=request.user, quiz=test)
    except CivicgridError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)d papers issued.") % {"n": count})
    return redirect("assessment:quiz_setup", plan_pk=test.plan_id)


def _topic_rates(papers: list[Paper]) -> list[dict[str, Any]]:
    """Per topic over the marked papers: right answers ÷ questions asked."""
    rows = []
    for value, label in Topic.choices:
        right = asked = 0
        for paper in papers:
            if paper.status in quiz.ENDED and value in paper.by_topic:
                right += paper.by_topic[value][0]
                asked += paper.by_topic[value][1]
        if asked:
            rows.append(
                {
                    "topic": value,
                    "label": label,
                    "right": right,
                    "asked": asked,
                    "percent": quiz.percent(right, asked),
                }
            )
    return rows


def _average(scores: list[Decimal]) -> Decimal | None:
    if not scores:
        return None
    return (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@login_required
@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """Every worker's paper: status, score, right answers per topic; and per topic overall."""
    test = quiz_selectors.quiz_for(request.user, pk)
    papers = list(quiz_selectors.results(request.user, test))
    for one in papers:
        one.status_label = quiz.status_label(one.status)  # type: ignore[attr-defined]
    topics = [(value, label) for value, label in Topic.choices if value in test.quotas]
    rows = [
        {
            "paper": paper,
            "topics": [(label, paper.by_topic.get(value)) for value, label in topics],
        }
        for paper in papers
    ]
    marked = [p for p in papers if p.status in quiz.ENDED]
    context = {
        "quiz": test,
        "plan": test.plan,
        "rows": rows,
        "topics": topics,
        "topic_rates": _topic_rates(papers),
        "counts": {
            status: sum(p.status == status for p in papers) for status in PaperStatus.values
        },
        "average": _average([p.score for p in marked if p.score is not None]),
    }
    return render(request, "assessment/quiz_results.html", context)


# ---- the worker's paper ----------------------------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The user's papers: the open ones first."""
    papers = list(quiz_selectors.papers_of(request.user)[:50])
    for one in papers:
        one.status_label = quiz.status_label(one.status)  # type: ignore[attr-defined]
    return render(request, "assessment/quiz_mine.html", {"papers": papers, "now": timezone.now()})


@login_required
@require_GET
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    """The worker's paper: the start page before it starts, the questions while it runs, the
    result once handed in or closed (a paper past its time is closed on opening)."""
    now = timezone.now()
    own = quiz.expire_if_due(quiz_selectors.paper_for(request.user, pk), now)
    test: Quiz = own.quiz
    own.status_label = quiz.status_label(own.status)  # type: ignore[attr-defined]
    context: dict[str, Any] = {"paper": own, "quiz": test, "now": now}
    if own.status == PaperStatus.ISSUED:
        context |= {
            "count": len(own.questions),
            "window_error": quiz._window_error(test, now),
            "topics": [(Topic(t).label, n) for t, n in test.quotas.items()],
        }
        return render(request, "assessment/quiz_start.html", context)
    shown = quiz.paper_questions(own, now)
    if own.status == PaperStatus.STARTED:
        assert own.due_at is not None
        context |= {
            "shown": shown,
            "answered": sum(bool(s.chosen) for s in shown),
            "seconds_left": max(0, int((own.due_at - now).total_seconds())),
        }
        return render(request, "assessment/quiz_paper.html", context)
    context |= {
        "shown": shown,
        "reveal": quiz.answers_shown(test, now),
        "by_topic": [
            {"label": Topic(t).label, "right": r, "asked": a, "percent": quiz.percent(r, a)}
            for t, (r, a) in own.by_topic.items()
        ],
        "right": sum(r for r, _a in own.by_topic.values()),
    }
    return render(request, "assessment/quiz_result.html", context)


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    own = quiz_selectors.paper_for(request.user, pk)
    try:
        quiz.start_paper(actor=request.user, paper=own)
    except CivicgridError as exc:
        messages.error(request, exc.message)
    return redirect("assessment:quiz_paper", pk=own.pk)


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """One answer, saved as it changes (htmx posts the form with the question's id): answers
    with the little "saved" note; past the time, sends the page to the result."""
    own = quiz_selectors.paper_for(request.user, pk)
    htmx = bool(request.headers.get("HX-Request"))
    question_id = parse_int(request.POST.get("question"), "question")
    try:
        saved = quiz.save_answer(
            actor=request.user,
            paper=own,
            question_id=question_id,
            chosen=request.POST.getlist(f"q-{question_id}"),
        )
    except CivicgridError as exc:
        if not htmx:
            raise
        if exc.status == 409:
            messages.error(request, exc.message)
            response = HttpResponse(status=200)
            response["HX-Redirect"] = reverse("assessment:quiz_paper", args=[own.pk])
            return response
        return render(request, "assessment/_quiz_saved.html", {"error": exc.message}, status=200)
    if not htmx:
        return redirect("assessment:quiz_paper", pk=own.pk)
    return render(request, "assessment/_quiz_saved.html", {"saved": saved})


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand in: the answers sent with the page are saved first (a page without JavaScript
    sends them all here), then the paper is marked."""
    own = quiz_selectors.paper_for(request.user, pk)
    now = timezone.now()
    posted: dict[int, list[str]] = {}
    for pk_ in own.questions:
        chosen = request.POST.getlist(f"q-{pk_}")
        if chosen:
            posted[pk_] = chosen
    try:
        quiz.save_answers(actor=request.user, paper=own, answers=posted, now=now)
        quiz.submit_paper(actor=request.user, paper=Paper.objects.get(pk=own.pk), now=now)
    except CivicgridError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Handed in. Your score is below."))
    return redirect("assessment:quiz_paper", pk=own.pk)
