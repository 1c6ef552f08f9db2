"""gunicorn's access log without secrets: every text atom of the log line (the request line
%(r)s, the query %(q)s, the Referer %(f)s, headers and environ) goes through
core.logs.redact. scripts/serve passes `--logger-class civicgrid.core.gunicorn_logger.Logger`;
use the same option wherever gunicorn serves civicgrid."""

import datetime as dt
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

from civicgrid.core.logs import redact


class Logger(GunicornLogger):  # type: ignore[misc]  # gunicorn ships no types: a base of type Any
    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: dt.timedelta
    ) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
