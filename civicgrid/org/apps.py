from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "civicgrid.org"
    label = "org"
    verbose_name = _("Organisation and grids")

    def ready(self) -> None:
        from civicgrid.core import demo
        from civicgrid.org import lookups  # noqa: F401  registers the `under` lookup

        demo.register("org", "civicgrid.org.demo.demo_part")
