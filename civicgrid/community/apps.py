from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "civicgrid.community"
    verbose_name = _("Community services")

    def ready(self) -> None:
        from civicgrid.community import erasure as community
        from civicgrid.core import erasure

        erasure.register("community.Need", community.erase_needs)
