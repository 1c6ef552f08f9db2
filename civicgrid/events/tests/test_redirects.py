"""`next` leads back into the site only: an outside address falls back to the task list."""

import pytest


@pytest.mark.parametrize(
    "target", ["https://evil.example.org/login", "//evil.example.org/", "javascript:alert(1)"]
)
def test_next_to_another_site_is_ignored(client, people, target):
    client.force_login(people["alice"])
    response = client.post("/events/notifications/read/", {"next": target})
    assert response.status_code == 302
    assert response.url == "/events/tasks/"


def test_next_inside_the_site_is_followed(client, people):
    client.force_login(people["alice"])
    response = client.post("/events/notifications/read/", {"next": "/events/inbox/?page=2"})
    assert response.url == "/events/inbox/?page=2"
