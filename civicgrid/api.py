"""The versioned JSON API (/api/v1/, OpenAPI at /api/v1/docs). Each app adds its router.

Machines send `Authorization: Bearer <token>`; a logged-in browser session works too (with
its CSRF token). Every answer is scoped exactly like the pages. Errors have one shape:
{"error": {"message", "field", "details"}}, declared once as core.api.ErrorOut, which every
router lists for its operations' 4xx answers (core.api.ERRORS).
"""

import logging
from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from civicgrid.accounts.tokens import user_for_key
from civicgrid.core.errors import CivicgridError
from civicgrid.core.limits import TooMany

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_key(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="civicgrid API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    docs_url="/docs",
)


def _error(request, message: str, status: int, field: str | None = None, details=None):
    body = {"error": {"message": message, "field": field, "details": details}}
    return api.create_response(request, body, status=status)


@api.exception_handler(CivicgridError)
def civicgrid_error(request, exc: CivicgridError):
    response = _error(request, exc.message, exc.status, exc.field, exc.details)
    if isinstance(exc, TooMany):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, "Not found.", 404)


@api.exception_handler(AuthenticationError)
def unauthorised(request, exc):
    return _error(request, "A valid API token or login is needed.", 401)


# Where ninja puts a parameter; the first part of an error's `loc`, not part of the field name.
_SOURCES = {"query", "path", "body", "form", "file", "header", "cookie"}


def _field(loc) -> str | None:
    parts = [str(part) for part in loc if str(part) not in _SOURCES]
    # A JSON body is validated as the handler's `payload`/`body` argument: drop that name.
    if len(parts) > 1 and loc and loc[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    """Malformed input (wrong type, out of range, bad JSON): 422, naming the first field.
    `details` lists every problem by field; the input itself is not echoed back."""
    details = [
        {
            "field": _field(error.get("loc", ())),
            "message": str(error.get("msg", "")),
            "type": error.get("type"),
        }
        for error in exc.errors
    ]
    field = details[0]["field"] if details else None
    return _error(request, _("Some input is not valid."), 422, field, details)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # ninja's own refusals: a failed CSRF check for a logged-in browser (403), throttling…
    if exc.status_code == 403:
        message = _("The request was refused: send an API token, or the CSRF token with a login.")
    else:
        message = str(exc)
    return _error(request, message, exc.status_code)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(RawPostDataException)
def unreadable_body(request, exc):
    # A multipart body that does not parse: CSRF checking (a logged-in browser) read and
    # dropped it already, or the form parser refuses it. The client's fault, not a 500.
    return _error(request, _("The request body could not be read."), 400)


@api.exception_handler(Exception)
def server_error(request, exc: Exception):
    """Anything unexpected: logged with its traceback, answered 500 in our shape."""
    logger.exception("API error on %s %s", request.method, request.path)
    return _error(request, _("Something went wrong on our side; it has been logged."), 500)


def not_routed(request: HttpRequest, rest: str = "") -> HttpResponse:
    """A path under /api/v1/ that names no endpoint: a 404 in our shape, not an HTML page."""
    return _error(request, "Not found.", 404)


def _method_checked(view: Callable) -> Callable:
    """ninja answers a method a path does not offer with a bare 405; give it our shape."""

    @wraps(view)
    def inner(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        shaped = _error(request, _("This method is not allowed here."), 405)
        shaped["Allow"] = response.get("Allow", "")
        return shaped

    return inner


def urls() -> tuple[list, str, str]:
    """The API's URL patterns (for the root URLconf), every one answering errors in our shape."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if pattern.callback is not None:
            pattern.callback = _method_checked(pattern.callback)
    return patterns, app_name, namespace


api.add_router("/events", "civicgrid.events.api.router")
api.add_router("/people", "civicgrid.people.api.router")
api.add_router("/classes", "civicgrid.classes.api.router")
api.add_router("/party", "civicgrid.party.api.router")
api.add_router("/volunteers", "civicgrid.volunteers.api.router")
api.add_router("/community", "civicgrid.community.api.router")
api.add_router("/messaging", "civicgrid.messaging.api.router")
api.add_router("/work-orders", "civicgrid.interop.api.router")
api.add_router("/mediation", "civicgrid.mediation.api.router")
api.add_router("/selections", "civicgrid.selections.api.router")
api.add_router("/assessment", "civicgrid.assessment.api.router")
# The knowledge test (测): the worker's paper and the assessors' results.
api.add_router("/assessment/quiz", "civicgrid.assessment.quiz_api.router")
api.add_router("/cockpit", "civicgrid.cockpit.api.router")
api.add_router("/routing", "civicgrid.routing.api.router")

__all__ = ["api", "not_routed", "urls"]
