"""Interoperability (接口): events that come from other systems — 12345 hotline and city-app
work orders (工单) pushed through a connector, and a district's history imported from its old
platform — and what civicgrid sends back to those systems."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.events.models import Category, Event


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
