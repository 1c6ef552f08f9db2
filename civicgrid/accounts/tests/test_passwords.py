"""Passwords people choose meet the policy; everyone can change their own; a session ends
after the configured idle time."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

from civicgrid.core.middleware import IdleSessionMiddleware

GOOD = "Wangge-2026-qiang"


@pytest.mark.parametrize(
    "password",
    [
        "Ab1!xyz",  # too short
        "1234567890123",  # all digits
        "Password123",  # 3 classes and long enough, but common
        "correcthorsebattery",  # one class
        "civicgrid-demo",  # two classes: the demo's shared password is not for people to pick
        "correct horse battery",  # two classes
    ],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", [GOOD, "lao-wang-1958-A", "网格Grid-2026x"])
def test_mixed_passwords_are_accepted(password):
    validate_password(password)


def test_the_policy_asks_for_ten_characters():
    with pytest.raises(ValidationError):
        validate_password("Ab1-Ab1-A")  # 9
    validate_password("Ab1-Ab1-Ax")  # 10


def test_accounts_made_by_code_keep_their_password(people, client):
    # The demo and the tests make accounts in code; the policy applies where people choose.
    response = client.post("/login/", {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 302 and response.url == "/"


def test_the_nav_links_to_the_change_password_page(client, people):
    client.force_login(people["alice"])
    assert 'href="/password/"' in client.get("/").content.decode()


def test_a_user_changes_their_password(client, people):
    client.force_login(people["alice"])
    assert client.get("/password/").status_code == 200
    weak = client.post(
        "/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": "short",
            "new_password2": "short",
        },
    )
    assert weak.status_code == 200 and weak.context["form"].errors
    response = client.post(
        "/password/",
        {"old_password": "correct horse battery", "new_password1": GOOD, "new_password2": GOOD},
    )
    assert response.status_code == 302 and response.url == "/password/done/"
    assert client.get("/password/done/").status_code == 200
    alice = get_user_model().objects.get(username="alice")
    assert alice.check_password(GOOD)


def test_a_wrong_current_password_changes_nothing(client, people):
    client.force_login(people["bob"])
    response = client.post(
        "/password/", {"old_password": "wrong", "new_password1": GOOD, "new_password2": GOOD}
    )
    assert response.status_code == 200
    assert get_user_model().objects.get(username="bob").check_password("correct horse battery")


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/password/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_sessions_last_the_idle_time(settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def _session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_an_idle_session_ends(client, people):
    client.force_login(people["alice"])
    assert client.get("/").status_code == 200
    Session.objects.filter(pk=_session(client).pk).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_a_request_pushes_the_end_of_the_session_on(client, people):
    client.force_login(people["alice"])
    client.get("/")
    soon = timezone.now() + dt.timedelta(minutes=2)
    # As if the last request was long ago and the session had two minutes left.
    session = client.session
    session[IdleSessionMiddleware.KEY] = 0
    session.save()
    Session.objects.filter(session_key=session.session_key).update(expire_date=soon)
    assert client.get("/").status_code == 200
    renewed = _session(client).expire_date
    assert renewed > soon + dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES - 5)
