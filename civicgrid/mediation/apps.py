from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "civicgrid.mediation"
    verbose_name = _("Mediation")

    def ready(self) -> None:
        from civicgrid.core import demo, erasure
        from civicgrid.events import services as events
        from civicgrid.events import views as event_views
        from civicgrid.mediation import erasure as mediation
        from civicgrid.mediation import panels, services
        from civicgrid.people import views as people_views

        erasure.register("mediation.CaseParty", mediation.erase_parties)
        # A dispute event being mediated moves only with its case.
        events.step_hooks.append(services.guard_mediated_event)
        # Cases from the demo's dispute events, rooms and party members of the classes' part.
        demo.register(
            "mediation", "civicgrid.mediation.demo.demo_part", after=["events", "classes"]
        )
        # A dispute event's page shows its cases and opens one; a situation becomes one.
        if panels.event_panel not in event_views.detail_panels:
            event_views.detail_panels.append(panels.event_panel)
        if panels.situation_panel not in people_views.situation_panels:
            people_views.situation_panels.append(panels.situation_panel)
