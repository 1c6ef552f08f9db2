"""Chinese first: every message of the 查/听 part — its modules' gettext literals and its
templates' {% translate %} and {% blocktranslate %} strings — has its zh_Hans translation, and
so have the choices it shows (draw kinds, qualities, aspects)."""

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext
from django.utils.translation.template import templatize

from civicgrid.assessment.models import Aspect, DrawKind, Quality

APP = Path(__file__).resolve().parents[1]
# check_selectors.py says nothing to users: its refusals are 404s.
MODULES = ["sampling.py", "checks.py", "check_views.py"]
TEMPLATES = sorted(
    path.name
    for path in (APP / "templates" / "assessment").glob("*.html")
    if path.name.startswith(("check_", "inspection_", "_check", "_draw"))
)
PLAIN = {"_", "gettext", "gettext_lazy"}
CONTEXT = {"pgettext", "pgettext_lazy"}
LITERAL = r"""u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""


def module_messages(path: Path) -> list[tuple[str, str]]:
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


def template_messages(path: Path) -> list[tuple[str, str]]:
    """What makemessages would extract: Django's own templatize, read back."""
    text = templatize(path.read_text(encoding="utf-8"))
    found = [
        (ast.literal_eval(context), ast.literal_eval(msgid))
        for context, msgid in re.findall(rf"\bpgettext\({LITERAL},\s*{LITERAL}\)", text)
    ]
    found += [
        ("", ast.literal_eval(msgid))
        for msgid in re.findall(rf"(?:(?<![np])gettext|\b_)\({LITERAL}\)", text)
    ]
    return found


def untranslated(messages: list[tuple[str, str]]) -> list[str]:
    with translation.override("zh-hans"):
        return [
            msgid
            for context, msgid in messages
            if (pgettext(context, msgid) if context else gettext(msgid)) == msgid
        ]


@pytest.mark.parametrize("module", MODULES)
def test_every_message_of_the_modules_is_translated(module):
    messages = module_messages(APP / module)
    assert messages
    assert untranslated(messages) == []


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_message_of_the_templates_is_translated(template):
    messages = template_messages(APP / "templates" / "assessment" / template)
    assert messages
    assert untranslated(messages) == []


def test_the_choices_shown_are_translated():
    with translation.override("zh-hans"):
        labels = [str(label) for choices in (DrawKind, Quality, Aspect) for label in choices.labels]
    assert not [label for label in labels if not re.search(r"[\u4e00-\u9fff]", label)]
    assert "在岗履职" in labels and "优质" in labels and "社区" in labels
