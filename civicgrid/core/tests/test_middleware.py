"""The middleware on every request: Chinese unless the user chose otherwise, text without control
characters in forms, a signed-in session renewed at most once a minute, security headers."""

from types import SimpleNamespace

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from civicgrid.core import middleware
from civicgrid.core.middleware import (
    IdleSessionMiddleware,
    LanguageMiddleware,
    PlainTextInputMiddleware,
    SecurityHeadersMiddleware,
    content_security_policy,
)


def _language_seen(request) -> tuple[str, HttpResponse]:
    seen = []

    def view(request):
        seen.append(translation.get_language())
        return HttpResponse("ok")

    with translation.override("zh-hans"):  # the language chosen here ends with the request
        response = LanguageMiddleware(view)(request)
    return seen[0], response


@pytest.mark.parametrize(
    ("cookie", "expected"),
    [(None, "zh-hans"), ("en", "en"), ("xx", "zh-hans"), ("zh-hans", "zh-hans")],
)
def test_the_language_is_the_users_choice_else_chinese(settings, cookie, expected):
    factory = RequestFactory(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")  # an office PC's browser
    if cookie:
        factory.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    request = factory.get("/")
    language, response = _language_seen(request)
    assert language == expected == request.LANGUAGE_CODE
    assert response["Content-Language"] == expected


def test_a_form_post_arrives_without_control_characters():
    request = RequestFactory().post("/x/", {"title": "消防\x00通道\x1b堵塞", "note": "一\n二\t三"})
    PlainTextInputMiddleware(lambda request: None).process_view(request, lambda r: None, (), {})
    assert request.POST["title"] == "消防通道堵塞"
    assert request.POST["note"] == "一\n二\t三"


def test_a_csrf_exempt_upload_is_left_for_its_view_to_read():
    def view(request):
        return None

    view.csrf_exempt = True
    request = RequestFactory().post("/open311/v2/requests.json", {"description": "a\x00b"})
    PlainTextInputMiddleware(lambda request: None).process_view(request, view, (), {})
    assert not hasattr(request, "_post")  # not parsed by the middleware


def test_the_security_headers_do_not_override_a_views_own():
    def view(request):
        response = HttpResponse("ok")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = SecurityHeadersMiddleware(view)(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Permissions-Policy"]
    plain = SecurityHeadersMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert plain["Content-Security-Policy"] == content_security_policy()


def test_no_directive_of_the_policy_is_left_without_a_source(settings):
    settings.MAP_TILE_URL = ""
    settings.CSP_IMG_SOURCES = []
    directives = [part.split() for part in content_security_policy().split(";")]
    assert all(len(directive) >= 2 for directive in directives)
    assert "  " not in content_security_policy()


class _Session(dict[str, object]):
    session_key = "k"


class _User:
    is_authenticated = True


def _touch(session, *, user=None, at: int, monkeypatch) -> None:
    monkeypatch.setattr(middleware, "time", SimpleNamespace(time=lambda: at))
    request = RequestFactory().get("/")
    request.session, request.user = session, user or _User()  # type: ignore[assignment]
    IdleSessionMiddleware(lambda request: HttpResponse("ok"))(request)


def test_a_signed_in_session_is_touched_at_most_once_a_minute(monkeypatch):
    session = _Session()
    _touch(session, at=1_000_000, monkeypatch=monkeypatch)
    assert session[IdleSessionMiddleware.KEY] == 1_000_000
    _touch(session, at=1_000_059, monkeypatch=monkeypatch)
    assert session[IdleSessionMiddleware.KEY] == 1_000_000
    _touch(session, at=1_000_060, monkeypatch=monkeypatch)
    assert session[IdleSessionMiddleware.KEY] == 1_000_060


def test_an_anonymous_session_is_not_kept_alive(monkeypatch):
    class Anonymous:
        is_authenticated = False

    session = _Session()
    _touch(session, user=Anonymous(), at=1_000_000, monkeypatch=monkeypatch)
    assert IdleSessionMiddleware.KEY not in session
