"""The JSON API against its own OpenAPI document (schemathesis): every operation, with valid
and invalid input, as a street officer with an API token. No input may give a 5xx, and every
error answer has the documented shape {"error": {"message", "field", "details"}}.

The run is bounded (a few examples per operation) and derandomized, so it is the same run
every time and stays well under two minutes."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from civicgrid.accounts.tokens import issue_token

EXAMPLES = 12


@pytest.fixture
def street_key(people):
    return issue_token(user=people["carol"], name="fuzz")[1]


@pytest.fixture(autouse=True)
def _keep_the_connection():
    """Django closes the database connection when a request finishes; its test client turns
    that off, a plain WSGI call does not. On PostgreSQL the test's transaction would go with
    the connection, so keep it open as the test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema():
    # Built from the API object itself (no request, so no database touched while collecting),
    # then called through a WSGI application like any client (Django's own: civicgrid.wsgi also
    # checks the data keys against the database at import, which a collecting test may not).
    from django.core.wsgi import get_wsgi_application

    from civicgrid.api import api

    application = get_wsgi_application()

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
    loaded.app = application
    loaded.location = "/api/v1/openapi.json"
    return loaded


schema = _schema()


def has_our_error_shape(response) -> None:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"message", "field", "details"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_breaks_the_api(case, street_key):
    response = case.call(headers={"Authorization": f"Bearer {street_key}"})
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        has_our_error_shape(response)
