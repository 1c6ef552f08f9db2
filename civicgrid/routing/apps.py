from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "civicgrid.routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from civicgrid.core import demo
        from civicgrid.events import suggestions
        from civicgrid.routing import suggest

        # events imports nothing above it: routing hooks its suggester into the report pages.
        if suggest.suggest not in suggestions.suggesters:
            suggestions.suggesters.append(suggest.suggest)
        # The demo's models learn from the demo's own closed events.
        demo.register("routing", "civicgrid.routing.demo.demo_part", after=["events"])
