"""Admin for the points rules (district-wide, kept by district staff). Party records, the
ledger and the shop are kept through the pages, which run the services."""

from django.contrib import admin

from civicgrid.org.admin import DistrictStaffAdmin
from civicgrid.party.models import PointRule


@admin.register(PointRule)
class PointRuleAdmin(DistrictStaffAdmin):
    list_display = ("kind", "points", "daily_cap", "yearly_cap", "active")
    list_editable = ("points", "daily_cap", "yearly_cap", "active")
    list_display_links = ("kind",)

    def get_readonly_fields(self, request, obj=None):
        return ("kind",) if obj else ()
