from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "civicgrid.assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from civicgrid.core import demo

        # Last year's assessment of the demo street, after its events, ledgers and classes.
        demo.register(
            "assessment",
            "civicgrid.assessment.demo.demo_part",
            after=["events", "people", "classes"],
        )
