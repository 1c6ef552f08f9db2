"""The one application error type. Services raise it; pages show it, the API maps it to JSON."""

from typing import TYPE_CHECKING, Any, TypeVar, overload

from django.db.models import Choices
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

_T = TypeVar("_T")


class CivicgridError(Exception):
    """A rule of the domain was broken. `message` is translated and fit to show a user."""

    status = 400

    def __init__(
        self, message: "str | _StrPromise", *, field: str | None = None, details: Any = None
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.details = details


class InvalidInput(CivicgridError):
    """Bad input: the message names the field or the row."""


class NotAllowed(CivicgridError):
    """The actor may see the object but may not make this change."""

    status = 403


class Conflict(CivicgridError):
    """The change collides with the current state (a concurrent step, a taken code)."""

    status = 409


@overload
def required(value: str | None, field: str, label: str) -> str: ...
@overload
def required(value: _T | None, field: str, label: str) -> _T: ...
def required(value: object, field: str, label: str) -> object:
    """`value` (a string stripped, as plain text without control characters); a clear error
    naming the field when it is empty or None."""
    from civicgrid.core.cleaning import plain_text  # cleaning raises InvalidInput from here

    if value is None or isinstance(value, str):
        value = plain_text(value).strip()
        if not value:
            raise InvalidInput(_("%(label)s is required.") % {"label": label}, field=field)
    return value


def choice(value: str, choices: type[Choices], field: str) -> str:
    """`value` when it is one of `choices` (a TextChoices class); a clear error otherwise."""
    if value not in choices.values:
        raise InvalidInput(_("Choose a valid %(field)s.") % {"field": field}, field=field)
    return value
