"""The log-in page, the wait page of a locked-out pair, the password policy's own rule, and who
may look users and tokens up in the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation

from civicgrid.accounts import lockout
from civicgrid.accounts.passwords import CharacterClassValidator, character_classes
from civicgrid.accounts.tokens import issue_token
from civicgrid.accounts.views import locked_out

GOOD = "correct horse battery"


def test_the_log_in_page_logs_a_user_in_and_out(client, people):
    page = client.get("/login/")
    assert page.status_code == 200 and 'name="password"' in page.content.decode()
    response = client.post("/login/", {"username": "alice", "password": GOOD})
    assert response.status_code == 302 and response.url == "/"
    assert client.session["_auth_user_id"] == str(people["alice"].pk)
    # Logged in, the log-in page sends the user on.
    assert client.get("/login/").status_code == 302
    client.post("/logout/")
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_or_a_disabled_account_does_not_log_in(client, people):
    wrong = client.post("/login/", {"username": "alice", "password": "wrong"})
    assert wrong.status_code == 200 and 'role="alert"' in wrong.content.decode()
    people["bob"].is_active = False
    people["bob"].save()
    disabled = client.post("/login/", {"username": "bob", "password": GOOD})
    assert disabled.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_wait_page_says_how_long_and_answers_429(db, settings):
    settings.LOGIN_FREE_FAILURES = 3
    request = RequestFactory().post("/login/", {"username": "alice"}, REMOTE_ADDR="203.0.113.5")
    # Nothing recorded yet: the page still asks for a wait of at least a second.
    assert lockout.wait_left(request, {"username": "alice"}) == 0
    with translation.override("en"):
        response = locked_out(request, credentials={"username": "alice"})
    assert response.status_code == 429 and response["Retry-After"] == "1"
    assert "Wait 1 second before trying again" in response.content.decode()


def test_without_a_request_axes_gets_the_free_failures(settings):
    settings.LOGIN_FREE_FAILURES = 4
    assert lockout.failure_limit(None) == 4


@pytest.mark.parametrize(
    ("password", "classes"),
    [("abc", 1), ("abcDEF", 2), ("abc123", 2), ("abc-DEF-123", 4), ("网格Grid-2026", 4), ("", 0)],
)
def test_it_counts_the_kinds_of_characters(password, classes):
    assert character_classes(password) == classes


def test_the_rule_asks_for_as_many_kinds_as_configured():
    with translation.override("en"):
        four = CharacterClassValidator(min_classes=4)
        with pytest.raises(ValidationError) as error:
            four.validate("wangge-2026")  # three kinds: no capital
        assert error.value.error_list[0].code == "password_too_simple"
        assert "at least 4 of these kinds" in error.value.messages[0]
        four.validate("Wangge-2026")
        assert "at least 4 of" in four.get_help_text()
        with pytest.raises(ValidationError) as error:
            CharacterClassValidator(min_classes=1).validate("")
        assert "at least 1 kind of character" in error.value.messages[0]


def test_the_change_password_page_explains_the_policy_and_names_the_broken_rule(
    client, people, settings
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(people["alice"])
    page = client.get("/password/").content.decode()
    assert "must contain at least 10 characters" in page
    assert "must mix at least 3 of" in page
    data = {"old_password": GOOD, "new_password1": "wangge-zhongyuan", "new_password2": ""}
    data["new_password2"] = data["new_password1"]
    refused = client.post("/password/", data).content.decode()
    assert "Use at least 3 of these kinds of characters" in refused
    assert people["alice"].__class__.objects.get(pk=people["alice"].pk).check_password(GOOD)


def test_unit_managers_look_up_only_the_users_under_their_units(client, people, tree):
    client.force_login(people["carol"])  # street staff of street A, a staff account
    listing = client.get("/admin/accounts/user/")
    assert listing.status_code == 200
    names = listing.content.decode()
    assert all(name in names for name in ("alice", "bob", "erin"))
    assert "dave" not in names and "mallory" not in names
    # API tokens are the superuser's to see and switch off.
    issue_token(user=people["alice"], name="a")
    assert client.get("/admin/accounts/apitoken/").status_code == 403


def test_a_superuser_sees_every_user_and_token(client, people):
    admin = get_user_model().objects.create_superuser("root", password=GOOD)
    issue_token(user=people["alice"], name="城市大脑")
    client.force_login(admin)
    names = client.get("/admin/accounts/user/").content.decode()
    assert "dave" in names and "mallory" in names
    tokens = client.get("/admin/accounts/apitoken/")
    assert tokens.status_code == 200 and "城市大脑" in tokens.content.decode()
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
