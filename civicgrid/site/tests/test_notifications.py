"""The bell in the navigation: its count of unread notifications, the inbox it opens, and
"mark all as read", which leads back into the site only."""

import re

import pytest
from django.urls import reverse

from civicgrid.messaging.services import notify

QUERIES = 6


def _bell(html: str) -> str:
    nav = html.split("</nav>")[0]
    return re.search(r'<a href="/notifications/" class="bell"[^>]*>.*?</a>', nav, re.S).group(0)


def test_the_bell_counts_unread_notifications_and_opens_them(client, people):
    alice = people["alice"]
    notify(users=[alice, people["bob"]], text="派给你：E7", link="/events/E7/")
    notify(users=[alice], text="请评价：E8", link="/events/E8/")
    client.force_login(alice)
    bell = _bell(client.get("/").content.decode())
    assert re.search(r'class="count unread"[^>]*>2</span>', bell)
    page = client.get(reverse("site:notifications")).content.decode()
    assert '<a href="/events/E7/">派给你：E7</a>' in page
    assert '<a href="/events/E8/">请评价：E8</a>' in page
    response = client.post(reverse("site:notifications_read"))
    assert response.url == "/notifications/"
    page = client.get(response.url).content.decode()
    assert "count unread" not in _bell(page)
    assert 'id="read"' in page and '<a href="/events/E7/">' in page


def test_one_sees_only_ones_own(client, people):
    notify(users=[people["bob"]], text="给 bob 的", link="/events/E9/")
    client.force_login(people["alice"])
    page = client.get("/notifications/").content.decode()
    assert "给 bob 的" not in page and "count unread" not in _bell(page)


def test_the_inbox_costs_the_same_queries_however_many_it_lists(
    client, people, django_assert_num_queries
):
    alice = people["alice"]
    client.force_login(alice)
    notify(users=[alice], text="一", link="/events/E1/")
    client.get("/notifications/")  # the session's first touch writes it
    # Session, user, the two lists, the bell's count, has_units (postings).
    with django_assert_num_queries(QUERIES):
        assert client.get("/notifications/").status_code == 200
    for n in range(2, 40):
        notify(users=[alice], text=str(n), link=f"/events/E{n}/")
    client.post("/notifications/read/")
    notify(users=[alice], text="新", link="/events/E40/")
    with django_assert_num_queries(QUERIES):
        assert client.get("/notifications/").status_code == 200


def test_anonymous_is_sent_to_log_in(client, db):
    for url in ("/notifications/", "/notifications/read/"):
        response = client.get(url) if url.endswith("s/") else client.post(url)
        assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize(
    "target", ["https://evil.example.org/login", "//evil.example.org/", "javascript:alert(1)"]
)
def test_next_to_another_site_is_ignored(client, people, target):
    client.force_login(people["alice"])
    response = client.post("/notifications/read/", {"next": target})
    assert response.status_code == 302
    assert response.url == "/notifications/"


def test_next_inside_the_site_is_followed(client, people):
    client.force_login(people["alice"])
    response = client.post("/notifications/read/", {"next": "/events/inbox/?page=2"})
    assert response.url == "/events/inbox/?page=2"
