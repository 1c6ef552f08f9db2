from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "civicgrid.community"
    verbose_name = _("Community services")

    def ready(self) -> None:
        from civicgrid.community import erasure as community
        from civicgrid.core import demo, erasure

        erasure.register("community.Need", community.erase_needs)
        # Tasks are claimed by the party members the classes' part made.
        demo.register("community", "civicgrid.community.demo.demo_part", after=["classes"])
