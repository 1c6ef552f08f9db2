"""Interoperability (接口): events that come from other systems — 12345 hotline and city-app
work orders (工单) pushed through a connector, and a district's history imported from its old
platform — and what civicgrid sends back to those systems."""

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.storage import private_storage
from civicgrid.core.units import UnitCodeField
from civicgrid.events.models import Category, Event, EventStep, Source
from civicgrid.org.models import OrgUnit, ScopedModel


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
    # A hash of the order as it was pushed (interop.connectors): the same number pushed again
    # with other content is the other system's mistake, answered 409. Blank for orders that
    # were recorded by hand or imported.
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
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


# ---- connectors and the outbox (issue 16: 12345 / external work orders) ----------------------


class Connector(models.Model):
    """Another system civicgrid exchanges work orders with: the 12345 hotline, a city app, a
    department's own system. Its orders are pushed to the API by `user` (the account behind
    the system's API key); what happens to them is sent back through `adapter` (interop.adapters:
    "file" by default, "http" for a JSON endpoint at `url`). A connector with a `department`
    also gets the whistles raised to that department."""

    system = models.SlugField(_("source system"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # The channel its orders arrive as (12345 hotline, city app, a department's system).
    source = models.CharField(
        _("channel"), max_length=20, choices=Source.choices, default=Source.HOTLINE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("API user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The account whose API key may push orders for this system."),
    )
    department = models.ForeignKey(
        OrgUnit,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A department whose own system this is: whistles to it are sent here."),
    )
    adapter = models.CharField(_("adapter"), max_length=100, default="file")
    url = models.URLField(_("URL"), max_length=300, blank=True)
    # Extra HTTP headers ({"Authorization": "…"}), sent with every delivery.
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    timeout = models.PositiveSmallIntegerField(_("timeout (seconds)"), default=10)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("connector")
        verbose_name_plural = _("connectors")
        ordering = ["system"]

    def __str__(self) -> str:
        return f"{self.system} {self.name}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """What one step of an event tells one connector: written in the step's own transaction,
    delivered after commit by the task queue, retried on INTEROP_RETRY_DELAYS, then given up
    (FAILED) until staff retry it."""

    connector = models.ForeignKey(
        Connector, verbose_name=_("connector"), on_delete=models.CASCADE, related_name="outbox"
    )
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="+"
    )
    # The step it reports; no database key of its own, as for photos (the step log is
    # partitioned on PostgreSQL).
    step = models.ForeignKey(
        EventStep,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    # The event's unit code at the time, so that staff see the outbox of their own units.
    unit_code = UnitCodeField(db_index=True)
    action = models.CharField(_("action"), max_length=20)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="interop_outbox_due")]

    def __str__(self) -> str:
        return f"{self.connector_id} {self.event_id} {self.action} · {self.status}"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per attempt, with the answer's code or the error."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(_("at"))
    ok = models.BooleanField(_("delivered"))
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.message_id} {self.at:%Y-%m-%d %H:%M:%S} {self.ok}"


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
