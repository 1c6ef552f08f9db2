from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "civicgrid.events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from civicgrid.core import demo, erasure, metrics
        from civicgrid.events import erasure as events
        from civicgrid.events import rollups, selectors
        from civicgrid.org import services

        if rollups.subtree_moved not in services.subtree_moved_hooks:
            services.subtree_moved_hooks.append(rollups.subtree_moved)
        erasure.register("events.Event", events.erase_reports)
        demo.register("events", "civicgrid.events.demo.demo_part", after=["org"])
        metrics.register_gauge(
            "civicgrid_overdue_events",
            "Open events past their closure deadline (超期), in the whole deployment",
            selectors.overdue_count,
        )
