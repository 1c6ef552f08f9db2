from civicgrid.cockpit.models_screen import ScreenLink  # noqa: F401
