"""The access log records the real client's address: behind a trusted reverse proxy the one the
proxy saw, never the proxy's own; a header the client forged itself is ignored."""

import ipaddress
import json

import pytest
from django.urls import reverse

from civicgrid.accounts.tokens import issue_token
from civicgrid.core.models import AccessLog

pytestmark = pytest.mark.django_db

PROXY = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7"}


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]


def test_a_reveal_on_the_page_logs_the_client_behind_the_proxy(
    client, estate, people, behind_proxy
):
    client.force_login(people["alice"])
    url = reverse("people:reveal", args=[estate.mother.pk])
    response = client.post(url, {"field": "phone", "reason": "电话联系"}, **PROXY)
    assert response.status_code in (200, 302)
    assert AccessLog.objects.get().ip == "198.51.100.7"


def test_a_reveal_through_the_api_logs_the_client_behind_the_proxy(
    client, estate, people, behind_proxy
):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=people['alice'], name='x')[1]}"}
    url = f"/api/v1/people/persons/{estate.mother.pk}/reveal"
    body = json.dumps({"field": "phone", "reason": "电话联系"})
    response = client.post(url, body, content_type="application/json", **PROXY, **auth)
    assert response.status_code == 200
    assert AccessLog.objects.get().ip == "198.51.100.7"


def test_a_forged_header_from_an_untrusted_client_is_not_logged(client, estate, people):
    client.force_login(people["alice"])
    url = reverse("people:reveal", args=[estate.mother.pk])
    client.post(
        url,
        {"field": "phone", "reason": "电话联系"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert AccessLog.objects.get().ip == "203.0.113.9"
