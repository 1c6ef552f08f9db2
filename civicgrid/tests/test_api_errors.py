"""Every error of the JSON API has the documented shape {"error": {"message", "field",
"details"}}, and no input is a 5xx (the schemathesis run covers the rest)."""

import pytest
from django.test import Client

from civicgrid.accounts.tokens import issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(people):
    key = issue_token(user=people["carol"], name="test")[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def error_of(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "field", "details"}
    assert body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"offset": -1}, "offset"),
        ({"offset": 10**30}, "offset"),
        ({"limit": 0}, "limit"),
        ({"limit": 5000}, "limit"),
        ({"offset": "x"}, "offset"),
    ],
)
def test_bad_pagination_is_a_422_naming_the_field(client, bearer, query, field):
    error = error_of(client.get("/api/v1/events", query, **bearer), 422)
    assert error["field"] == field and error["details"][0]["field"] == field


def test_bad_bodies_are_422_in_our_shape(client, bearer):
    error = error_of(
        client.post("/api/v1/events", "{not json", content_type="application/json", **bearer),
        400,
    )
    error = error_of(
        client.post("/api/v1/events", {"title": "x"}, content_type="application/json", **bearer),
        422,
    )
    assert error["field"] in {"category", "lon", "lat"}


def test_csrf_failure_unknown_path_and_wrong_method_have_our_shape(people, bearer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people["carol"])
    error_of(browser.post("/api/v1/events", {}, content_type="application/json"), 403)
    error_of(browser.get("/api/v1/no-such-thing"), 404)
    response = browser.delete("/api/v1/events/categories", **bearer)
    error_of(response, 405)
    assert "GET" in response["Allow"]
    error_of(Client().get("/api/v1/events"), 401)


def test_an_unexpected_failure_is_a_logged_500_in_our_shape(client, bearer, monkeypatch):
    from civicgrid import api
    from civicgrid.events import selectors

    def broken():
        raise RuntimeError("boom")

    logged = []
    monkeypatch.setattr(selectors, "categories", broken)
    monkeypatch.setattr(api.logger, "exception", lambda *args, **kw: logged.append(args))
    error = error_of(client.get("/api/v1/events/categories", **bearer), 500)
    assert "boom" not in error["message"] and logged


@pytest.mark.parametrize("bearer_too", [False, True])
def test_a_malformed_multipart_body_is_a_400_not_a_500(people, bearer, bearer_too):
    # A logged-in browser (CSRF checked, which reads the form first) and a token client both
    # post a multipart body that does not parse: a 400 in our shape, never a 500.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people["carol"])
    browser.get("/password/")  # a page with a form sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    headers = bearer if bearer_too else {"HTTP_X_CSRFTOKEN": token}
    response = browser.post(
        "/api/v1/events",
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        **headers,
    )
    assert response.status_code < 500, response.content
    error_of(response, response.status_code)


@pytest.mark.parametrize(
    "query",
    [
        {"start": "9999-12-31", "end": "0001-01-01"},
        {"start": "0001-01-01", "end": "9999-12-31"},
    ],
)
def test_figures_for_dates_at_the_ends_of_the_calendar_are_not_a_500(client, bearer, query):
    response = client.get("/api/v1/events/figures/410102001", query, **bearer)
    assert response.status_code < 500, response.content


def test_every_operation_documents_its_4xx_answers_with_the_one_error_shape(client, people):
    client.force_login(people["carol"])
    document = client.get("/api/v1/openapi.json").json()
    shape = {"$ref": "#/components/schemas/ErrorOut"}
    operations = [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) > 20
    for method, path, operation in operations:
        answers = operation["responses"]
        errors = {code for code in answers if code.startswith("4")}
        assert {"400", "403", "404", "422", "429"} <= errors, (method, path)
        assert ("401" in errors) == bool(operation.get("security")), (method, path)
        for code in errors:
            assert answers[code]["content"]["application/json"]["schema"] == shape, (path, code)
    error = document["components"]["schemas"]["ErrorBody"]
    assert set(error["properties"]) == {"message", "field", "details"}
