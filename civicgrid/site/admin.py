"""The personal-data access log, for those who manage units: read-only, scoped to their units."""

from django.contrib import admin

from civicgrid.core.models import AccessLog
from civicgrid.org.admin import ScopedAdmin


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdmin):
    list_display = ("at", "actor", "action", "record", "field", "rows", "reason", "ip")
    list_filter = ("action", "field")
    search_fields = ("record", "reason", "actor__username", "actor__full_name")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
