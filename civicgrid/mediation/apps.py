from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "civicgrid.mediation"
    verbose_name = _("Mediation")

    def ready(self) -> None:
        from civicgrid.core import demo, erasure
        from civicgrid.events import services as events
        from civicgrid.mediation import erasure as mediation
        from civicgrid.mediation import services

        erasure.register("mediation.CaseParty", mediation.erase_parties)
        # A dispute event being mediated moves only with its case.
        events.step_hooks.append(services.guard_mediated_event)
        # Cases from the demo's dispute events, rooms and party members of the classes' part.
        demo.register(
            "mediation", "civicgrid.mediation.demo.demo_part", after=["events", "classes"]
        )
