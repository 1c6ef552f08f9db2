"""Behind a reverse proxy or a load balancer (issue 15): the proxy settings, read from the
environment as an operator sets them (README, deploy/civicgrid.env.example), tested together —
trusted origins for log-in, the TLS header, the client address shared with the lockout and
rate limits, allowed hosts and secure cookies."""

import runpy
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client

import civicgrid.settings

pytestmark = pytest.mark.django_db

GOOD = "correct horse battery"
SITE = "https://grid.example.gov.cn"
PROXY = "10.0.0.2"  # the load balancer, on another host
RESIDENT = "203.0.113.7"
BASE = {
    "CIVICGRID_ALLOWED_HOSTS": "grid.example.gov.cn,app1.internal",
    "CIVICGRID_SECURE_COOKIES": "true",
}
NAMES = (
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "TRUSTED_PROXIES",
    "PROXY_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
)


@pytest.fixture
def deploy(settings, monkeypatch, tmp_path):
    """Settings as civicgrid/settings.py reads them from these environment variables."""

    def configure(**env: str) -> None:
        monkeypatch.setenv("CIVICGRID_VAR_DIR", str(tmp_path))
        for name in (*BASE, *env, "CIVICGRID_CSRF_TRUSTED_ORIGINS", "CIVICGRID_PROXY_SSL_HEADER"):
            monkeypatch.delenv(name, raising=False)
        for name, value in (BASE | env).items():
            monkeypatch.setenv(name, value)
        values = runpy.run_path(str(Path(civicgrid.settings.__file__)))
        for name in NAMES:
            setattr(settings, name, values[name])
        settings.SECURE_PROXY_SSL_HEADER = values.get("SECURE_PROXY_SSL_HEADER")

    return configure


def _log_in(host: str = "app1.internal", password: str = GOOD, **headers: str):
    """Alice logs in through the load balancer: it passes its own Host on to the app server,
    the browser's Origin and the X-Forwarded-… headers."""
    client = Client(enforce_csrf_checks=True)
    meta = {
        "HTTP_HOST": host,
        "REMOTE_ADDR": PROXY,
        "HTTP_X_FORWARDED_FOR": RESIDENT,
        "HTTP_X_FORWARDED_PROTO": "https",
        **headers,
    }
    client.get("/login/", **meta)
    token = client.cookies["csrftoken"].value
    return client.post(
        "/login/",
        {"username": "alice", "password": password, "csrfmiddlewaretoken": token},
        HTTP_ORIGIN=SITE,
        **meta,
    )


def test_log_in_through_a_load_balancer_needs_the_trusted_origin(deploy, people):
    deploy(CIVICGRID_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert _log_in().status_code == 403  # CSRF: Origin is not the Host the app sees

    deploy(CIVICGRID_PROXY_SSL_HEADER="X-Forwarded-Proto", CIVICGRID_CSRF_TRUSTED_ORIGINS=SITE)
    response = _log_in()
    assert response.status_code == 302 and response.url == "/"


def test_the_tls_header_makes_requests_secure(deploy, people):
    # nginx passes the site's Host; without the TLS header the app thinks the request came
    # over http, so an https Origin does not match and no HSTS is sent.
    deploy()
    assert _log_in(host="grid.example.gov.cn").status_code == 403
    assert "Strict-Transport-Security" not in Client().get("/login/", HTTP_HOST="app1.internal")

    deploy(CIVICGRID_PROXY_SSL_HEADER="X-Forwarded-Proto")
    response = _log_in(host="grid.example.gov.cn")
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"]
    page = Client().get(
        "/login/", HTTP_HOST="app1.internal", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https"
    )
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")


def test_failed_log_ins_count_under_the_real_address_only_behind_trusted_proxies(deploy, people):
    ssl = {
        "CIVICGRID_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "CIVICGRID_CSRF_TRUSTED_ORIGINS": SITE,
    }
    deploy(**ssl)
    _log_in(password="wrong")
    # Not trusted: every resident behind the balancer would share its address and its limits.
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]

    AccessAttempt.objects.all().delete()
    deploy(**ssl, CIVICGRID_TRUSTED_PROXIES=PROXY)
    _log_in(password="wrong")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [RESIDENT]

    AccessAttempt.objects.all().delete()
    deploy(**ssl, CIVICGRID_TRUSTED_PROXIES=PROXY, CIVICGRID_PROXY_HEADER="X-Real-IP")
    _log_in(password="wrong", HTTP_X_REAL_IP="198.51.100.9")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.9"]


def test_a_host_not_allowed_is_refused(deploy, people):
    deploy()
    assert Client().get("/login/", HTTP_HOST="evil.example.com").status_code == 400
    assert Client().get("/login/", HTTP_HOST="grid.example.gov.cn").status_code == 200
