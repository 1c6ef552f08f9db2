from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top layer: home pages, cross-app overviews, the navigation, the demo loader.

    Nothing below imports it; it may import every app."""

    name = "civicgrid.site"
    label = "site"
    verbose_name = _("Site")
