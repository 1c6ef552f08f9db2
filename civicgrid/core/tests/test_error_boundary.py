"""The page error boundary and the form parsers: the app's own error raised by a page view
answers with its message and its status, never a 500; the machine interfaces keep their own
error shapes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory
from django.utils import translation

from civicgrid.core.errors import CivicgridError, Conflict, InvalidInput, NotAllowed
from civicgrid.core.forms import (
    parse_date,
    parse_decimal,
    parse_id,
    parse_ids,
    parse_int,
    parse_optional_id,
    parse_year,
)
from civicgrid.core.limits import TooMany
from civicgrid.core.middleware import ErrorBoundaryMiddleware


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("value", ["abc", "", None, "0", "-3", "1.5", "²", str(2**63)])
def test_parse_id_refuses_anything_but_a_positive_whole_number(value):
    with pytest.raises(InvalidInput) as error:
        parse_id(value, "resource")
    assert error.value.field == "resource"
    assert "does not exist" in error.value.message


def test_parse_id_reads_ids_and_lists_of_them():
    assert parse_id(" 12 ", "topic") == 12
    assert parse_optional_id("", "member") is None
    assert parse_optional_id("7", "member") == 7
    assert parse_ids(["3", "4"], "attendees") == [3, 4]
    with pytest.raises(InvalidInput) as error:
        parse_ids(["3", "x"], "attendees")
    assert error.value.field == "attendees"


def test_parse_int_takes_a_default_and_refuses_what_no_column_holds():
    assert parse_int("", "people", 1) == 1
    assert parse_int("-4", "points") == -4
    for value in ("abc", "", None):
        with pytest.raises(InvalidInput, match="whole number"):
            parse_int(value, "points")
    with pytest.raises(InvalidInput, match="smaller"):
        parse_int(str(2**31), "points")


def test_parse_decimal_and_date_refuse_what_they_cannot_store():
    assert parse_decimal("1.5", "hours") == Decimal("1.5")
    assert parse_decimal("", "hours") is None
    for value in ("abc", "NaN", "Infinity"):
        with pytest.raises(InvalidInput, match="Enter a number"):
            parse_decimal(value, "hours")
    with pytest.raises(InvalidInput, match="smaller"):
        parse_decimal("1e30", "hours")
    assert parse_date("2026-12-02", "day") == dt.date(2026, 12, 2)
    with pytest.raises(InvalidInput, match="date"):
        parse_date("2026-13-01", "day")


def test_parse_year_keeps_to_the_years_a_page_may_ask_about():
    assert parse_year("", "year", 2026) == 2026
    assert parse_year("2030", "year", 2026) == 2030
    for value in ("99999", "0", "abc"):
        with pytest.raises(InvalidInput):
            parse_year(value, "year", 2026)


def _request(method: str, path: str):
    factory = RequestFactory()
    request = factory.post(path) if method == "POST" else factory.get(path)
    request.user = AnonymousUser()
    request.session = SessionStore()
    return request


def _answer(exception, *, method="GET", path="/community/"):
    boundary = ErrorBoundaryMiddleware(lambda request: None)
    return boundary.process_exception(_request(method, path), exception)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("error", "status", "template_text"),
    [
        (InvalidInput("Enter a whole number.", field="topic"), 400, "Bad request"),
        (Conflict("This need is matched."), 409, "Bad request"),
        (NotAllowed("You may not record needs here."), 403, "Not allowed"),
        (type("Gone", (CivicgridError,), {"status": 404})("No such thing."), 404, "not found"),
    ],
)
def test_an_app_error_on_a_page_answers_its_status_with_its_message(error, status, template_text):
    response = _answer(error)
    assert response.status_code == status
    page = response.content.decode()
    assert template_text in page
    if status != 404:  # the 404 page says what every 404 says
        assert error.message in page


@pytest.mark.django_db
def test_a_refused_form_links_back_to_itself():
    response = _answer(InvalidInput("Enter a date."), method="POST", path="/party/u/410102/shop/")
    assert 'href="/party/u/410102/shop/"' in response.content.decode()
    assert 'href="/community/"' not in _answer(InvalidInput("x")).content.decode()


@pytest.mark.django_db
def test_too_many_attempts_answer_429_with_retry_after():
    response = _answer(TooMany("Wait a minute.", retry_after=60))
    assert response.status_code == 429
    assert response["Retry-After"] == "60"


def test_machine_interfaces_and_other_exceptions_are_left_to_their_own_handlers():
    error = InvalidInput("Enter a whole number.")
    assert _answer(error, path="/api/v1/events/") is None
    assert _answer(error, path="/open311/v2/requests.json") is None
    assert _answer(ValueError("a bug")) is None  # a bug stays a logged 500
