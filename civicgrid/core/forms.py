"""Values read from a form or a query string. Each parser returns the value or raises
InvalidInput naming the field, which a page shows as a message (core.middleware's error
boundary) and never lets become a 500."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from civicgrid.core.errors import InvalidInput

# The ranges of the columns behind a form's numbers (an IntegerField on every database) and
# its ids (a bigint; SQLite's INTEGER): beyond them a query fails in the driver, a 500.
_LARGEST_NUMBER = 2**31 - 1
_LARGEST_ID = 2**63 - 1
# Whole digits of the widest DecimalField a form fills (max_digits=8, decimal_places=1).
_DECIMAL_DIGITS = 7


def parse_int(value: str | None, field: str, default: int | None = None) -> int:
    """A whole number from a form; `default` for a blank one; a clear error naming the field."""
    if value in (None, "") and default is not None:
        return default
    try:
        number = int(value or "")
    except ValueError as exc:
        raise InvalidInput(_("Enter a whole number."), field=field) from exc
    if abs(number) > _LARGEST_NUMBER:
        raise InvalidInput(_("Enter a smaller number."), field=field)
    return number


# The years a page may be asked about (a plan, a branch's organisational life): a year
# outside 1–9999 cannot even be filtered on.
YEARS = range(2000, 2101)


def parse_year(value: str | None, field: str, default: int) -> int:
    """A year from a form or a query string (`default` for a blank one), one of `YEARS`."""
    year = parse_int(value, field, default)
    if year not in YEARS:
        raise InvalidInput(_("Give a year between 2000 and 2100."), field=field)
    return year


def parse_decimal(value: str | None, field: str) -> Decimal | None:
    """A number from a form (None for a blank one)."""
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise InvalidInput(_("Enter a number."), field=field) from exc
    if not number.is_finite():  # "NaN" and "Infinity" parse, but no column stores them
        raise InvalidInput(_("Enter a number."), field=field)
    if number.adjusted() >= _DECIMAL_DIGITS:  # "1e30" parses, but fails the column's digits
        raise InvalidInput(_("Enter a smaller number."), field=field)
    return number


def parse_date(value: str | None, field: str) -> dt.date | None:
    """An ISO date from a form (None for a blank one)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(_("Enter a date."), field=field) from exc


def parse_id(value: str | None, field: str) -> int:
    """The id of a row a form names (a select's or a hidden input's value). Anything but a
    positive whole number is a stale or altered form: a clear error naming the field."""
    try:
        number = int(value or "")
    except ValueError:
        number = 0
    if not 0 < number <= _LARGEST_ID:
        raise InvalidInput(
            _("The form names an item that does not exist; reload the page and choose again."),
            field=field,
        )
    return number


def parse_optional_id(value: str | None, field: str) -> int | None:
    """`parse_id`, or None when the form left the choice blank."""
    return None if value in (None, "") else parse_id(value, field)


def parse_ids(values: Iterable[str], field: str) -> list[int]:
    """The ids of a multiple choice (`request.POST.getlist(field)`), each checked by
    `parse_id`."""
    return [parse_id(value, field) for value in values]
