"""Error pages are the site's own, in the site's language: the crawl at 375 px met Django's
bare English "Not Found" page (an out-of-scope link) and "403 Forbidden"."""

import re

import pytest
from django.test import Client, RequestFactory


def _names(response) -> list[str]:
    return [t.name for t in response.templates]


@pytest.mark.django_db
def test_an_unknown_page_answers_the_sites_404(client, people):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in _names(response)
    client.force_login(people["alice"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in _names(response) and "base.html" in _names(response)
    assert b'class="mainnav"' in response.content


@pytest.mark.django_db
def test_a_refused_page_answers_the_sites_403(client, people):
    client.force_login(people["dave"])
    response = client.get("/events/report/")
    assert response.status_code == 403
    assert "403.html" in _names(response)


def test_the_500_page_renders_without_a_request():
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b'class="topbar"' in response.content


@pytest.mark.django_db
def test_the_nav_offers_an_account_without_a_unit_only_pages_it_can_open(client, people):
    # The crawl found a volunteer's nav offering classes, party, community, board and four
    # rates: each a 404 for an account with no posting.
    client.force_login(people["mallory"])
    home = client.get("/")
    assert home.status_code == 200
    hrefs = set(re.findall(r'<a href="(/[^"]*)"', home.content.decode().split("</nav>")[0]))
    assert {"/classes/", "/party/", "/community/", "/events/board/"} & hrefs == set()
    other = Client()
    other.force_login(people["mallory"])
    # /volunteers/ opens "my volunteer services" for a registered volunteer (the demo's).
    for href in hrefs - {"/volunteers/"}:
        assert other.get(href).status_code == 200, href
    client.force_login(people["alice"])
    assert 'href="/classes/"' in client.get("/").content.decode()
