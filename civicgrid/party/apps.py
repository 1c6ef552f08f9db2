from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "civicgrid.party"
    verbose_name = _("Party members and points")

    def ready(self) -> None:
        from civicgrid.core import erasure
        from civicgrid.party import erasure as party

        # After classes and volunteers, which follow her party-member record to her.
        erasure.register("party.PartyMember", party.erase_members, order=50)
