"""Pluggable senders: each delivers one message on one channel or raises SendError.

Which sender a channel uses comes from settings: MESSAGING_SENDERS[channel] if set, else
MESSAGING_SENDER ("console" by default, so a laptop demo needs nothing). A name is one of
SENDERS below or the dotted path of a class with a `send(outgoing)` method.

- console: prints the message on the server's standard output (development, demo).
- file: appends it to MESSAGING_FILE (private to the server's user).
- memory: keeps it in `MemorySender.outbox` (tests only).
- smtp: e-mail through Django's e-mail backend (EMAIL_HOST, EMAIL_PORT, … settings).
- http: a text-message gateway called with a URL template (SMS_URL, e.g.
  "https://gw.example/send?to={phone}&text={text}"), SMS_METHOD, SMS_HEADERS, SMS_BODY.
"""

import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Outgoing:
    channel: str
    to: str
    text: str
    subject: str = ""


class SendError(Exception):
    """The message was not delivered; the text says why (kept in the send log)."""


class Sender(Protocol):
    name: str

    def send(self, message: Outgoing) -> None: ...


class ConsoleSender:
    name = "console"

    def send(self, message: Outgoing) -> None:
        subject = f" [{message.subject}]" if message.subject else ""
        sys.stdout.write(f"--- {message.channel} to {message.to}{subject}\n{message.text}\n---\n")
        sys.stdout.flush()


class FileSender:
    name = "file"

    def send(self, message: Outgoing) -> None:
        path = settings.MESSAGING_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created private: the file holds addresses and codes.
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        line = json.dumps(
            {
                "at": timezone.now().isoformat(),
                "channel": message.channel,
                "to": message.to,
                "subject": message.subject,
                "text": message.text,
            },
            ensure_ascii=False,
        )
        with os.fdopen(descriptor, "a", encoding="utf-8") as file:
            file.write(line + "\n")


class MemorySender:
    """For tests: what was sent, in order (like django.core.mail.outbox)."""

    name = "memory"
    outbox: ClassVar[list[Outgoing]] = []

    def send(self, message: Outgoing) -> None:
        self.outbox.append(message)


class EmailSender:
    name = "smtp"

    def send(self, message: Outgoing) -> None:
        if message.channel != "email":
            raise SendError(f"smtp cannot send a {message.channel} message")
        try:
            send_mail(
                message.subject or settings.MESSAGING_EMAIL_SUBJECT,
                message.text,
                settings.DEFAULT_FROM_EMAIL,
                [message.to],
            )
        except OSError as exc:  # smtplib's errors are OSErrors
            raise SendError(f"smtp: {exc}") from exc


class HttpSmsSender:
    """A generic text-message gateway: `{phone}` and `{text}` in the URL are URL-quoted; in the
    body they are quoted for the body's Content-Type (JSON-escaped for JSON, URL-quoted
    otherwise). Any 2xx answer is success unless SMS_OK_TEXT is set and missing from it."""

    name = "http"

    def send(self, message: Outgoing) -> None:
        if message.channel != "sms":
            raise SendError(f"http gateway cannot send a {message.channel} message")
        url = settings.SMS_URL
        if not url:
            raise SendError("CIVICGRID_SMS_URL is not set")
        values = {"phone": message.to, "text": message.text}
        url = _fill(url, values, lambda v: urllib.parse.quote(v, safe=""))
        headers = {name: value for name, value in settings.SMS_HEADERS}
        data = None
        if settings.SMS_BODY:
            content_type = next(
                (v for k, v in headers.items() if k.lower() == "content-type"), ""
            ).lower()
            if "json" in content_type:
                body = _fill(settings.SMS_BODY, values, lambda v: json.dumps(v)[1:-1])
            else:
                body = _fill(settings.SMS_BODY, values, lambda v: urllib.parse.quote(v, safe=""))
            data = body.encode()
        request = urllib.request.Request(
            url, data=data, headers=headers, method=settings.SMS_METHOD
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as response:
                answer = response.read(4096).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            raise SendError(f"gateway answered {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SendError(f"gateway unreachable: {exc}") from exc
        if settings.SMS_OK_TEXT and settings.SMS_OK_TEXT not in answer:
            # The reason, without the numbers: gateways echo the phone and the text (a code).
            raise SendError(f"gateway refused: {re.sub(r'[0-9]{4,}', '…', answer[:200])}")


def _fill(template: str, values: dict[str, str], quote) -> str:
    # Plain replacement, not str.format: JSON bodies are full of braces.
    for key, value in values.items():
        template = template.replace("{" + key + "}", quote(value))
    return template


SENDERS: dict[str, type] = {
    sender.name: sender
    for sender in (ConsoleSender, FileSender, MemorySender, EmailSender, HttpSmsSender)
}


def sender_for(channel: str) -> Sender:
    name = settings.MESSAGING_SENDERS.get(channel) or settings.MESSAGING_SENDER
    cls = SENDERS.get(name) or import_string(name)
    return cls()
