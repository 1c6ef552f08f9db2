"""The one application error type: a translated message naming its field, the HTTP status each
kind answers with, and the two checks every service uses."""

import pytest
from django.db import models
from django.utils import translation

from civicgrid.core.errors import (
    CivicgridError,
    Conflict,
    InvalidInput,
    NotAllowed,
    choice,
    required,
)


class Colour(models.TextChoices):
    RED = "red", "Red"
    BLUE = "blue", "Blue"


def test_each_kind_of_error_has_its_status_and_keeps_its_field_and_details():
    assert [kind.status for kind in (CivicgridError, InvalidInput, NotAllowed, Conflict)] == [
        400,
        400,
        403,
        409,
    ]
    error = Conflict("Taken.", field="code", details={"by": "alice"})
    assert (error.message, error.field, error.details, str(error)) == (
        "Taken.",
        "code",
        {"by": "alice"},
        "Taken.",
    )
    assert isinstance(InvalidInput("x"), CivicgridError)


def test_a_required_value_is_stripped_or_refused_naming_the_field():
    assert required("  甲一小学 ", "name", "Name") == "甲一小学"
    assert required(3, "people", "People") == 3  # not text: kept as it is
    for empty in ("", "   ", None):
        with pytest.raises(InvalidInput) as error, translation.override("en"):
            required(empty, "name", "Name")
        assert error.value.field == "name" and error.value.message == "Name is required."


def test_a_choice_is_one_of_its_values():
    assert choice("red", Colour, "colour") == "red"
    with pytest.raises(InvalidInput) as error, translation.override("en"):
        choice("Red", Colour, "colour")
    assert error.value.field == "colour" and error.value.message == "Choose a valid colour."
