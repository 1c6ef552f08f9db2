"""Chinese first: every message of the knowledge test has its zh_Hans translation — the
literals of its modules (as gettext's extractor reads them), the quiz's words in the models,
and the pages, which must show no English words of ours."""

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from civicgrid.assessment import quiz
from civicgrid.assessment.models import PaperStatus, QuestionKind, Topic
from civicgrid.assessment.tests.quiz_kit import setup

PACKAGE = Path(__file__).resolve().parents[1]
MODULES = ["quiz.py", "quiz_views.py", "quiz_selectors.py", "quiz_api.py"]
PLAIN = {"_", "gettext", "gettext_lazy"}
# Words a Chinese page shows as they are: the file format, and the personas' names.
ALLOWED = {"Excel", "xlsx", "Alice", "Carol"}
CONTEXT = {"pgettext", "pgettext_lazy"}


def messages(path: Path) -> list[tuple[str, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        args = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if node.func.id in PLAIN and len(args) == 1:
            found.append(("", args[0]))
        elif node.func.id in CONTEXT and len(args) == 2:
            found.append((args[0], args[1]))
    return found


def translated(context: str, msgid: str) -> bool:
    with translation.override("zh-hans"):
        text = pgettext(context, msgid) if context else gettext(msgid)
    return text != msgid


@pytest.mark.parametrize("module", MODULES)
def test_every_message_of_the_quiz_is_translated(module):
    found = messages(PACKAGE / module)
    assert found or module in {"quiz_selectors.py", "quiz_api.py"}
    assert [m for m in found if not translated(*m)] == []


def test_the_quiz_words_of_the_models_are_translated():
    with translation.override("zh-hans"):
        labels = [str(label) for c in (Topic, QuestionKind, PaperStatus) for label in c.labels]
        labels += [str(label) for label in quiz.STATUS_LABELS.values()]
    assert [label for label in labels if re.search("[A-Za-z]{3,}", label)] == []


@pytest.mark.django_db
def test_the_pages_show_no_english(client, tree, people):
    now = timezone.now()
    s = setup(
        tree, people, opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=1)
    )
    paper = s.paper()
    client.force_login(s.staff)
    assessor_pages = [
        f"/assessment/quiz/bank/{tree.street_a.code}/",
        f"/assessment/quiz/bank/{tree.street_a.code}/new/",
        f"/assessment/quiz/bank/{tree.street_a.code}/import/",
        f"/assessment/quiz/plans/{s.plan.pk}/",
        f"/assessment/quiz/{s.quiz.pk}/results/",
    ]
    bodies = [client.get(url).content.decode() for url in assessor_pages]
    client.force_login(s.alice)
    url = f"/assessment/quiz/papers/{paper.pk}/"
    bodies.append(client.get(url).content.decode())
    client.post(f"{url}start/")
    bodies.append(client.get(url).content.decode())
    client.post(f"{url}submit/")
    bodies.append(client.get(url).content.decode())
    bodies.append(client.get("/assessment/quiz/").content.decode())
    for body in bodies:
        main = body.split('<main id="main"', 1)[1].split(">", 1)[1].split("</main>", 1)[0]
        text = re.sub(r"<[^>]+>", " ", main)
        english = [w for w in re.findall(r"\b[A-Za-z]{4,}\b", text) if w not in ALLOWED]
        assert english == [], english
