"""The JSON API's one error shape, declared once for every router: civicgrid/api.py answers
every error as {"error": {"message", "field", "details"}}, and each operation lists `ERRORS`
(or `PUBLIC_ERRORS`) beside its success, so the OpenAPI document shows that shape for every
4xx a client may meet."""

from ninja import Schema


class ErrorBody(Schema):
    message: str
    field: str | None = None
    details: dict | list | str | int | None = None


class ErrorOut(Schema):
    error: ErrorBody


# The 4xx answers of an operation that needs a token or a login: bad input (400), no valid
# token (401), refused (403), missing or out of scope (404), a concurrent change (409),
# malformed parameters (422), too many attempts (429).
ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}

# A public operation (`auth=None`) asks for no token, so it never answers 401.
PUBLIC_ERRORS = {status: schema for status, schema in ERRORS.items() if status != 401}
