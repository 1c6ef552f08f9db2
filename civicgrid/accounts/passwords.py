"""The password policy for passwords people choose (the change-password page, the admin,
createsuperuser): with Django's validators in settings — at least 10 characters, not all
digits, not a common password, not like the user's name — this one asks for 3 of the 4
character classes, as government systems commonly require (等保 2.0).

Django runs validators only where a password is chosen through a form, so accounts made by
code (the demo's shared password, tests) are not checked."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digits and other characters `password` uses."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                ngettext(
                    "Use at least %(n)d kind of character: lower-case letters, capitals, "
                    "digits, other signs.",
                    "Use at least %(n)d of these kinds of characters: lower-case letters, "
                    "capitals, digits, other signs.",
                    self.min_classes,
                )
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least %(n)d of: lower-case letters, capitals, digits, "
            "other signs."
        ) % {"n": self.min_classes}
