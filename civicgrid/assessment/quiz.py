"""测 — the knowledge test: the question bank, quizzes, papers, marking.

Who does what:
- **Assessors** (street or district staff, `roles.ASSESSOR_ROLES`) keep the bank of their unit
  (a district's bank is shared by its streets) and set up the quiz of a plan of their unit or
  below; they issue the papers and read the results.
- **A worker in the plan's scope** starts their own paper once, inside the quiz's window,
  answers (each answer saved as it is given) and hands in; the paper is marked at once.
- **The clock** (`expire_due`, a periodic task, and a check whenever a worker opens a paper)
  closes a started paper past its time, marked on the answers saved by then, and a paper never
  started once the quiz has closed, with 0.

Papers are drawn per topic from the bank with a recorded seed (`draw`): the ISSUE step of each
paper records the seed and the pool drawn from, so anyone can draw it again (`redraw`). Every
paper moves only through `workflow.PAPERS`. Nothing changes once the plan is published.
"""

import contextlib
import datetime as dt
import io
import random
import secrets
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from civicgrid.assessment.models import (
    Paper,
    PaperAction,
    PaperAnswer,
    PaperStatus,
    Plan,
    PlanStatus,
    Question,
    QuestionKind,
    Quiz,
    Topic,
)
from civicgrid.assessment.roles import ASSESSOR_ROLES
from civicgrid.assessment.workflow import PAPERS
from civicgrid.core.cleaning import plain_text
from civicgrid.core.errors import CivicgridError, Conflict, InvalidInput, NotAllowed
from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds
from civicgrid.org.selectors import code_prefixes

# ---- limits ----------------------------------------------------------------------------------

TEXT_LIMIT = 500  # a question
OPTION_LIMIT = 200  # one option
EXPLANATION_LIMIT = 1000
MIN_OPTIONS, MAX_OPTIONS = 2, 8
# The two options of every true/false question, fixed.
TRUE_FALSE_OPTIONS = ["正确", "错误"]
# A quiz: questions per topic and in all.
MAX_PER_TOPIC = 50
MAX_QUESTIONS = 100
# An import: file size and rows.
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 2000
IMPORT_MAX_INFLATED = 40 * 1024 * 1024
LETTERS = "ABCDEFGH"

S = PaperStatus
ENDED = frozenset({S.SUBMITTED, S.EXPIRED})
# A paper's status as its pages name it (the model's labels are shared with other words).
STATUS_LABELS: dict[str, Any] = {
    S.ISSUED: pgettext_lazy("paper", "Not started"),
    S.STARTED: pgettext_lazy("paper", "In progress"),
    S.SUBMITTED: pgettext_lazy("paper", "Handed in"),
    S.EXPIRED: pgettext_lazy("paper", "Time ran out"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def is_assessor_at(actor: Any, code: str) -> bool:
    return holds(actor, code, ASSESSOR_ROLES)


def _require_assessor(actor: Any, code: str) -> None:
    if not is_assessor_at(actor, code):
        raise NotAllowed(_("Only the street or district staff who assess here may do that."))


def _require_open(plan: Plan) -> None:
    if plan.status == PlanStatus.PUBLISHED:
        raise Conflict(
            _("The assessment's result is published and locked: the test can no longer change.")
        )


# ---- the bank --------------------------------------------------------------------------------


@dataclass
class QuestionData:
    topic: str
    kind: str
    text: str
    options: Sequence[str] = ()
    # Indices of the right options (0 = the first).
    answer: Sequence[int] = ()
    explanation: str = ""
    active: bool = True


def _bounded(value: str, field_name: str, limit: int, *, required: str = "") -> str:
    value = plain_text(value or "").strip()
    if required and not value:
        raise InvalidInput(required, field=field_name)
    if len(value) > limit:
        raise InvalidInput(
            _("Keep it under %(limit)d characters.") % {"limit": limit}, field=field_name
        )
    return value


def clean_question(data: QuestionData) -> dict[str, Any]:
    """The question's fields, checked: a topic and a kind of the lists; a text; for a single
    choice 2–8 options with exactly one right; for a multiple choice 2–8 options with at
    least one right; for true/false the two fixed options and one of them right."""
    if data.topic not in Topic.values:
        raise InvalidInput(_("Choose one of the topics."), field="topic")
    if data.kind not in QuestionKind.values:
        raise InvalidInput(_("Choose single choice, multiple choice or true/false."), field="kind")
    text = _bounded(data.text, "text", TEXT_LIMIT, required=_("Write the question."))
    if data.kind == QuestionKind.TRUE_FALSE:
        options = list(TRUE_FALSE_OPTIONS)
    else:
        options = [
            _bounded(option, "options", OPTION_LIMIT)
            for option in data.options
            if plain_text(option or "").strip()
        ]
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise InvalidInput(
                _("Give between %(low)d and %(high)d options.")
                % {"low": MIN_OPTIONS, "high": MAX_OPTIONS},
                field="options",
            )
        if len(set(options)) != len(options):
            raise InvalidInput(_("Two options are the same."), field="options")
    try:
        answer = sorted({int(index) for index in data.answer})
    except (TypeError, ValueError):
        raise InvalidInput(_("Mark the right option(s)."), field="answer") from None
    if any(not 0 <= index < len(options) for index in answer):
        raise InvalidInput(_("A right answer must be one of the options."), field="answer")
    if data.kind == QuestionKind.MULTIPLE:
        if not answer:
            raise InvalidInput(
                _("A multiple-choice question needs at least one right option."), field="answer"
            )
    elif len(answer) != 1:
        raise InvalidInput(_("Mark exactly one right option."), field="answer")
    return {
        "topic": data.topic,
        "kind": data.kind,
        "text": text,
        "options": options,
        "answer": answer,
        "explanation": _bounded(data.explanation, "explanation", EXPLANATION_LIMIT),
        "active": bool(data.active),
    }


def add_question(
    *, actor: Any, unit: OrgUnit, data: QuestionData, now: dt.datetime | None = None
) -> Question:
    """A question in `unit`'s bank (a street's or a district's). Assessors of the unit only."""
    _require_assessor(actor, unit.code)
    fields = clean_question(data)
    return Question.objects.create(unit=unit, created_at=_now(now), **fields)


def was_asked(question: Question) -> bool:
    """Whether `question` is on any paper (papers are drawn at the bank's unit or below)."""
    papers = Paper.objects.filter(quiz__plan__unit_code__under=question.unit_code)
    return any(question.pk in ids for ids in papers.values_list("questions", flat=True))


@transaction.atomic
def edit_question(*, actor: Any, question: Question, data: QuestionData) -> Question:
    """Change a question of the bank. Once a paper has asked it, only whether it is in use may
    change (a paper is marked against the question it asked)."""
    _require_assessor(actor, question.unit_code)
    question = Question.objects.select_for_update().get(pk=question.pk)
    fields = clean_question(data)
    asked = was_asked(question)
    if asked and any(
        fields[name] != getattr(question, name) for name in fields if name != "active"
    ):
        raise Conflict(
            _(
                "This question is on a paper already: it can only be taken out of use. "
                "Add a new question instead."
            )
        )
    for name, value in fields.items():
        setattr(question, name, value)
    question.save()
    return question


def bank_counts(questions: Any) -> dict[str, dict[str, int]]:
    """{topic: {"active": n, "all": n}} of a queryset of questions, in one query."""
    counts = {topic: {"active": 0, "all": 0} for topic in Topic.values}
    for topic, active in questions.values_list("topic", "active"):
        counts[topic]["all"] += 1
        counts[topic]["active"] += int(active)
    return counts


def active_pools(code: str) -> dict[str, list[int]]:
    """The active questions a quiz at unit `code` draws from (the banks of that unit and those
    above it), by topic, ids ascending."""
    pools: dict[str, list[int]] = {topic: [] for topic in Topic.values}
    rows = Question.objects.filter(active=True, unit_code__in=code_prefixes(code)).order_by("pk")
    for pk, topic in rows.values_list("pk", "topic"):
        pools[topic].append(pk)
    return pools


# ---- import from Excel -----------------------------------------------------------------------

COLUMNS = [
    ("题目", "text", "网格员采集实有人口信息时，应当首先核实的是？"),
    ("题型", "kind", "单选"),
    ("专题", "topic", "基础信息采集"),
    ("选项A", "A", "身份证件信息"),
    ("选项B", "B", "工作单位"),
    ("选项C", "C", "兴趣爱好"),
    ("选项D", "D", "家庭收入"),
    ("选项E", "E", ""),
    ("选项F", "F", ""),
    ("正确答案", "answer", "A"),
    ("解析", "explanation", "身份证件是核准人口信息的依据。"),
]
REQUIRED = ("题目", "题型", "专题", "正确答案")
KIND_WORDS = {
    "单选": QuestionKind.SINGLE,
    "单选题": QuestionKind.SINGLE,
    "多选": QuestionKind.MULTIPLE,
    "多选题": QuestionKind.MULTIPLE,
    "判断": QuestionKind.TRUE_FALSE,
    "判断题": QuestionKind.TRUE_FALSE,
}
TOPIC_WORDS = {
    "基础信息采集": Topic.BASIC_DATA,
    "矛盾纠纷排查化解": Topic.DISPUTES,
    "重点人群帮教": Topic.KEY_GROUPS,
    "政策发布宣传": Topic.POLICY,
    "三跨事件上报": Topic.CROSS_BOUNDARY,
}
TRUE_WORDS = {"正确", "对", "是", "√", "T", "TRUE"}
FALSE_WORDS = {"错误", "错", "否", "×", "F", "FALSE"}


def template() -> bytes:
    """The bank's import template: the Chinese headers (required ones in bold), one example
    row of each kind."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题库"
    sheet.append([header for header, _name, _example in COLUMNS])
    sheet.append([example for _header, _name, example in COLUMNS])
    sheet.append(
        [
            "化解矛盾纠纷应当坚持的原则有？",
            "多选",
            "矛盾纠纷排查化解",
            "依法依规",
            "自愿平等",
            "久拖不决",
            "就地化解",
            "",
            "",
            "ABD",
            "",
        ]
    )
    sheet.append(
        ["三跨事件是指跨区域、跨部门、跨层级的事件。", "判断", "三跨事件上报"]
        + [""] * 6
        + ["正确", ""]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=cell.value in REQUIRED)
        sheet.column_dimensions[cell.column_letter].width = 14
    sheet.column_dimensions["A"].width = 48
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class ImportRejected(CivicgridError):
    """Nothing was imported; `errors` holds each bad row: {"row", "column", "message"}."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(
            _("Nothing was imported: %(n)s row(s) need fixing.") % {"n": len(errors)},
            details=errors,
        )
        self.errors = errors


def _not_xlsx() -> InvalidInput:
    return InvalidInput(
        _("This is not an Excel .xlsx file. Save it as .xlsx (Excel 2007 or later)."),
        field="file",
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_bank(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The sheet's rows as (Excel row number, {column: text}), blank rows skipped. A file too
    large, not an .xlsx, packed suspiciously, with too many rows or without the required
    headers is one clear error."""
    if len(data) > IMPORT_MAX_BYTES:
        raise InvalidInput(
            _("The file is larger than %(mb)d MB.") % {"mb": IMPORT_MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_xlsx() from None
    if len(members) > 200 or sum(m.file_size for m in members) > IMPORT_MAX_INFLATED:
        raise InvalidInput(
            _("This file unpacks to far more than a question bank; save the sheet again."),
            field="file",
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _not_xlsx() from None
    too_many = InvalidInput(
        _("At most %(n)d questions per file; split the file.") % {"n": IMPORT_MAX_ROWS},
        field="file",
    )
    try:
        sheet = workbook.active
        if (sheet.max_row or 0) > IMPORT_MAX_ROWS + 1:
            raise too_many
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True, max_col=len(COLUMNS) + 10)
        header = next(rows, None) or ()
        positions = {_cell(text): i for i, text in enumerate(header) if text is not None}
        missing = [name for name in REQUIRED if name not in positions]
        if missing:
            raise InvalidInput(
                _("The first row lacks the column(s) %(columns)s; start from the template.")
                % {"columns": "、".join(missing)},
                field="file",
            )
        result = []
        for number, row in enumerate(rows, start=2):
            if number > IMPORT_MAX_ROWS + 1:
                raise too_many
            values = {
                name: _cell(row[positions[header]])
                if header in positions and positions[header] < len(row)
                else ""
                for header, name, _example in COLUMNS
            }
            if any(values.values()):
                result.append((number, values))
        return result
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError):
        raise _not_xlsx() from None
    finally:
        workbook.close()


_HEADER_OF = {name: header for header, name, _example in COLUMNS}


def _row_question(values: dict[str, str]) -> QuestionData:
    kind = KIND_WORDS.get(values["kind"], values["kind"])
    if kind not in QuestionKind.values:
        raise InvalidInput(
            _("%(value)s is not one of: %(options)s.")
            % {"value": values["kind"] or "—", "options": "单选、多选、判断"},
            field="kind",
        )
    topic = TOPIC_WORDS.get(values["topic"], values["topic"])
    if topic not in Topic.values:
        raise InvalidInput(
            _("%(value)s is not one of: %(options)s.")
            % {"value": values["topic"] or "—", "options": "、".join(TOPIC_WORDS)},
            field="topic",
        )
    written = values["answer"].replace(" ", "").replace(",", "").replace("，", "").upper()
    if kind == QuestionKind.TRUE_FALSE:
        options: list[str] = list(TRUE_FALSE_OPTIONS)
        if written in TRUE_WORDS or written == "A":
            answer = [0]
        elif written in FALSE_WORDS or written == "B":
            answer = [1]
        else:
            raise InvalidInput(_("Write 正确 or 错误."), field="answer")
    else:
        # Options are the letters' columns in order; a gap (A, B, D) is an error, not a shift.
        letters = [letter for letter in LETTERS[:6] if values[letter]]
        if letters != list(LETTERS[: len(letters)]):
            raise InvalidInput(_("Fill the options from A on, without gaps."), field="A")
        options = [values[letter] for letter in letters]
        if not written or any(letter not in LETTERS[: len(options)] for letter in written):
            raise InvalidInput(
                _("Write the letters of the right options (e.g. A or ABD)."), field="answer"
            )
        answer = [LETTERS.index(letter) for letter in written]
        if len(set(answer)) != len(answer):
            raise InvalidInput(_("A letter is written twice."), field="answer")
    return QuestionData(
        topic=topic,
        kind=kind,
        text=values["text"],
        options=options,
        answer=answer,
        explanation=values["explanation"],
    )


def import_bank(
    *, actor: Any, unit: OrgUnit, data: bytes, now: dt.datetime | None = None
) -> list[Question]:
    """Import questions into `unit`'s bank from an .xlsx made from `template()`: all or
    nothing. Every row is checked first (and each question against the bank and the file for
    a duplicate text); if any row is bad, nothing is written and `ImportRejected` lists each
    bad row with its column and reason."""
    _require_assessor(actor, unit.code)
    rows = read_bank(data)
    if not rows:
        raise InvalidInput(_("The file has no questions."), field="file")
    now = _now(now)
    errors: list[dict[str, Any]] = []
    staged: list[Question] = []
    known = set(Question.objects.filter(unit=unit).values_list("text", flat=True))
    seen: dict[str, int] = {}
    for number, values in rows:
        try:
            fields = clean_question(_row_question(values))
            if fields["text"] in known:
                raise InvalidInput(_("This question is in the bank already."), field="text")
            if fields["text"] in seen:
                raise InvalidInput(
                    _("The same question is on row %(row)d.") % {"row": seen[fields["text"]]},
                    field="text",
                )
        except CivicgridError as error:
            column = _HEADER_OF.get(error.field or "", "")
            if error.field == "options":
                column = "选项A–F"
            errors.append({"row": number, "column": column, "message": error.message})
            continue
        seen[fields["text"]] = number
        staged.append(Question(unit=unit, unit_code=unit.code, created_at=now, **fields))
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        return Question.objects.bulk_create(staged)


# ---- the quiz --------------------------------------------------------------------------------


def _aware(moment: dt.datetime, field_name: str) -> dt.datetime:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if not 2000 <= moment.year <= 2100:
        raise InvalidInput(_("Give a date between 2000 and 2100."), field=field_name)
    return moment


def clean_quotas(quotas: Mapping[str, Any], pools: Mapping[str, list[int]]) -> dict[str, int]:
    """Questions per topic: whole numbers 0–50, at least one question and at most 100 in all,
    and never more of a topic than the active bank holds."""
    cleaned: dict[str, int] = {}
    for topic, value in quotas.items():
        if topic not in Topic.values:
            raise InvalidInput(_("Choose one of the topics."), field="quotas")
        try:
            count = int(value or 0)
        except (TypeError, ValueError):
            raise InvalidInput(_("Enter a whole number."), field=f"quota-{topic}") from None
        if not 0 <= count <= MAX_PER_TOPIC:
            raise InvalidInput(
                _("Between 0 and %(n)d questions per topic.") % {"n": MAX_PER_TOPIC},
                field=f"quota-{topic}",
            )
        if count > len(pools.get(topic, ())):
            raise InvalidInput(
                _("The bank holds only %(n)d questions in use on “%(topic)s”.")
                % {"n": len(pools.get(topic, ())), "topic": Topic(topic).label},
                field=f"quota-{topic}",
            )
        if count:
            cleaned[topic] = count
    total = sum(cleaned.values())
    if not 1 <= total <= MAX_QUESTIONS:
        raise InvalidInput(
            _("A paper asks between 1 and %(n)d questions.") % {"n": MAX_QUESTIONS},
            field="quotas",
        )
    return {topic: cleaned[topic] for topic in Topic.values if topic in cleaned}


@dataclass
class QuizData:
    title: str
    quotas: Mapping[str, Any]
    minutes: int
    opens_at: dt.datetime
    closes_at: dt.datetime


def _clean_quiz(plan: Plan, data: QuizData) -> dict[str, Any]:
    title = _bounded(data.title, "title", 100, required=_("Give the test a title."))
    try:
        minutes = int(data.minutes)
    except (TypeError, ValueError):
        raise InvalidInput(_("Enter a whole number."), field="minutes") from None
    if not 1 <= minutes <= 240:
        raise InvalidInput(_("The time limit is 1 to 240 minutes."), field="minutes")
    if data.opens_at is None:
        raise InvalidInput(_("Say when the test opens."), field="opens_at")
    if data.closes_at is None:
        raise InvalidInput(_("Say when the test closes."), field="closes_at")
    opens_at = _aware(data.opens_at, "opens_at")
    closes_at = _aware(data.closes_at, "closes_at")
    if closes_at - opens_at < dt.timedelta(minutes=minutes):
        raise InvalidInput(
            _("The test must stay open at least as long as its time limit."), field="closes_at"
        )
    if closes_at - opens_at > dt.timedelta(days=60):
        raise InvalidInput(_("The test may stay open at most 60 days."), field="closes_at")
    return {
        "title": title,
        "quotas": clean_quotas(data.quotas, active_pools(plan.unit_code)),
        "minutes": minutes,
        "opens_at": opens_at,
        "closes_at": closes_at,
    }


@transaction.atomic
def create_quiz(*, actor: Any, plan: Plan, data: QuizData) -> Quiz:
    """The plan's knowledge test (one per plan): quotas per topic that the active bank at the
    plan's unit can fill, a time limit and the window it is open in. Assessors of the plan."""
    _require_assessor(actor, plan.unit_code)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require_open(plan)
    if plan.quizzes.exists():
        raise Conflict(_("This assessment has its test already."))
    return Quiz.objects.create(plan=plan, created_by=actor, **_clean_quiz(plan, data))


@transaction.atomic
def edit_quiz(*, actor: Any, quiz: Quiz, data: QuizData) -> Quiz:
    """Change the test before its papers are issued."""
    _require_assessor(actor, quiz.plan.unit_code)
    quiz = Quiz.objects.select_for_update().select_related("plan").get(pk=quiz.pk)
    _require_open(quiz.plan)
    if quiz.papers.exists():
        raise Conflict(_("The papers are issued: the test can no longer change."))
    for name, value in _clean_quiz(quiz.plan, data).items():
        setattr(quiz, name, value)
    quiz.save()
    return quiz


# ---- papers ----------------------------------------------------------------------------------


def draw(seed: str, pools: Mapping[str, Sequence[int]], quotas: Mapping[str, int]) -> list[int]:
    """The questions of one paper: for each topic in the topics' order, `quotas[topic]` ids
    drawn from `pools[topic]` (sorted first) with a generator seeded by the seed and the
    topic. Pure: the same seed, pools and quotas give the same paper to anyone."""
    chosen: list[int] = []
    for topic in Topic.values:
        count = int(quotas.get(topic, 0))
        if count:
            pool = sorted(pools[topic])
            chosen += random.Random(f"{seed}:{topic}").sample(pool, count)
    return chosen


def redraw(paper: Paper) -> list[int]:
    """Draw `paper` again from what its ISSUE step recorded (seed, pool, quotas)."""
    issued = paper.steps.get(action=PaperAction.ISSUE)
    return draw(issued.details["seed"], issued.details["pools"], issued.details["quotas"])


@transaction.atomic
def issue_papers(*, actor: Any, quiz: Quiz, now: dt.datetime | None = None) -> int:
    """A paper for every worker of the plan who has none yet, each drawn with its own seed
    and logged (PAPERS ISSUE, with seed, pools and quotas). Returns how many were issued."""
    now = _now(now)
    plan = Plan.objects.select_for_update().get(pk=quiz.plan_id)
    _require_assessor(actor, plan.unit_code)
    _require_open(plan)
    if plan.status == PlanStatus.DRAFT:
        raise Conflict(_("Start the assessment first: its workers are fixed when it starts."))
    quiz = Quiz.objects.get(pk=quiz.pk)
    if now >= quiz.closes_at:
        raise Conflict(_("The test has closed."))
    pools = active_pools(plan.unit_code)
    try:
        clean_quotas(quiz.quotas, pools)
    except InvalidInput:
        raise Conflict(
            _("The bank no longer holds enough questions in use for the quotas; change them.")
        ) from None
    has = set(quiz.papers.values_list("plan_worker_id", flat=True))
    issued = 0
    for worker in plan.workers.exclude(pk__in=has).order_by("pk"):
        seed = secrets.token_hex(16)
        paper = Paper.objects.create(
            quiz=quiz, plan_worker=worker, seed=seed, questions=draw(seed, pools, quiz.quotas)
        )
        PAPERS.start(
            paper,
            PaperAction.ISSUE,
            actor=actor,
            now=now,
            details={"seed": seed, "pools": pools, "quotas": quiz.quotas},
        )
        issued += 1
    return issued


def _window_error(quiz: Quiz, now: dt.datetime) -> str | None:
    local = timezone.localtime
    if now < quiz.opens_at:
        return _("The test opens at %(at)s.") % {
            "at": local(quiz.opens_at).strftime("%Y-%m-%d %H:%M")
        }
    if now >= quiz.closes_at:
        return _("The test closed at %(at)s.") % {
            "at": local(quiz.closes_at).strftime("%Y-%m-%d %H:%M")
        }
    return None


def start_paper(*, actor: Any, paper: Paper, now: dt.datetime | None = None) -> Paper:
    """The worker starts their paper, once, inside the quiz's window: the clock runs from now
    to `due_at` = the earlier of now + the time limit and the quiz's close."""
    now = _now(now)

    def change(row: Paper, at: dt.datetime) -> None:
        _require_open(row.plan_worker.plan)
        refused = _window_error(row.quiz, at)
        if refused:
            raise Conflict(refused)
        row.started_at = at
        row.due_at = min(at + dt.timedelta(minutes=row.quiz.minutes), row.quiz.closes_at)

    return PAPERS.run(paper, PaperAction.START, actor=actor, now=now, change=change)


def _too_late(paper: Paper) -> str:
    assert paper.due_at is not None
    return _(
        "Time ran out at %(at)s: the answer was not saved. Your saved answers were marked."
    ) % {"at": timezone.localtime(paper.due_at).strftime("%H:%M")}


def _clean_chosen(question: Question, chosen: Sequence[Any]) -> list[int]:
    try:
        picked = sorted({int(index) for index in chosen})
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose one of the options."), field=f"q-{question.pk}") from None
    if any(not 0 <= index < len(question.options) for index in picked):
        raise InvalidInput(_("Choose one of the options."), field=f"q-{question.pk}")
    if question.kind != QuestionKind.MULTIPLE and len(picked) > 1:
        raise InvalidInput(_("Choose one option only."), field=f"q-{question.pk}")
    return picked


def save_answer(
    *,
    actor: Any,
    paper: Paper,
    question_id: int,
    chosen: Sequence[Any],
    now: dt.datetime | None = None,
) -> PaperAnswer:
    """Save the worker's answer to one question of their started paper (again: replaced).
    Refused once the paper is handed in or closed, and after its time (the paper is then
    closed by the clock and marked on the answers saved before)."""
    now = _now(now)
    with transaction.atomic():
        locked = (
            Paper.objects.select_related("plan_worker", "plan_worker__plan", "quiz")
            .select_for_update(of=("self",))
            .get(pk=paper.pk)
        )
        if locked.plan_worker.worker_id != getattr(actor, "pk", None):
            raise NotAllowed(_("Only the worker the paper was issued to may answer it."))
        _require_open(locked.plan_worker.plan)
        if locked.status == S.ISSUED:
            raise Conflict(_("Start the test first."))
        if locked.status in ENDED:
            raise Conflict(_("This paper is handed in: its answers can no longer change."))
        late = locked.due_at is not None and now >= locked.due_at
        if not late:
            if int(question_id) not in locked.questions:
                raise InvalidInput(_("This question is not on your paper."), field="question")
            question = Question.objects.get(pk=question_id)
            answer, _created = PaperAnswer.objects.update_or_create(
                paper=locked,
                question=question,
                defaults={"chosen": _clean_chosen(question, chosen), "saved_at": now},
            )
            return answer
    with contextlib.suppress(Conflict):  # closed meanwhile by the task
        expire_paper(paper=locked, now=now)
    raise Conflict(_too_late(locked))


def save_answers(
    *,
    actor: Any,
    paper: Paper,
    answers: Mapping[int, Sequence[Any]],
    now: dt.datetime | None = None,
) -> int:
    """Several answers at once (a page sent without JavaScript): each saved as `save_answer`."""
    saved = 0
    for question_id, chosen in answers.items():
        save_answer(actor=actor, paper=paper, question_id=question_id, chosen=chosen, now=now)
        saved += 1
    return saved


def is_right(question: Question, chosen: Sequence[int]) -> bool:
    """Right when the chosen set is the answer set: one option for single choice and
    true/false; every right option and no other for multiple choice."""
    return bool(chosen) and set(chosen) == set(question.answer)


def _mark(paper: Paper) -> None:
    """Mark the saved answers; the score is right ÷ asked × 100 (2 decimals), per topic
    {topic: [right, asked]}. An unanswered question is wrong."""
    questions = Question.objects.in_bulk(paper.questions)
    answers = {answer.question_id: answer for answer in paper.answers.all()}
    by_topic: dict[str, list[int]] = {}
    right = 0
    for pk in paper.questions:
        question = questions[pk]
        tally = by_topic.setdefault(question.topic, [0, 0])
        tally[1] += 1
        answer = answers.get(pk)
        if answer is not None:
            answer.correct = is_right(question, answer.chosen)
            answer.save(update_fields=["correct"])
            if answer.correct:
                right += 1
                tally[0] += 1
    paper.by_topic = {topic: by_topic[topic] for topic in Topic.values if topic in by_topic}
    paper.score = percent(right, len(paper.questions))


def percent(right: int, asked: int) -> Decimal:
    if not asked:
        return Decimal("0.00")
    return (Decimal(right) * 100 / Decimal(asked)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def submit_paper(
    *, actor: Any, paper: Paper, now: dt.datetime | None = None, version: int | None = None
) -> Paper:
    """The worker hands in their started paper; it is marked at once. After its time the
    paper is closed by the clock instead (marked on the answers saved) and the hand-in is
    refused with that message."""
    now = _now(now)
    late = paper.status == S.STARTED and paper.due_at is not None and now >= paper.due_at
    if late and paper.plan_worker.worker_id == getattr(actor, "pk", None):
        assert paper.due_at is not None
        with contextlib.suppress(Conflict):
            expire_paper(paper=paper, now=now)
        raise Conflict(
            _("Time ran out at %(at)s: the paper was closed and your saved answers marked.")
            % {"at": timezone.localtime(paper.due_at).strftime("%H:%M")}
        )

    def change(row: Paper, at: dt.datetime) -> None:
        _require_open(row.plan_worker.plan)
        if row.due_at is not None and at >= row.due_at:
            raise Conflict(_too_late(row))
        row.submitted_at = at
        _mark(row)

    return PAPERS.run(
        paper, PaperAction.SUBMIT, actor=actor, now=now, version=version, change=change
    )


def _expired(paper: Paper, now: dt.datetime) -> bool:
    if paper.status == S.STARTED:
        return paper.due_at is not None and now >= paper.due_at
    if paper.status == S.ISSUED:
        return now >= paper.quiz.closes_at
    return False


def expire_paper(*, paper: Paper, now: dt.datetime) -> Paper:
    """The clock closes a paper: a started one past its time is marked on its saved answers;
    one never started when the quiz closed scores 0. Refused before that time."""

    def change(row: Paper, at: dt.datetime) -> None:
        _require_open(row.plan_worker.plan)
        if not _expired(row, at):
            raise Conflict(_("This paper's time has not run out."))
        _mark(row)  # an issued paper has no answers: 0

    return PAPERS.run(paper, PaperAction.EXPIRE, actor=None, now=now, change=change)


def expire_if_due(paper: Paper, now: dt.datetime | None = None) -> Paper:
    """`paper`, closed by the clock first if its time has run out (a worker opening it)."""
    now = _now(now)
    if paper.plan_worker.plan.status != PlanStatus.PUBLISHED and _expired(paper, now):
        try:
            return expire_paper(paper=paper, now=now)
        except Conflict:  # closed meanwhile (handed in, or by the task)
            paper.refresh_from_db()
    return paper


def expire_due(now: dt.datetime | None = None) -> int:
    """Close every paper whose time has run out (the periodic task). Returns how many."""
    now = _now(now)
    due = Paper.objects.exclude(quiz__plan__status=PlanStatus.PUBLISHED).filter(
        Q(status=S.STARTED, due_at__lte=now) | Q(status=S.ISSUED, quiz__closes_at__lte=now)
    )
    closed = 0
    for pk in due.values_list("pk", flat=True):
        try:
            expire_paper(paper=Paper.objects.get(pk=pk), now=now)
        except Conflict:
            continue  # handed in or closed meanwhile
        closed += 1
    return closed


# ---- the indicator's values (scoring's contract) ---------------------------------------------


def values(plan: Plan) -> dict[int, Decimal]:
    """{PlanWorker.pk: the paper's score 0–100} for the plan's workers whose paper is marked
    (handed in, or closed by the clock: marked on the answers saved, 0 if never started)."""
    papers = Paper.objects.filter(
        quiz__plan=plan, status__in=list(ENDED), score__isnull=False
    ).values_list("plan_worker_id", "score")
    return {worker: score for worker, score in papers if score is not None}


@dataclass
class Shown:
    """One question of a paper as a page or the API shows it to the worker."""

    question: Question
    number: int
    chosen: list[int] = field(default_factory=list)
    correct: bool | None = None
    # The right options: only once the quiz has closed (early finishers cannot pass them on).
    answer: list[int] | None = None

    def options(self) -> list[tuple[int, str, str]]:
        """(index, letter, text) of each option; true/false options have no letter."""
        lettered = self.question.kind != QuestionKind.TRUE_FALSE
        return [
            (index, LETTERS[index] if lettered else "", text)
            for index, text in enumerate(self.question.options)
        ]


def answers_shown(quiz: Quiz, now: dt.datetime | None = None) -> bool:
    """Whether the right answers may be shown: once the quiz has closed."""
    return _now(now) >= quiz.closes_at


def paper_questions(paper: Paper, now: dt.datetime | None = None) -> list[Shown]:
    """The paper's questions in order with the worker's saved answers (two queries)."""
    questions = Question.objects.in_bulk(paper.questions)
    answers = {a.question_id: a for a in paper.answers.all()}
    reveal = paper.status in ENDED and answers_shown(paper.quiz, now)
    shown = []
    for number, pk in enumerate(paper.questions, start=1):
        answer = answers.get(pk)
        shown.append(
            Shown(
                question=questions[pk],
                number=number,
                chosen=list(answer.chosen) if answer else [],
                # Right or wrong only with the right answers (an unanswered question is
                # wrong): a true/false question's mark would give its answer away.
                correct=bool(answer and answer.correct) if reveal else None,
                answer=list(questions[pk].answer) if reveal else None,
            )
        )
    return shown
