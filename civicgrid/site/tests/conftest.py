"""The site draws on every app: their test fixtures, shared here."""

from civicgrid.classes.tests.conftest import classroom, session  # noqa: F401
from civicgrid.events.tests.conftest import category, staff  # noqa: F401
