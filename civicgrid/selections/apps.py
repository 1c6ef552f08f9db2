from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionsConfig(AppConfig):
    name = "civicgrid.selections"
    verbose_name = _("Selections")

    def ready(self) -> None:
        from civicgrid.core import demo, erasure
        from civicgrid.selections import erasure as selections

        erasure.register("selections.Nomination", selections.erase_nominators)
        erasure.register("selections.Vote", selections.erase_votes)

        # 最美如意人 of 三官庙街道, in its voting period, on the demo's units and logins.
        demo.register("selections", "civicgrid.selections.demo.demo_part", after=["org"])
