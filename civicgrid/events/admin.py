"""Admin for the event configuration staff keep: categories and their defaults, ready answers,
rate targets. Categories and answers are district-wide, so district staff keep them; targets
are kept by whoever manages the unit. Events themselves change only through the workflow."""

from django.contrib import admin

from civicgrid.events.models import Category, RateTarget, ResponseTemplate
from civicgrid.org.admin import DistrictStaffAdmin, ScopedAdmin
from civicgrid.org.scoping import covers


@admin.register(Category)
class CategoryAdmin(DistrictStaffAdmin):
    list_display = (
        "code",
        "name",
        "parent",
        "department_kind",
        "response_hours",
        "closure_days",
        "after_photo_required",
        "public",
        "auto_route_confidence",
        "active",
    )
    list_filter = ("parent", "department_kind", "active", "public")
    search_fields = ("code", "name")
    list_editable = (
        "response_hours",
        "closure_days",
        "after_photo_required",
        "auto_route_confidence",
    )


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(DistrictStaffAdmin):
    list_display = ("text", "category", "status")
    list_filter = ("status",)


@admin.register(RateTarget)
class RateTargetAdmin(ScopedAdmin):
    scope_field = "unit__code"
    list_display = ("unit", "response", "closure", "solution", "satisfaction", "on_time_closure")
    raw_id_fields = ("unit",)

    def may_change(self, user, obj) -> bool:
        return covers(user, obj.unit.code, manage=True)
