"""Connectors, category mappings, history imports and work orders for the superuser; the
outbox with its delivery log, and an action to send failed messages again."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import CivicgridError
from civicgrid.interop import outbox
from civicgrid.interop.models import (
    CategoryMapping,
    Connector,
    DeliveryAttempt,
    HistoryImport,
    OutboxMessage,
    WorkOrder,
)


@admin.register(Connector)
class ConnectorAdmin(admin.ModelAdmin):
    list_display = ("system", "name", "source", "adapter", "url", "user", "department", "active")
    list_filter = ("active", "source", "adapter")
    raw_id_fields = ("user", "department")


@admin.register(CategoryMapping)
class CategoryMappingAdmin(admin.ModelAdmin):
    list_display = ("system", "code", "name", "category")
    list_filter = ("system",)
    search_fields = ("code", "name")
    list_select_related = ("category",)
    raw_id_fields = ("category",)


@admin.register(HistoryImport)
class HistoryImportAdmin(admin.ModelAdmin):
    """Read-only: imports are run by the page or the command, and taken back by the engine."""

    list_display = ("filename", "unit", "system", "state", "imported", "skipped", "created_at")
    list_filter = ("state",)
    list_select_related = ("unit",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ("system", "order_number", "event", "created_at")
    list_filter = ("system",)
    search_fields = ("order_number", "event__number")
    raw_id_fields = ("event",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "ok", "status_code", "error")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.action(description=_("Send again"))
def send_again(modeladmin, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
    done = 0
    for message in queryset.exclude(status="sent"):
        try:
            outbox.retry_message(actor=request.user, message=message)
        except CivicgridError:
            continue  # being sent right now, or sent meanwhile
        done += 1
    modeladmin.message_user(request, _("%(n)d sent again.") % {"n": done}, messages.SUCCESS)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "connector",
        "event",
        "action",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
    )
    list_filter = ("status", "connector")
    search_fields = ("event__number",)
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    inlines = [AttemptInline]
    actions = [send_again]

    def has_add_permission(self, request) -> bool:
        return False
