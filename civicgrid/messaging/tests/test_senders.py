"""The generic text-message gateway adapter, against a tiny HTTP server on 127.0.0.1 started
by the test (no network)."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from civicgrid.messaging.senders import HttpSmsSender, Outgoing, SendError


@pytest.fixture
def gateway():
    """A fake gateway recording each request; `answer` sets its reply (status, body)."""
    seen: list[dict] = []
    answer = {"status": 200, "body": b'{"code":0}'}

    class Handler(BaseHTTPRequestHandler):
        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            seen.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": self.rfile.read(length).decode(),
                }
            )
            self.send_response(answer["status"])
            self.end_headers()
            self.wfile.write(answer["body"])

        do_GET = do_POST = _handle

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.seen, server.answer = seen, answer
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


def test_it_fills_the_url_template(settings, gateway):
    settings.SMS_URL = gateway.url + "/send?to={phone}&text={text}"
    settings.SMS_METHOD = "GET"
    HttpSmsSender().send(Outgoing("sms", "13912345678", "验证码 123456 & more"))
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(gateway.seen[0]["path"]).query)
    assert query == {"to": ["13912345678"], "text": ["验证码 123456 & more"]}


def test_it_posts_a_json_body_with_headers(settings, gateway):
    settings.SMS_URL = gateway.url + "/api/sms"
    settings.SMS_METHOD = "POST"
    settings.SMS_HEADERS = [("Authorization", "Bearer k1"), ("Content-Type", "application/json")]
    settings.SMS_BODY = '{"mobile": "{phone}", "content": "{text}"}'
    settings.SMS_OK_TEXT = '"code":0'
    HttpSmsSender().send(Outgoing("sms", "13912345678", 'say "hi"\nbye'))
    request = gateway.seen[0]
    assert request["method"] == "POST" and request["headers"]["Authorization"] == "Bearer k1"
    assert json.loads(request["body"]) == {"mobile": "13912345678", "content": 'say "hi"\nbye'}


def test_an_error_answer_is_a_send_error(settings, gateway):
    settings.SMS_URL = gateway.url + "/send?to={phone}&text={text}"
    settings.SMS_METHOD = "GET"
    gateway.answer["status"] = 500
    with pytest.raises(SendError):
        HttpSmsSender().send(Outgoing("sms", "13912345678", "x"))


def test_a_refusal_in_a_200_answer_is_a_send_error(settings, gateway):
    settings.SMS_URL = gateway.url + "/send?to={phone}&text={text}"
    settings.SMS_METHOD = "GET"
    settings.SMS_OK_TEXT = '"code":0'
    gateway.answer["body"] = b'{"code":17,"msg":"no balance"}'
    with pytest.raises(SendError, match="no balance"):
        HttpSmsSender().send(Outgoing("sms", "13912345678", "x"))


def test_an_unreachable_gateway_is_a_send_error(settings):
    settings.SMS_URL = "http://127.0.0.1:9/send?to={phone}"
    settings.SMS_METHOD = "GET"
    with pytest.raises(SendError):
        HttpSmsSender().send(Outgoing("sms", "13912345678", "x"))
