"""The cockpit's models: each part keeps its own module, imported here."""

from civicgrid.cockpit.models_maps import ServicePoint, ServicePointKind, ServiceTag  # noqa: F401
from civicgrid.cockpit.models_reports import Report  # noqa: F401
from civicgrid.cockpit.models_screen import ScreenLink  # noqa: F401
