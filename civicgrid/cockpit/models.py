from civicgrid.cockpit.models_maps import ServicePoint, ServicePointKind, ServiceTag  # noqa: F401
