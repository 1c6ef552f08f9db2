"""The admin's login page answers anonymous visitors (it lists apps, whose permission checks
read the visitor's postings: an anonymous visitor holds none)."""

import pytest
from django.urls import reverse

from civicgrid.org.scoping import postings_of_user, visible_prefixes


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_anonymous_visitors_get_the_admin_login_page(client, language):
    client.cookies["django_language"] = language
    assert client.get("/admin/login/").status_code == 200
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_an_anonymous_user_has_no_postings(db):
    from django.contrib.auth.models import AnonymousUser

    assert postings_of_user(AnonymousUser()) == ()
    assert visible_prefixes(AnonymousUser()) == ()


def test_the_admin_login_page_still_lets_staff_in(client, people, tree):
    client.post(
        reverse("admin:login"),
        {"username": "carol", "password": "correct horse battery", "next": "/admin/"},
    )
    assert client.get("/admin/").status_code == 200
    client.logout()
    client.force_login(people["alice"])  # not staff: the login page again, not an error
    assert client.get("/admin/login/").status_code == 200
