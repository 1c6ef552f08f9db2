"""Error pages are the site's own, in the site's language: the crawl at 375 px met Django's
bare English "Not Found" page (an out-of-scope link) and "403 Forbidden"."""

import pytest
from django.test import RequestFactory


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
