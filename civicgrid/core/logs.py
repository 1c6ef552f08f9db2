"""Secrets kept out of logs. Open311 clients send their api_key in the query string, so every
request line, Referer and Django log message that carries a URL would write the key to disk.
`redact` rewrites `api_key=…` (and the other parameters in SECRET_PARAMETERS) to
`api_key=[redacted]`; RedactSecrets does it for every log record (settings.LOGGING), and
civicgrid.core.gunicorn_logger for gunicorn's access log (scripts/serve)."""

import contextvars
import logging
import re

SECRET_PARAMETERS = ("api_key", "access_token")
REDACTED = "[redacted]"


def _any_encoding(name: str) -> str:
    """A pattern for `name` with any of its characters percent-encoded (Django decodes
    "%61pi_key" to "api_key", so a client that encodes names still has its key used)."""
    return "".join(
        "(?:"
        + "|".join([re.escape(ch)] + [f"%{ord(c):02x}" for c in {ch.lower(), ch.upper()}])
        + ")"
        for ch in name
    )


# A parameter name (with any character percent-encoded) after the start, "?", "&" or ";" of
# a query string or a separator of a log line, then its value up to the next separator.
_SECRET = re.compile(
    r"(?i)((?:^|(?<=[?&;\s\"'(,]))(?:"
    + "|".join(_any_encoding(name) for name in SECRET_PARAMETERS)
    + r")=)[^&;\s\"')]*"
)


def redact(text: str) -> str:
    """`text` with the value of every secret query parameter replaced by [redacted]."""
    if not text or "=" not in text:
        return text
    return _SECRET.sub(lambda match: match.group(1) + REDACTED, text)


class RedactSecrets(logging.Filter):
    """A logging filter that redacts secret query parameters from the message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


# ---- structured logs (issue 15) ----------------------------------------------------------------

# Attributes of every LogRecord: what is not among them was passed in `extra` and is a field.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}


# The id of the request this thread serves, or of the request that queued the task it runs
# (core.jobs); "" outside both.
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


class RequestContext(logging.Filter):
    """Every record carries `request_id`: the id of the request being served, or of the
    request that queued the task being run (core.jobs), else ""."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id, the
    fields passed in `extra` (the request line's method, path, status, duration_ms, user_id)
    and the traceback, if any. CIVICGRID_LOG_FORMAT=json (settings.LOGGING)."""

    def format(self, record: logging.LogRecord) -> str:
        import datetime as dt
        import json

        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        for key, value in vars(record).items():
            if key in _RECORD_ATTRIBUTES or key.startswith("_") or key == "request":
                continue  # Django's `request` is an object (its path is the request line's)
            entry[key] = (
                value if isinstance(value, int | float | bool | None) else redact(str(value))
            )
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)
