"""Secrets kept out of logs. Open311 clients send their api_key in the query string, so every
request line, Referer and Django log message that carries a URL would write the key to disk.
`redact` rewrites `api_key=…` (and the other parameters in SECRET_PARAMETERS) to
`api_key=[redacted]`; RedactSecrets does it for every log record (settings.LOGGING), and
civicgrid.core.gunicorn_logger for gunicorn's access log (scripts/serve)."""

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
