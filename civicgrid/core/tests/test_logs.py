"""An api_key in a query string never reaches a log: gunicorn's access log (scripts/serve) and
every Django log record go through core.logs.redact."""

import datetime as dt
import io
import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.util import load_class

from civicgrid.core.logs import RedactSecrets, redact

KEY = "cg_pGVfXbBoL3S11XJhXWTYLB13"
SERVE = Path(__file__).resolve().parents[3] / "scripts" / "serve"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"GET /open311/v2/requests.json?api_key={KEY}&status=open HTTP/1.1",
            "GET /open311/v2/requests.json?api_key=[redacted]&status=open HTTP/1.1",
        ),
        (f"/x?status=open&API_KEY={KEY}", "/x?status=open&API_KEY=[redacted]"),
        (f"/x?api%5Fkey={KEY}", "/x?api%5Fkey=[redacted]"),
        (
            f'"https://example.org/r?access_token={KEY}"',
            '"https://example.org/r?access_token=[redacted]"',
        ),
        ("/x?my_api_key=1&q=api_key", "/x?my_api_key=1&q=api_key"),
        ("", ""),
    ],
)
def test_it_redacts_secret_parameters_only(text, expected):
    assert redact(text) == expected


def _gunicorn_line(logger_class) -> str:
    config = Config()
    logger = logger_class(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/open311/v2/requests.json?api_key={KEY}",
        "PATH_INFO": "/open311/v2/requests.json",
        "QUERY_STRING": f"api_key={KEY}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://app.example.org/?api_key={KEY}",
    }
    response = SimpleNamespace(status="200 OK", sent=12, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(response, request, environ, dt.timedelta(seconds=0))
    line: str = config.access_log_format % logger.atoms_wrapper_class(atoms)
    return line + " " + " ".join(str(atoms[name]) for name in ("q", "{referer}i", "{raw_uri}e"))


def test_the_gunicorn_logger_in_scripts_serve_redacts_the_access_log():
    named = re.search(r"--logger-class\s+(\S+)", SERVE.read_text())
    assert named, "scripts/serve must pass civicgrid's gunicorn logger class"
    logger_class = load_class(named.group(1), section="gunicorn.loggers")
    line = _gunicorn_line(logger_class)
    assert KEY not in line and "api_key=[redacted]" in line and "203.0.113.9" in line
    # gunicorn's own logger would have written the key.
    assert KEY in _gunicorn_line(load_class("gunicorn.glogging.Logger"))


def test_django_log_records_are_redacted_by_the_configured_handler():
    server = logging.getLogger("django.server")
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactSecrets) for f in handler.filters)
    ]
    assert handlers and handlers[0] in server.handlers
    assert handlers, "settings.LOGGING must put RedactSecrets on the console handler"
    stream = io.StringIO()
    previous = handlers[0].setStream(stream)
    try:
        server.warning(
            '"%s" %s %s', f"GET /open311/v2/requests.json?api_key={KEY} HTTP/1.1", 403, 9
        )
        try:
            raise ValueError(f"bad url /open311/v2/requests.json?api_key={KEY}")
        except ValueError:
            logging.getLogger("django.request").exception("Internal Server Error: /open311/")
    finally:
        handlers[0].setStream(previous)
    written = stream.getvalue()
    assert KEY not in written
    assert "GET /open311/v2/requests.json?api_key=[redacted] HTTP/1.1" in written
    assert "ValueError: bad url /open311/v2/requests.json?api_key=[redacted]" in written


@pytest.mark.parametrize(
    "query",
    ["%61pi_key=s3cr3t", "api_%6Bey=s3cr3t", "ap%69%5Fkey=s3cr3t", "%41CCESS_TOKEN=s3cr3t"],
)
def test_a_parameter_name_with_any_letter_percent_encoded_is_redacted_too(query):
    # Django decodes the name, so the key is used (and answered 403 when wrong): it must not
    # reach the access log in clear either.
    from django.http import QueryDict

    assert set(QueryDict(query)) & {"api_key", "ACCESS_TOKEN"}
    assert "s3cr3t" not in redact(f"GET /open311/v2/requests.json?{query} HTTP/1.1")
