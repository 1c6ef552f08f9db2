"""Interoperability (接口): events that come from other systems — 12345 hotline and city-app
work orders (工单) pushed through a connector, and a district's history imported from its old
platform — and what civicgrid sends back to those systems."""

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.storage import private_storage
from civicgrid.events.models import Category, Event
from civicgrid.org.models import ScopedModel


class WorkOrder(models.Model):
    """An event's order in another system (工单 / 工单号): the 12345 hotline's order number, a
    city app's, an old platform's request id. One per event; the same order never makes two
    events (receiving or importing it again finds this row). A table of its own because on
    PostgreSQL the events are partitioned by month, and a partitioned table cannot hold a
    unique key that leaves out its partition key."""

    # A short name of the other system: "12345", "zhenghaoban", "old-platform".
    system = models.CharField(_("source system"), max_length=40)
    order_number = models.CharField(_("order number"), max_length=64)
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="work_order")
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    # The history import that wrote it (interop.history), so that an import that fails half
    # way takes back exactly what it wrote; empty for orders that arrived any other way.
    history_import = models.ForeignKey(
        "HistoryImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
    )

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        constraints = [
            models.UniqueConstraint(
                fields=["system", "order_number"], name="one_event_per_work_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.system} {self.order_number}"


class CategoryMapping(models.Model):
    """How another system's category code maps to one of civicgrid's, edited by district
    staff. A code that is itself a civicgrid category code needs no mapping."""

    system = models.CharField(_("source system"), max_length=40)
    code = models.CharField(_("their code"), max_length=60)
    name = models.CharField(_("their name"), max_length=100, blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("category mapping")
        verbose_name_plural = _("category mappings")
        ordering = ["system", "code"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="one_mapping_per_code")
        ]

    def __str__(self) -> str:
        return f"{self.system} {self.code} → {self.category.code}"


def private_files() -> Storage:
    """Where an uploaded history file waits for its job: settings.STORAGES["private"]."""
    return private_storage


class HistoryImport(ScopedModel):
    """One import of a district's history (历史数据导入, interop.history) into `unit`, the
    district: checked whole, then written in chunks of short transactions, or not at all (a
    run that fails half way takes back what it wrote). A file imported in the background is
    kept in private storage until the job ends, then deleted."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Rejected")

    # The default source system of rows without a `source` column.
    system = models.CharField(_("source system"), max_length=40, blank=True)
    file = models.FileField(storage=private_files, blank=True)
    filename = models.CharField(_("file"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    # Rows whose (system, id) was imported before: left as they are (docs/history-import.md).
    skipped = models.PositiveIntegerField(_("already imported"), default=0)
    # Of those, the ids whose row in this file differs from what was imported (first few).
    changed = models.JSONField(_("already imported, different in this file"), default=list)
    changed_count = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Runs started and the last sign of life (a run whose worker died is seen by the sweep).
    attempts = models.PositiveSmallIntegerField(default=0)
    touched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("history import")
        verbose_name_plural = _("history imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def rows_per_second(self) -> float | None:
        if not self.seconds or not self.rows_total:
            return None
        return round(self.rows_total / self.seconds, 1)
