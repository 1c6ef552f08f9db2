from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "civicgrid.assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from civicgrid.assessment import checks, quiz, scoring
        from civicgrid.assessment.models import Source
        from civicgrid.core import demo

        # The computed indicators' values, per worker: 听 and 查 (checks.py), 测 (quiz.py).
        scoring.register(Source.INSPECTION, checks.values_inspections)
        scoring.register(Source.COMPLETENESS, checks.values_completeness)
        scoring.register(Source.RATES, checks.values_rates)
        scoring.register(Source.SPOT_CHECK, checks.values_spot_checks)
        scoring.register(Source.CROSS_BOUNDARY, checks.values_cross_boundary)
        scoring.register(Source.QUIZ, quiz.values)

        # Last year's assessment of the demo street, after its events, ledgers and classes.
        demo.register(
            "assessment",
            "civicgrid.assessment.demo.demo_part",
            after=["events", "people", "classes"],
        )
