"""Chinese first: every message of selections (its modules and templates, and the words it
added to messaging and the menu) has its zh_Hans translation. Python messages are read from the
source as gettext's extractor does; template messages from {% translate %} and
{% blocktranslate %} tags."""

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

PACKAGE = Path(__file__).resolve().parents[2]
MODULES = sorted((PACKAGE / "selections").glob("*.py"))
TEMPLATES = sorted((PACKAGE / "selections" / "templates" / "selections").glob("*.html"))
ADDED = [
    ("", "vote in a selection"),
    ("", "nominate someone in a selection"),
    ("", "Selections"),
    ("", "Public selections"),
    ("", "Nominate and vote for the people who serve us"),
]
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


def template_messages(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    found = [
        (m.group(3) or "", m.group(2))
        for m in re.finditer(r"{% translate (['\"])(.*?)\1(?: context \"(.*?)\")? %}", text)
    ]
    for m in re.finditer(r"{% blocktranslate([^%]*)%}(.*?){% endblocktranslate %}", text, re.S):
        body = re.sub(r"{{ (\w+) }}", r"%(\1)s", m.group(2))
        if "{% plural %}" in body:
            found.append(("plural", body))
        else:
            found.append(("", body))
    return found


def translated(context: str, msgid: str) -> bool:
    with translation.override("zh-hans"):
        if context == "plural":
            singular, plural = msgid.split("{% plural %}")
            return ngettext(singular, plural, 1) != singular
        text = pgettext(context, msgid) if context else gettext(msgid)
    return text != msgid


@pytest.mark.parametrize("path", MODULES + TEMPLATES, ids=lambda p: p.name)
def test_every_message_is_translated(path):
    found = python_messages(path) if path.suffix == ".py" else template_messages(path)
    missing = [msgid for context, msgid in found if not translated(context, msgid)]
    assert missing == []


def test_the_words_added_elsewhere_are_translated():
    assert [m for c, m in ADDED if not translated(c, m)] == []


def test_the_extractor_finds_messages():
    assert ("", "Voting is not open now.") in python_messages(
        PACKAGE / "selections" / "services.py"
    )
    page = template_messages(PACKAGE / "selections" / "templates" / "selections" / "selection.html")
    assert ("selection", "Log") in page and any(c == "plural" for c, _m in page)
