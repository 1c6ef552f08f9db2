from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "civicgrid.cockpit"
    verbose_name = _("Leader cockpit")

    def ready(self) -> None:
        from civicgrid.core import demo

        # Warm stations sit in the shops the people part loads as places.
        demo.register("cockpit_maps", "civicgrid.cockpit.map_demo.demo_part", after=["people"])
        # Last month's reports, once every part that adds figures is in.
        demo.register(
            "cockpit_reports",
            "civicgrid.cockpit.report_demo.demo_part",
            after=[
                "events",
                "people",
                "classes",
                "community",
                "mediation",
                "volunteers",
                "assessment",
            ],
        )
