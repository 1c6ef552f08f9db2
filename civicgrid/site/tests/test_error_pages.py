"""Error pages are the site's own, in Chinese, with the navigation for a logged-in user: the
crawl at 375 px met Django's bare English "Not Found" page (an out-of-scope link) and "403
Forbidden". The 500 page also answers when the database is what failed: it asks it nothing."""

import re

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from civicgrid.site.views import server_error


def _names(response) -> list[str]:
    return [t.name for t in response.templates]


@pytest.mark.django_db
def test_an_unknown_page_answers_the_sites_404(client, people):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in _names(response) and "页面不存在" in response.content.decode()
    assert b'class="mainnav"' not in response.content
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
    assert "无权操作" in response.content.decode() and b'class="mainnav"' in response.content


def test_the_500_page_renders_for_anyone_without_a_query():
    # No django_db mark: any query here fails the test.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错" in page and 'class="topbar"' in page and 'class="mainnav"' not in page


def test_the_500_page_shows_a_loaded_users_navigation_without_a_query(
    people, django_assert_num_queries
):
    request = RequestFactory().get("/events/tasks/")
    request._cached_user = people["alice"]  # as AuthenticationMiddleware leaves a loaded user
    with django_assert_num_queries(0):
        response = server_error(request)
    page = response.content.decode()
    assert 'class="mainnav"' in page and "Alice" in page and "服务器出错" in page


def _failing(tables: tuple[str, ...] = ()):
    """A database that fails every query (or every query naming one of `tables`)."""

    def execute(run, sql, params, many, context):
        if not tables or any(table in sql for table in tables):
            raise OperationalError("disk I/O error")
        return run(sql, params, many, context)

    return execute


@pytest.mark.django_db
def test_the_500_page_answers_when_the_database_is_down(people):
    client = Client(raise_request_exception=False)
    client.force_login(people["alice"])
    with connection.execute_wrapper(_failing()):
        response = client.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错" in page and 'class="mainnav"' not in page  # no user could be loaded


@pytest.mark.django_db
def test_the_500_page_keeps_the_navigation_when_the_database_fails_mid_page(people):
    client = Client(raise_request_exception=False)
    client.force_login(people["alice"])
    with connection.execute_wrapper(_failing(tables=("org_posting",))):
        response = client.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错" in page and 'class="mainnav"' in page and "Alice" in page


@pytest.mark.django_db
def test_the_nav_offers_an_account_without_a_unit_only_pages_it_can_open(client, people):
    # The crawl found a volunteer's nav offering classes, party, community, board and four
    # rates: each a 404 for an account with no posting.
    client.force_login(people["mallory"])
    home = client.get("/")
    assert home.status_code == 200
    hrefs = set(re.findall(r'<a href="(/[^"]*)"', home.content.decode().split("</nav>")[0]))
    assert {"/classes/", "/party/", "/community/", "/events/board/"} & hrefs == set()
    assert "/notifications/" in hrefs
    other = Client()
    other.force_login(people["mallory"])
    # /volunteers/ opens "my volunteer services" for a registered volunteer (the demo's).
    for href in hrefs - {"/volunteers/"}:
        assert other.get(href).status_code == 200, href
    client.force_login(people["alice"])
    assert 'href="/events/tasks/#patrol"' in client.get("/").content.decode()
