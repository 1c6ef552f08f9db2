"""Logging in goes on to `next` only inside the site (Django's LoginView checks it; this
pins that our login page keeps using it)."""

import pytest


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("https://evil.example.org/", "/"),
        ("//evil.example.org/", "/"),
        ("javascript:alert(1)", "/"),
        ("/events/tasks/", "/events/tasks/"),
    ],
)
def test_next_after_log_in_stays_on_the_site(client, people, target, landing):
    response = client.post(
        f"/login/?next={target}",
        {"username": "alice", "password": "correct horse battery", "next": target},
    )
    assert response.status_code == 302
    assert response.url == landing
