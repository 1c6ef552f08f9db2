"""Chinese first: every message of routing — its modules' gettext literals, its templates'
strings and its choices — has its zh_Hans translation."""

from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

from civicgrid.assessment.tests.test_check_translations import module_messages, template_messages
from civicgrid.routing.models import ClassifierAction, ClassifierStatus, Target

APP = Path(__file__).resolve().parents[1]
MESSAGES = sorted(
    {
        message
        for path in [*APP.glob("*.py"), *(APP / "management" / "commands").glob("*.py")]
        for message in module_messages(path)
    }
    | {
        message
        for path in (APP / "templates" / "routing").glob("*.html")
        for message in template_messages(path)
    }
)


@pytest.mark.parametrize(("context", "message"), MESSAGES)
def test_every_message_is_translated(context, message):
    with translation.override("zh-hans"):
        said = pgettext(context, message) if context else gettext(message)
    assert said != message


@pytest.mark.parametrize("choices", [Target, ClassifierStatus, ClassifierAction])
def test_every_choice_is_translated(choices):
    with translation.override("en"):
        english = [str(label) for _value, label in choices.choices]
    with translation.override("zh-hans"):
        chinese = [str(label) for _value, label in choices.choices]
    assert not set(english) & set(chinese)
