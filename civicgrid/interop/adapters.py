"""Pluggable adapters: each delivers one outbox message to its connector's system, or raises
DeliveryError (the outbox logs it and retries on a backoff).

A connector names its adapter (`Connector.adapter`): one of ADAPTERS below, or the dotted path
of a class with a `name` and a `deliver(connector, payload) -> int | None` method (the answer's
status code, where there is one).

- file: appends the payload as one JSON line to INTEROP_FILE (var/interop-outbox.jsonl by
  default): the default, so a laptop demo needs no other system.
- console: prints it on the server's standard output.
- http: POSTs it as JSON to the connector's `url` with its `headers` and `timeout`; any answer
  but 2xx is a failed attempt.
"""

import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from civicgrid.interop.models import Connector


class DeliveryError(Exception):
    """Not delivered: the text says why; `status_code` is the answer's, if one came."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class Adapter(Protocol):
    name: str

    def deliver(self, connector: Connector, payload: dict[str, Any]) -> int | None: ...


def _line(connector: Connector, payload: dict[str, Any]) -> str:
    return json.dumps({"connector": connector.system, **payload}, ensure_ascii=False)


class FileAdapter:
    name = "file"

    def deliver(self, connector: Connector, payload: dict[str, Any]) -> int | None:
        path = settings.INTEROP_FILE
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Private to the server's user: the lines name events and their notes.
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as file:
                file.write(_line(connector, payload) + "\n")
        except OSError as exc:
            raise DeliveryError(f"file {path}: {exc}") from exc
        return None


class ConsoleAdapter:
    name = "console"

    def deliver(self, connector: Connector, payload: dict[str, Any]) -> int | None:
        sys.stdout.write(_line(connector, payload) + "\n")
        sys.stdout.flush()
        return None


class HttpJsonAdapter:
    name = "http"

    def deliver(self, connector: Connector, payload: dict[str, Any]) -> int | None:
        if not connector.url:
            raise DeliveryError("the connector has no URL")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        headers.update({str(k): str(v) for k, v in (connector.headers or {}).items()})
        request = urllib.request.Request(
            connector.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=connector.timeout or 10) as response:
                response.read(4096)
                code = int(response.status)
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"answered {exc.code}", status_code=exc.code) from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise DeliveryError(f"unreachable: {exc}") from exc
        if not 200 <= code < 300:  # a 1xx/3xx that urllib did not follow or raise
            raise DeliveryError(f"answered {code}", status_code=code)
        return code


ADAPTERS: dict[str, type] = {
    adapter.name: adapter for adapter in (FileAdapter, ConsoleAdapter, HttpJsonAdapter)
}


def adapter_for(connector: Connector) -> Adapter:
    """The connector's adapter; a name that is neither registered nor importable raises
    DeliveryError (a failed attempt, logged like any other)."""
    name = connector.adapter or "file"
    try:
        cls = ADAPTERS.get(name) or import_string(name)
    except ImportError as exc:
        raise DeliveryError(f"no adapter {name!r}") from exc
    return cls()
