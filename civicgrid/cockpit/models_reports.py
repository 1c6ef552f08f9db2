"""The monthly and quarterly reports of a unit (月报 / 季报, issue 19): one row per unit and
period, with its xlsx and PDF in private storage (aggregate figures only, but a unit's figures
are for its staff: no URL serves them, the reports page does, scoped)."""

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.cockpit.figures import Period
from civicgrid.core.storage import private_storage
from civicgrid.org.models import ScopedModel


def report_files() -> Storage:
    """Where a report's files are kept: settings.STORAGES["private"]."""
    return private_storage


class Report(ScopedModel):
    """A unit's report for one period. Generating it again replaces its files and figures."""

    class Kind(models.TextChoices):
        MONTH = "month", pgettext_lazy("report", "Monthly report")
        QUARTER = "quarter", pgettext_lazy("report", "Quarterly report")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        DONE = "done", pgettext_lazy("report", "Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The first day of the month or quarter reported on.
    first = models.DateField(pgettext_lazy("report", "period"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    xlsx = models.FileField(storage=report_files, blank=True)
    pdf = models.FileField(storage=report_files, blank=True)
    # The figures the report states, by key ({"events.reported": 25, ...}), and its phrases.
    figures = models.JSONField(default=dict, blank=True)
    phrases = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # Who asked for it (None: the monthly schedule).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("report", "report")
        verbose_name_plural = pgettext_lazy("report", "reports")
        ordering = ["-first", "kind", "unit_code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "first"], name="cockpit_report_once"),
        ]

    @property
    def period(self) -> Period:
        return Period(self.kind, self.first)

    def __str__(self) -> str:
        return f"{self.unit_code} {self.kind} {self.first:%Y-%m}"
