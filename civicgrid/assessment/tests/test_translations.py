"""Chinese first: every message of the plan's modules and templates, and the labels of the
plan's models that its pages show, has its zh_Hans translation. Messages are read from the
source as gettext's extractor does (literals passed to _(), gettext*(), pgettext*(), and the
templates' translate / blocktranslate tags)."""

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

from civicgrid.assessment.models import (
    AppealAction,
    AppealStatus,
    Part,
    PlanAction,
    PlanStatus,
    Source,
)

APP = Path(__file__).resolve().parents[1]
MODULES = ["services.py", "views.py", "export.py", "api.py", "selectors.py", "scoring.py"]
TEMPLATES = sorted(
    path
    for path in (APP / "templates" / "assessment").glob("*.html")
    if path.name.startswith(("plan_", "honour_"))
)
PLAIN = {"_", "gettext", "gettext_lazy"}
CONTEXT = {"pgettext", "pgettext_lazy"}


def python_messages(path: Path) -> list[tuple[str, str]]:
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


def _placeholders(text: str) -> str:
    return re.sub(r"\{\{ *(\w+)(?:\|[^}]*)? *\}\}", r"%(\1)s", text)


def template_messages(path: Path) -> list[tuple[str, str, str | None]]:
    text = path.read_text(encoding="utf-8")
    found: list[tuple[str, str, str | None]] = []
    for quote in ('"', "'"):
        text_ = rf"{quote}([^{quote}]+){quote}"
        pattern = rf"\{{% translate {text_}(?: context {text_})? %\}}"
        found += [(m.group(2) or "", m.group(1), None) for m in re.finditer(pattern, text)]
    for m in re.finditer(r"\{% blocktranslate[^%]*%\}(.*?)\{% endblocktranslate %\}", text, re.S):
        body = m.group(1)
        if "{% plural %}" in body:
            one, many = body.split("{% plural %}")
            found.append(("", _placeholders(one), _placeholders(many)))
        else:
            found.append(("", _placeholders(body), None))
    return found


def translated(context: str, msgid: str, plural: str | None = None) -> bool:
    with translation.override("zh-hans"):
        if plural is not None:
            return ngettext(msgid, plural, 1) != msgid
        text = pgettext(context, msgid) if context else gettext(msgid)
    return text != msgid


@pytest.mark.parametrize("module", MODULES)
def test_every_message_of_the_plan_modules_is_translated(module):
    found = python_messages(APP / module)
    assert found or module in {"selectors.py", "scoring.py"}
    assert [m for c, m in found if not translated(c, m)] == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_message_of_the_plan_templates_is_translated(template):
    found = template_messages(template)
    assert found
    assert [m for c, m, p in found if not translated(c, m, p)] == []


@pytest.mark.parametrize(
    "choices", [PlanStatus, PlanAction, Part, Source, AppealStatus, AppealAction]
)
def test_the_labels_the_pages_show_are_chinese(choices):
    with translation.override("zh-hans"):
        labels = [str(label) for _value, label in choices.choices]
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels


def test_the_statuses_and_parts_read_as_the_street_says_them():
    with translation.override("zh-hans"):
        assert [str(label) for _v, label in PlanStatus.choices] == [
            "草拟中",
            "进行中",
            "成绩公示中",
            "已发布",
        ]
        assert str(Part.HEAR.label) == "听 · 现场察看"
        assert gettext("My assessment") == "我的考核" and gettext("Assessment") == "考核"
