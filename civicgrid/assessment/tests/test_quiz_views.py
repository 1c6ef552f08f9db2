"""The knowledge test's pages: the bank, the import, the quiz's setup and results for the
assessors; the worker's start page, questions (saved as they change, or by a plain hand-in)
and result. Scoping: another street's staff and another worker get 404."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook

from civicgrid.assessment import quiz
from civicgrid.assessment.models import Paper, PaperAnswer, Question, Topic
from civicgrid.assessment.tests.quiz_kit import bank, other_street_staff, running_plan, setup

pytestmark = pytest.mark.django_db


def open_now(tree, people, **changes):
    """A quiz open from an hour ago to a day ahead of the real clock (pages use it)."""
    now = timezone.now()
    return setup(
        tree,
        people,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        **changes,
    )


# ---- the bank --------------------------------------------------------------------------------


def test_the_bank_lists_questions_by_topic_with_counts(client, tree, people):
    bank(tree.street_a, per_topic=2)
    Question.objects.filter(topic=Topic.POLICY).update(active=False)
    client.force_login(people["carol"])
    page = client.get(f"/assessment/quiz/bank/{tree.street_a.code}/").content.decode()
    assert 'data-count="basic_data">2<' in page and 'data-count="policy">0<' in page
    assert "基础信息采集" in page and "添加试题" in page
    only = client.get(f"/assessment/quiz/bank/{tree.street_a.code}/?topic=disputes")
    assert only.content.decode().count("data-question=") == 2


def test_adding_a_question_on_the_page_and_a_bad_one_explained(client, tree, people):
    client.force_login(people["carol"])
    url = f"/assessment/quiz/bank/{tree.street_a.code}/new/"
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "topic": "disputes",
            "kind": "single",
            "text": "题",
            "option-0": "甲",
            "option-1": "乙",
            "answer": ["0", "1"],
        },
    )
    assert bad.status_code == 400 and "只能勾选一个正确选项" in bad.content.decode()
    good = client.post(
        url,
        {
            "topic": "disputes",
            "kind": "single",
            "text": "题",
            "option-0": "甲",
            "option-1": "乙",
            "answer": ["1"],
            "active": "on",
        },
    )
    assert good.status_code == 302
    made = Question.objects.get()
    assert made.options == ["甲", "乙"] and made.answer == [1] and made.active
    tf = client.post(
        url,
        {
            "topic": "policy",
            "kind": "true_false",
            "text": "判断题",
            "tf_answer": "1",
            "active": "on",
        },
    )
    assert tf.status_code == 302 and Question.objects.get(kind="true_false").answer == [1]
    edit = client.post(
        f"/assessment/quiz/questions/{made.pk}/",
        {
            "topic": "disputes",
            "kind": "single",
            "text": "改过",
            "option-0": "甲",
            "option-1": "乙",
            "answer": ["0"],
            "active": "off",
        },
    )
    assert edit.status_code == 302
    made.refresh_from_db()
    assert made.text == "改过" and made.answer == [0] and not made.active


def _sheet(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([header for header, _name, _example in quiz.COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = [
    [
        "网格员入户采集信息时应出示？",
        "单选",
        "基础信息采集",
        "工作证件",
        "银行卡",
        "",
        "",
        "",
        "",
        "A",
        "",
    ],
    [
        "矛盾纠纷排查的重点有？",
        "多选",
        "矛盾纠纷排查化解",
        "邻里纠纷",
        "婚姻家庭",
        "天气",
        "",
        "",
        "",
        "A B",
        "",
    ],
    ["三跨事件须逐级上报。", "判断", "三跨事件上报", "", "", "", "", "", "", "正确", "解析"],
]


def test_the_import_template_reads_back(tree, people):
    rows = quiz.read_bank(quiz.template())
    assert [n for n, _v in rows] == [2, 3, 4]
    made = quiz.import_bank(actor=people["carol"], unit=tree.street_a, data=quiz.template())
    assert [q.kind for q in made] == ["single", "multiple", "true_false"]
    assert made[1].answer == [0, 1, 3]


def test_a_good_file_imports_every_question(client, tree, people):
    client.force_login(people["carol"])
    url = f"/assessment/quiz/bank/{tree.street_a.code}/import/"
    with io.BytesIO(_sheet(GOOD)) as upload:
        upload.name = "bank.xlsx"
        response = client.post(url, {"file": upload})
    assert response.status_code == 302
    assert list(Question.objects.order_by("pk").values_list("kind", "topic", "answer")) == [
        ("single", "basic_data", [0]),
        ("multiple", "disputes", [0, 1]),
        ("true_false", "cross_boundary", [0]),
    ]
    assert Question.objects.get(kind="true_false").explanation == "解析"


def test_one_bad_row_rolls_everything_back_with_the_rows_error(client, tree, people):
    client.force_login(people["carol"])
    bad = [
        *GOOD,
        ["单选却有两个答案", "单选", "政策发布宣传", "甲", "乙", "", "", "", "", "AB", ""],
        ["没有这个专题", "单选", "做饭", "甲", "乙", "", "", "", "", "A", ""],
        [
            "网格员入户采集信息时应出示？",
            "单选",
            "基础信息采集",
            "甲",
            "乙",
            "",
            "",
            "",
            "",
            "A",
            "",
        ],
    ]
    with io.BytesIO(_sheet(bad)) as upload:
        upload.name = "bank.xlsx"
        response = client.post(
            f"/assessment/quiz/bank/{tree.street_a.code}/import/", {"file": upload}
        )
    page = response.content.decode()
    assert response.status_code == 400
    assert Question.objects.count() == 0
    assert "未导入任何数据：有 3 行需要修改。" in page
    assert 'data-row="5"' in page and "只能勾选一个正确选项" in page
    assert 'data-row="6"' in page and "做饭" in page
    assert 'data-row="7"' in page and "第 2 行" in page
    with pytest.raises(quiz.ImportRejected) as rejected:
        quiz.import_bank(actor=people["carol"], unit=tree.street_a, data=_sheet(bad))
    assert [(e["row"], e["column"]) for e in rejected.value.errors] == [
        (5, "正确答案"),
        (6, "专题"),
        (7, "题目"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a spreadsheet", "不是 Excel"),
        (b"x" * (quiz.IMPORT_MAX_BYTES + 1), "MB"),
        (_sheet([]), "没有试题"),
    ],
)
def test_a_bad_file_gets_a_clear_error(client, tree, people, data, message):
    client.force_login(people["carol"])
    with io.BytesIO(data) as upload:
        upload.name = "bank.xlsx"
        response = client.post(
            f"/assessment/quiz/bank/{tree.street_a.code}/import/", {"file": upload}
        )
    assert response.status_code == 400 and message in response.content.decode()


def test_a_file_without_the_headers_or_with_too_many_rows_is_refused(tree, people, monkeypatch):
    book = Workbook()
    book.active.append(["题目", "答案"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(quiz.InvalidInput, match="题型、专题、正确答案"):
        quiz.read_bank(buffer.getvalue())
    monkeypatch.setattr(quiz, "IMPORT_MAX_ROWS", 2)
    with pytest.raises(quiz.InvalidInput, match="最多 2 道"):
        quiz.read_bank(_sheet(GOOD))


def test_the_template_downloads(client, people):
    client.force_login(people["carol"])
    response = client.get("/assessment/quiz/bank/template.xlsx")
    assert response.status_code == 200 and response.content.startswith(b"PK")


# ---- scoping ---------------------------------------------------------------------------------


def test_the_bank_and_the_quiz_are_invisible_outside_the_assessors(client, tree, people, make_user):
    s = open_now(tree, people)
    question = Question.objects.first()
    urls = [
        f"/assessment/quiz/bank/{tree.street_a.code}/",
        f"/assessment/quiz/bank/{tree.street_a.code}/new/",
        f"/assessment/quiz/bank/{tree.street_a.code}/import/",
        f"/assessment/quiz/questions/{question.pk}/",
        f"/assessment/quiz/plans/{s.plan.pk}/",
        f"/assessment/quiz/{s.quiz.pk}/results/",
    ]
    for user in (other_street_staff(tree, make_user), people["alice"], people["dave"]):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(f"/assessment/quiz/{s.quiz.pk}/issue/").status_code == 404
    client.force_login(people["carol"])
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_a_paper_is_its_workers_alone(client, tree, people, make_user):
    s = open_now(tree, people)
    paper = s.paper()
    for user in (people["bob"], people["carol"], other_street_staff(tree, make_user)):
        client.force_login(user)
        assert client.get(f"/assessment/quiz/papers/{paper.pk}/").status_code == 404
        assert client.post(f"/assessment/quiz/papers/{paper.pk}/start/").status_code == 404
        assert (
            client.post(
                f"/assessment/quiz/papers/{paper.pk}/answer/", {"question": "1"}
            ).status_code
            == 404
        )
        assert client.post(f"/assessment/quiz/papers/{paper.pk}/submit/").status_code == 404
    assert Paper.objects.get(pk=paper.pk).status == "issued"


# ---- the assessors' quiz pages -------------------------------------------------------------


def test_setting_up_and_issuing_on_the_page(client, tree, people):
    bank(tree.street_a, per_topic=3)
    plan = running_plan(tree, people)
    client.force_login(people["carol"])
    url = f"/assessment/quiz/plans/{plan.pk}/"
    page = client.get(url).content.decode()
    assert 'data-pool="policy">3<' in page
    form = {
        "title": "2025年应知应会测试",
        "minutes": "30",
        "opens_at": (timezone.localdate() - dt.timedelta(days=1)).isoformat() + "T09:00",
        "closes_at": (timezone.localdate() + dt.timedelta(days=10)).isoformat() + "T17:00",
        **{f"quota-{t}": "2" for t in Topic.values},
    }
    too_many = client.post(url, {**form, "quota-policy": "4"})
    assert too_many.status_code == 400 and "题库中" in too_many.content.decode()
    assert client.post(url, form).status_code == 302
    made = plan.quizzes.get()
    assert made.quotas == {t: 2 for t in Topic.values} and made.minutes == 30
    assert timezone.localtime(made.opens_at).hour == 9
    client.post(f"/assessment/quiz/{made.pk}/issue/")
    assert made.papers.count() == 2
    page = client.get(url).content.decode()
    assert 'data-count="issued">2 / 2<' in page and 'id="quiz-form"' not in page


# ---- the worker's paper ----------------------------------------------------------------------


def test_a_worker_starts_answers_as_they_go_and_hands_in(client, tree, people):
    s = open_now(tree, people)
    paper = s.paper()
    client.force_login(people["alice"])
    url = f"/assessment/quiz/papers/{paper.pk}/"
    start = client.get(url).content.decode()
    assert 'data-count="questions">10<' in start and "开始答题" in start
    client.post(f"{url}start/")
    page = client.get(url).content.decode()
    assert 'id="countdown"' in page and "assessment/quiz.js" in page
    assert page.count('class="card quiz-question"') == 10
    assert "<script>" not in page  # the CSP forbids inline scripts
    paper.refresh_from_db()
    asked = Question.objects.in_bulk(paper.questions)
    first, second = paper.questions[:2]
    # Saved as it changes (htmx), answered with the little note.
    saved = client.post(
        f"{url}answer/",
        {"question": str(first), f"q-{first}": [str(i) for i in asked[first].answer]},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200 and "已保存" in saved.content.decode()
    assert PaperAnswer.objects.get(question_id=first).chosen == asked[first].answer
    # The right answers are not on the page while the quiz is open.
    assert "your choice" not in page and "正确答案" not in page
    # A plain hand-in sends the other answers with the form.
    done = client.post(f"{url}submit/", {f"q-{second}": [str(i) for i in asked[second].answer]})
    assert done.status_code == 302
    paper.refresh_from_db()
    assert paper.status == "submitted" and str(paper.score) == "20.00"
    result = client.get(url).content.decode()
    assert "data-score>20.00<" in result and "已交卷" in result
    assert 'id="answers"' not in result  # early finishers cannot pass the answers on
    # Once the quiz has closed the right answers show.
    s.quiz.closes_at = timezone.now() - dt.timedelta(minutes=1)
    s.quiz.save()
    assert 'id="answers"' in client.get(url).content.decode()


def test_an_answer_after_the_time_sends_the_page_to_the_result(client, tree, people):
    s = open_now(tree, people)
    paper = quiz.start_paper(
        actor=s.alice, paper=s.paper(), now=timezone.now() - dt.timedelta(hours=1)
    )
    client.force_login(people["alice"])
    first = paper.questions[0]
    late = client.post(
        f"/assessment/quiz/papers/{paper.pk}/answer/",
        {"question": str(first), f"q-{first}": ["0"]},
        HTTP_HX_REQUEST="true",
    )
    assert late["HX-Redirect"] == f"/assessment/quiz/papers/{paper.pk}/"
    assert not PaperAnswer.objects.exists()
    assert Paper.objects.get(pk=paper.pk).status == "expired"
    result = client.get(f"/assessment/quiz/papers/{paper.pk}/").content.decode()
    assert "时间已到" in result and "data-score>0.00<" in result


def test_the_results_page(client, tree, people):
    s = open_now(tree, people)
    paper = quiz.start_paper(actor=s.alice, paper=s.paper())
    asked = Question.objects.in_bulk(paper.questions)
    for pk in paper.questions[:5]:
        quiz.save_answer(actor=s.alice, paper=paper, question_id=pk, chosen=asked[pk].answer)
    quiz.submit_paper(actor=s.alice, paper=paper)
    client.force_login(people["carol"])
    page = client.get(f"/assessment/quiz/{s.quiz.pk}/results/").content.decode()
    assert 'data-count="submitted">1<' in page and 'data-count="issued">1<' in page
    assert 'data-count="average">50.00<' in page
    assert 'data-worker="alice"' in page and "50.00" in page
