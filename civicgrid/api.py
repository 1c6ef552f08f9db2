"""The versioned JSON API (/api/v1/, OpenAPI at /api/v1/docs). Each app adds its router.

Machines send `Authorization: Bearer <token>`; a logged-in browser session works too (with
its CSRF token). Every answer is scoped exactly like the pages. Errors have one shape:
{"error": {"message", "field", "details"}}.
"""

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from civicgrid.accounts.tokens import user_for_key
from civicgrid.core.errors import CivicgridError
from civicgrid.core.limits import TooMany


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


api.add_router("/events", "civicgrid.events.api.router")
api.add_router("/people", "civicgrid.people.api.router")
api.add_router("/classes", "civicgrid.classes.api.router")
api.add_router("/party", "civicgrid.party.api.router")
api.add_router("/volunteers", "civicgrid.volunteers.api.router")
api.add_router("/community", "civicgrid.community.api.router")
api.add_router("/messaging", "civicgrid.messaging.api.router")

__all__ = ["api"]
