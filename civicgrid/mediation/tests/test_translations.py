"""Chinese first: every message of the mediation core (and the words it added to events and
classes) has its zh_Hans translation. The messages are read from the source, as gettext's
extractor does: each literal passed to _(), gettext(), gettext_lazy() or pgettext*()."""

import ast
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

PACKAGE = Path(__file__).resolve().parents[2]
MODULES = [
    *(
        f"mediation/{name}.py"
        for name in (
            "models",
            "services",
            "workflow",
            "roles",
            "selectors",
            "rollups",
            "erasure",
            "tasks",
            "apps",
        )
    ),
]
# The words mediation added to other apps' modules.
ADDED = [
    ("events/services.py", "", "Taken on as mediation case %(number)s."),
    ("events/models.py", "", "Hand to mediation"),
    ("classes/models.py", "", "Mediation room"),
]
PLAIN = {"_", "gettext", "gettext_lazy", "gettext_noop"}
CONTEXT = {"pgettext", "pgettext_lazy"}


def messages(path: Path) -> list[tuple[str, str]]:
    """(context, msgid) of every literal message in the module."""
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
def test_every_message_of_the_core_is_translated(module):
    found = messages(PACKAGE / module)
    assert found or module.endswith(
        ("workflow.py", "roles.py", "selectors.py", "rollups.py", "erasure.py", "tasks.py")
    )
    missing = [msgid for context, msgid in found if not translated(context, msgid)]
    assert missing == []


def test_the_words_added_to_events_and_classes_are_translated():
    for module, context, msgid in ADDED:
        assert (context, msgid) in messages(PACKAGE / module), module
        assert translated(context, msgid), msgid


def test_the_document_number_and_the_statuses_read_as_the_people_s_mediation_law_writes_them():
    from civicgrid.mediation.models import CaseStatus

    with translation.override("zh-hans"):
        number = gettext("〔%(year)s〕%(unit)s mediation no. %(number)s") % {
            "year": 2026,
            "unit": "河南纺机社区",
            "number": 3,
        }
        assert number == "〔2026〕河南纺机社区调字第3号"
        labels = [str(label) for _value, label in CaseStatus.choices]
    assert labels == [
        "待受理",
        "已受理",
        "不予受理",
        "调解中",
        "达成协议",
        "调解不成",
        "已移交",
        "已回访",
        "已结案",
    ]
