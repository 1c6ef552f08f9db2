"""Security headers on every page: a CSP with no inline script, Permissions-Policy,
Referrer-Policy, nosniff, HSTS when the site runs on HTTPS; no template holds inline script."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from civicgrid.core.middleware import tile_source

ROOT = Path(__file__).resolve().parents[2]


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {
        name: sources for name, *sources in (directive.split() for directive in policy.split(";"))
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/r/", "/api/v1/docs", "/nonexistent/"])
def test_it_sends_a_policy_without_inline_script(client, path):
    response = client.get(path)
    csp = _csp(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_it_lets_the_map_tiles_in(client, settings):
    settings.MAP_TILE_URL = "https://{s}.tiles.example.gov.cn/{z}/{x}/{y}.png"
    settings.CSP_IMG_SOURCES = ["https://photos.example.org"]
    csp = _csp(client.get("/login/"))
    assert csp["img-src"] == [
        "'self'",
        "data:",
        "blob:",
        "https://*.tiles.example.gov.cn",
        "https://photos.example.org",
    ]


def test_it_reads_the_tile_host_from_the_url_template():
    assert tile_source("") == ""
    assert tile_source("https://tiles.example.gov.cn/{z}/{x}/{y}.png") == (
        "https://tiles.example.gov.cn"
    )
    assert tile_source("http://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}") == "http://*.tianditu.gov.cn"
    assert tile_source("https://a.{s}.example.org/{z}") == "https:"
    assert tile_source("javascript:alert(1)") == ""


@pytest.mark.django_db
def test_it_sends_the_other_security_headers(client):
    response = client.get("/login/")
    permissions = response.headers["Permissions-Policy"]
    for feature in ("geolocation=(self)", "camera=(self)", "microphone=()", "payment=()", "usb=()"):
        assert feature in permissions
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.django_db
def test_it_sends_hsts_over_https_when_secure_cookies_are_on(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/login/", secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize(("secure", "expected"), [("true", "31536000"), ("false", "0")])
def test_secure_cookies_turn_hsts_on(secure, expected):
    environment = dict(os.environ, CIVICGRID_SECURE_COOKIES=secure, DJANGO_SETTINGS_MODULE="")
    environment.pop("CIVICGRID_HSTS_SECONDS", None)
    environment.pop("DATABASE_URL", None)  # else production, which wants keys (issue 15)
    output = subprocess.run(
        [sys.executable, "-c", "import civicgrid.settings as s; print(s.SECURE_HSTS_SECONDS)"],
        env=environment,
        cwd=ROOT.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert output.strip() == expected


TEMPLATES = sorted(ROOT.glob("*/templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_holds_inline_script(path):
    source = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.findall(source), "move the script to a static file"
    assert not EVENT_HANDLER.findall(source), "bind the handler in a static script"
    assert "javascript:" not in source
