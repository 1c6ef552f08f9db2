"""Admin for the care and attention tags (district-wide, kept by district staff). Basic data
itself is kept through the pages and the Excel ledgers, which run the services."""

from django.contrib import admin

from civicgrid.org.admin import DistrictStaffAdmin
from civicgrid.people.models import Tag


@admin.register(Tag)
class TagAdmin(DistrictStaffAdmin):
    list_display = ("code", "name", "group", "sensitive", "order")
    list_editable = ("order",)
    list_filter = ("group", "sensitive")
    search_fields = ("code", "name")
