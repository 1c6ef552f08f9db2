from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "civicgrid.volunteers"
    verbose_name = _("Volunteer services")

    def ready(self) -> None:
        from civicgrid.core import demo, erasure
        from civicgrid.volunteers import erasure as volunteers

        erasure.register("volunteers.Volunteer", volunteers.erase_volunteers)
        erasure.register("volunteers.ServiceOrder", volunteers.erase_orders)
        # The shock team and the volunteers are the party members and residents of the demo.
        demo.register(
            "volunteers", "civicgrid.volunteers.demo.demo_part", after=["people", "classes"]
        )
