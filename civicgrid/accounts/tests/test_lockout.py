"""Failed log-ins: counted per user name + real client address, answered with a growing wait
instead of a hard lock, so that nobody can lock another person out of their account."""

import datetime as dt
import ipaddress

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from civicgrid.accounts import lockout

pytestmark = pytest.mark.django_db

GOOD = "correct horse battery"
PROXY = "10.0.0.2"


@pytest.fixture
def rules(settings):
    # Waits long enough that a slow test machine never outlasts one; time passes on purpose.
    settings.LOGIN_FREE_FAILURES = 3
    settings.LOGIN_FIRST_DELAY_SECONDS = 100
    settings.LOGIN_MAX_DELAY_SECONDS = 6000
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]


def _login(client, password, address, username="alice"):
    """A log-in through the reverse proxy, from the resident's real `address`."""
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def _time_passes(seconds: int) -> None:
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= dt.timedelta(seconds=seconds)
        attempt.save(update_fields=["attempt_time"])


def test_the_wait_doubles_up_to_the_cap(rules):
    assert [lockout.delay_after(n) for n in range(12)] == [
        0,
        0,
        0,
        100,
        200,
        400,
        800,
        1600,
        3200,
        6000,
        6000,
        6000,
    ]


def test_an_attacker_behind_the_same_proxy_does_not_lock_the_owner_out(people, rules):
    attacker, owner = Client(), Client()
    answers = [_login(attacker, "guess", "198.51.100.66").status_code for _ in range(10)]
    assert answers[:2] == [200, 200] and set(answers[2:]) == {429}
    # Counted against the attacker's own address, not the proxy's.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}
    response = _login(owner, GOOD, "198.51.100.7")
    assert response.status_code == 302
    assert "_auth_user_id" in owner.session


def test_failures_from_one_address_wait_longer_each_time(people, rules):
    client, me = Client(), "198.51.100.66"
    assert [_login(client, "guess", me).status_code for _ in range(2)] == [200, 200]
    refused = _login(client, "guess", me)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 100
    # During the wait even the right password is not checked, and the attempt is not counted.
    assert _login(client, GOOD, me).status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().failures_since_start == 3
    _time_passes(101)
    refused = _login(client, "guess", me)
    assert refused.status_code == 429 and 100 < int(refused["Retry-After"]) <= 200
    assert AccessAttempt.objects.get().failures_since_start == 4
    assert _login(client, GOOD, me).status_code == 429
    _time_passes(201)
    assert _login(client, GOOD, me).status_code == 302
    assert "_auth_user_id" in client.session
    # A success clears the address's count.
    assert not AccessAttempt.objects.exists()


def test_a_forged_forwarded_for_header_does_not_escape_the_wait(people, rules, settings):
    settings.TRUSTED_PROXIES = []
    client = Client()
    answers = [
        client.post(
            reverse("login"),
            {"username": "bob", "password": "guess"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(5)
    ]
    assert answers == [200, 200, 429, 429, 429]


def test_one_address_cannot_try_a_password_on_every_account(people, settings):
    """Staff user names are predictable (u + unit code): per address, every user name counts."""
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"login_ip": (3, 3600)}
    client = Client()
    for name in ("alice", "bob", "carol"):
        data = {"username": name, "password": "wrong"}
        assert client.post(reverse("login"), data, REMOTE_ADDR="203.0.113.7").status_code != 429
    data = {"username": "dave", "password": "wrong"}
    assert client.post(reverse("login"), data, REMOTE_ADDR="203.0.113.7").status_code == 429
    data = {"username": "dave", "password": "correct horse battery"}
    assert client.post(reverse("login"), data, REMOTE_ADDR="203.0.113.8").status_code == 302
