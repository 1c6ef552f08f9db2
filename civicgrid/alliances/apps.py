from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliancesConfig(AppConfig):
    name = "civicgrid.alliances"
    verbose_name = _("Joint committees")
