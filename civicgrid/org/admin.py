"""Admin for configuration. Non-superusers see and change only what lies under their units;
changes go through the same services as everywhere else."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from civicgrid.core.errors import CivicgridError
from civicgrid.org import services
from civicgrid.org.models import OrgUnit, Posting, UnitChange
from civicgrid.org.scoping import covers, scope


class ScopedAdmin(admin.ModelAdmin):
    scope_field = "unit_code"

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, self.scope_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is OrgUnit:
            kwargs["queryset"] = scope(OrgUnit.objects.filter(active=True), request.user, "code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Services raise CivicgridError for a broken rule; the admin's transaction is rolled
        # back and the user is sent back to the form with the message.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CivicgridError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None) -> bool:
        # Units and postings are deactivated or ended, never deleted: history refers to them.
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdmin):
    scope_field = "code"
    list_display = ("code", "name", "kind", "subkind", "parent", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name", "short_name")
    raw_id_fields = ("parent",)
    fields = (
        "code",
        "name",
        "short_name",
        "kind",
        "subkind",
        "parent",
        "polygon",
        "centre_lon",
        "centre_lat",
        "active",
    )

    def get_readonly_fields(self, request, obj=None):
        # A unit's code and place in the tree change only through move_unit.
        return ("code", "kind", "parent") if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            centre = (data["centre_lon"], data["centre_lat"])
            services.update_unit(
                actor=request.user,
                unit=obj,
                name=data["name"],
                short_name=data["short_name"],
                polygon=data["polygon"],
                centre=centre if None not in centre else None,
                active=data["active"],
            )
        else:
            created = services.create_unit(
                actor=request.user,
                parent=data["parent"],
                kind=data["kind"],
                name=data["name"],
                code=data["code"] or None,
                short_name=data["short_name"],
                subkind=data["subkind"],
                polygon=data["polygon"],
            )
            obj.pk = created.pk

    def has_change_permission(self, request, obj=None) -> bool:
        if (
            obj is not None
            and obj.parent_id
            and not covers(request.user, obj.parent.code, manage=True)
        ):
            return False
        return super().has_change_permission(request, obj)


@admin.register(Posting)
class PostingAdmin(ScopedAdmin):
    list_display = ("user", "role", "unit", "active", "started_at")
    list_filter = ("role", "active")
    search_fields = ("user__username", "user__full_name", "unit__name", "unit_code")
    raw_id_fields = ("user",)
    fields = ("user", "unit", "role")

    def get_readonly_fields(self, request, obj=None):
        return ("user", "unit", "role") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.post_user(
            actor=request.user, user=obj.user, unit=obj.unit, role=obj.role
        )
        obj.pk = created.pk


@admin.register(UnitChange)
class UnitChangeAdmin(admin.ModelAdmin):
    list_display = ("at", "unit", "action", "actor")
    list_filter = ("action",)
    readonly_fields = ("unit", "actor", "action", "before", "after", "at")

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, "unit__code")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
