"""The door helpers: links only by http(s), redirects only to this site, text without
control characters."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from civicgrid.core.cleaning import (
    is_local_url,
    plain_text,
    redirect_back,
    redirect_to_local,
    validate_web_url,
    web_url,
)
from civicgrid.core.errors import InvalidInput


@pytest.mark.parametrize(
    "value",
    ["https://live.example.org/zy", "http://10.0.0.5:8080/live?room=1", "HTTPS://Example.org"],
)
def test_it_accepts_web_links(value):
    assert web_url(f"  {value} ", field="link") == value
    validate_web_url(value)


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example.org/x",
        "/relative/path",
        "http://",
        "https://exa mple.org",
        "https://example.org/\x00",
    ],
)
def test_it_refuses_other_links(value):
    with pytest.raises(InvalidInput) as error:
        web_url(value, field="link")
    assert error.value.field == "link"
    with pytest.raises(ValidationError):
        validate_web_url(value)


def test_a_blank_link_stays_blank():
    assert web_url("  ", field="link") == ""
    assert web_url(None, field="link") == ""


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("/events/tasks/", True),
        ("http://testserver/people/", True),
        ("https://evil.example.org/", False),
        ("//evil.example.org/", False),
        ("/\\evil.example.org", False),
        ("javascript:alert(1)", False),
        ("", False),
        (None, False),
    ],
)
def test_only_this_site_is_local(url, local):
    request = RequestFactory().get("/")
    assert is_local_url(request, url) is local


@pytest.mark.django_db
def test_redirects_leave_the_site_only_for_the_fallback():
    request = RequestFactory().get("/", HTTP_REFERER="https://evil.example.org/phish")
    assert redirect_back(request, "home").url == "/"
    assert redirect_to_local(request, "https://evil.example.org/", "home").url == "/"
    assert redirect_to_local(request, "/people/?q=1", "home").url == "/people/?q=1"


def test_plain_text_drops_control_characters_but_keeps_lines_and_tabs():
    assert plain_text("a\x00b\x0bc\x1fd\x7fe\x85f") == "abcdef"
    assert plain_text("line one\r\nline two\tend") == "line one\nline two\tend"
    assert plain_text("中文 · ok") == "中文 · ok"
    assert plain_text(None) == ""


def test_required_text_is_plain_text_too():
    from civicgrid.core.errors import required

    assert required(" 党群\x00服务\x0b中心 ", "name", "Name") == "党群服务中心"
    with pytest.raises(InvalidInput):
        required("\x00\x0b", "name", "Name")


def test_form_answers_are_made_plain():
    from civicgrid.core.cleaning import plain_values

    assert plain_values({"a": "x\x00", "b": ["y\x0b", 3], "c": None}) == {
        "a": "x",
        "b": ["y", 3],
        "c": None,
    }


def test_json_and_query_input_lose_control_characters():
    from civicgrid.core.middleware import PlainTextInputMiddleware

    middleware = PlainTextInputMiddleware(lambda request: None)
    request = RequestFactory().post(
        "/api/v1/x?q=a%0Bb",
        data='{"title": "a\\u000bb", "n": 1.5, "list": ["c\\u0000d"]}',
        content_type="application/json",
    )
    middleware.process_view(request, None, (), {})
    assert json.loads(request.body) == {"title": "ab", "n": 1.5, "list": ["cd"]}
    assert request.GET["q"] == "ab"


def test_passwords_are_not_rewritten():
    from civicgrid.core.middleware import PlainTextInputMiddleware

    request = RequestFactory().post("/login/", {"username": "a\x00", "password": "p\x0bw"})
    PlainTextInputMiddleware(lambda request: None).process_view(request, None, (), {})
    assert request.POST["username"] == "a" and request.POST["password"] == "p\x0bw"


def test_on_https_a_plain_http_link_to_this_site_is_not_local():
    request = RequestFactory().get("/", secure=True)
    assert is_local_url(request, "https://testserver/people/")
    assert not is_local_url(request, "http://testserver/people/")


@pytest.mark.django_db
def test_the_fallback_is_a_url_name_with_its_arguments_or_a_path():
    request = RequestFactory().get("/", HTTP_REFERER="javascript:alert(1)")
    assert redirect_back(request, "events:board", code="410102").url == "/events/board/410102/"
    assert redirect_to_local(request, None, "/people/").url == "/people/"


def test_answers_in_tuples_are_made_plain_lists_and_other_values_kept():
    from civicgrid.core.cleaning import plain_values

    assert plain_values(("a\x00", 1.5, True)) == ["a", 1.5, True]
    assert plain_values(None) is None
