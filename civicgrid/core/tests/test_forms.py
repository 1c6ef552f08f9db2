"""The form helpers every page uses: numbers and dates parsed with an error naming the field, a
failed public form kept (sealed, once, without its code) to be shown again, a POST turned
into a message and a redirect, a public door's rate limit answered with its own page."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse, QueryDict
from django.test import RequestFactory

from civicgrid.core import privacy
from civicgrid.core.errors import InvalidInput
from civicgrid.core.views import (
    keep_form,
    kept_form,
    limited,
    parse_date,
    parse_decimal,
    parse_int,
    posted,
    take_kept_form,
)

FORM = "name=张秀英&phone=13812345678&code=123456&csrfmiddlewaretoken=t&address=3号楼"


def _request(data: str = FORM, **extra):
    request = RequestFactory().post("/c/410102001001/", QueryDict(data), **extra)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_numbers_and_dates_are_parsed_or_named_in_the_error():
    assert parse_int("42", "capacity") == 42
    assert parse_int("", "capacity", 20) == 20
    assert parse_decimal("1.5", "hours") == Decimal("1.5")
    assert parse_decimal("", "hours") is None
    assert parse_date("2026-11-20", "held_on") == dt.date(2026, 11, 20)
    assert parse_date(None, "held_on") is None
    for parse, value, field in (
        (parse_int, "abc", "capacity"),
        (parse_int, None, "capacity"),
        (parse_decimal, "1,5", "hours"),
        (parse_date, "2026-13-01", "held_on"),
    ):
        with pytest.raises(InvalidInput) as error:
            parse(value, field)
        assert error.value.field == field


def test_a_kept_form_leaves_out_the_csrf_token_and_the_code():
    assert kept_form(QueryDict(FORM)) == {
        "name": "张秀英",
        "phone": "13812345678",
        "address": "3号楼",
    }


def test_a_form_kept_in_the_session_is_sealed_and_given_back_once():
    request = _request()
    keep_form(request)
    stored = request.session["civicgrid_kept_form"]
    assert "13812345678" not in stored and "张秀英" not in stored
    assert json.loads(privacy.decrypt(stored))["phone"] == "13812345678"
    assert take_kept_form(request) == kept_form(QueryDict(FORM))
    assert take_kept_form(request) == {}


@pytest.mark.parametrize("kept", ["not json", "[1, 2]", None])
def test_a_kept_form_that_cannot_be_read_is_nothing(kept):
    request = _request()
    # Not JSON, not a form, or not a token of ours (a key that is gone reads as "?").
    request.session["civicgrid_kept_form"] = privacy.encrypt(kept) if kept else "x"
    assert take_kept_form(request) == {}


@pytest.mark.django_db
def test_a_post_ends_in_a_message_and_a_redirect():
    def fails():
        raise InvalidInput("Enter a date.", field="held_on")

    request = _request()
    response = posted(request, lambda: None, "Saved.", "home")
    assert response.status_code == 302 and response.url == "/"
    response = posted(request, fails, "Saved.", "events:board", code="410102")
    assert response.url == "/events/board/410102/"
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [
        ("success", "Saved."),
        ("error", "Enter a date."),
    ]


@pytest.mark.django_db
def test_a_limited_door_answers_429_with_retry_after_past_its_limit(settings):
    settings.RATE_LIMITS = {"probe_ip": (2, 3600), "probe_phone": (1, 3600)}
    calls = []

    @limited("probe", phone_field="phone")
    def view(request):
        calls.append(request.method)
        return HttpResponse("ok")

    factory = RequestFactory()
    # GET is not limited unless named; the first two POSTs from an address pass.
    assert view(factory.get("/", REMOTE_ADDR="203.0.113.1")).status_code == 200
    assert view(factory.post("/", {}, REMOTE_ADDR="203.0.113.1")).status_code == 200
    assert view(factory.post("/", {}, REMOTE_ADDR="203.0.113.1")).status_code == 200
    refused = view(factory.post("/", {}, REMOTE_ADDR="203.0.113.1"))
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert calls == ["GET", "POST", "POST"]
    # One phone is counted across addresses.
    data = {"phone": "138 1234 5678"}
    assert view(factory.post("/", data, REMOTE_ADDR="203.0.113.2")).status_code == 200
    assert view(factory.post("/", data, REMOTE_ADDR="203.0.113.3")).status_code == 429


@pytest.mark.django_db
def test_a_door_chosen_by_the_form_or_none(settings):
    settings.RATE_LIMITS = {"enrol_ip": (1, 3600)}

    @limited(lambda request: "enrol" if request.POST.get("action") == "enrol" else None)
    def view(request):
        return HttpResponse("ok")

    factory = RequestFactory()
    for _ in range(3):
        assert view(factory.post("/", {"action": "look"})).status_code == 200
    assert view(factory.post("/", {"action": "enrol"})).status_code == 200
    assert view(factory.post("/", {"action": "enrol"})).status_code == 429
