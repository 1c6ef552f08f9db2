from django.contrib import admin

from civicgrid.interop.models import CategoryMapping, HistoryImport

# ---- history import and category mapping (issue 16) ----


@admin.register(CategoryMapping)
class CategoryMappingAdmin(admin.ModelAdmin):
    list_display = ("system", "code", "name", "category")
    list_filter = ("system",)
    search_fields = ("code", "name")
    list_select_related = ("category",)
    autocomplete_fields = ()
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
