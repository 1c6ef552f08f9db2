"""Admin for configuration. Who may use it follows from roles (roles.py), not from Django's
model permissions: staff whose role manages the tree see and change only what lies under their
units, and every change goes through the same services as everywhere else."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from civicgrid.core.errors import CivicgridError
from civicgrid.core.types import Actor
from civicgrid.org import selectors, services
from civicgrid.org.models import OrgUnit, Posting, UnitChange
from civicgrid.org.roles import Role
from civicgrid.org.scoping import postings_of_user, scope, sees_everything


def _district_staff(user: Actor) -> bool:
    return sees_everything(user) or any(
        role == Role.DISTRICT_STAFF for _code, role in postings_of_user(user)
    )


# These bases serve admins of every model, and ModelAdmin takes no type argument at run time.
class DistrictStaffAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """District-wide lists (categories, tags) kept by district staff; never deleted."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _district_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _district_staff(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _district_staff(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _district_staff(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    scope_field = "unit_code"

    def may_change(self, user: Actor, obj: Any) -> bool:
        """Whether `user` may change this visible row; subclasses say where it hangs."""
        return True

    def has_module_permission(self, request: HttpRequest) -> bool:
        return selectors.manages_any_unit(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not self.has_module_permission(request):
            return False
        return obj is None or self.may_change(request.user, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(super().get_queryset(request), request.user, self.scope_field)

    def formfield_for_foreignkey(
        self, db_field: "ForeignKey[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> "ModelChoiceField[Any] | None":
        if db_field.related_model is OrgUnit:
            kwargs["queryset"] = scope(OrgUnit.objects.filter(active=True), request.user, "code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Services raise CivicgridError for a broken rule; the admin's transaction is rolled
        # back and the user is sent back to the form with the message.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CivicgridError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
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

    def get_readonly_fields(
        self, request: HttpRequest, obj: OrgUnit | None = None
    ) -> tuple[str, ...]:
        # A unit's code and place in the tree change only through move_unit.
        return ("code", "kind", "parent") if obj else ()

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
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

    def may_change(self, user: Actor, obj: OrgUnit) -> bool:
        # A unit is changed by those who manage its parent; a top-level one by superusers.
        if obj.parent is None:
            return sees_everything(user)
        return selectors.may_manage(user, obj.parent)


@admin.register(Posting)
class PostingAdmin(ScopedAdmin):
    list_display = ("user", "role", "unit", "active", "started_at")
    list_filter = ("role", "active")
    search_fields = ("user__username", "user__full_name", "unit__name", "unit_code")
    raw_id_fields = ("user",)
    autocomplete_fields = ("unit",)  # a district has ~10,000 units: search, don't scroll
    fields = ("user", "unit", "role")

    def get_readonly_fields(
        self, request: HttpRequest, obj: Posting | None = None
    ) -> tuple[str, ...]:
        return ("user", "unit", "role") if obj else ()

    def may_change(self, user: Actor, obj: Posting) -> bool:
        return selectors.may_manage(user, obj.unit)

    def save_model(self, request: HttpRequest, obj: Posting, form: Any, change: bool) -> None:
        if change:
            return
        created = services.post_user(
            actor=request.user, user=obj.user, unit=obj.unit, role=obj.role
        )
        obj.pk = created.pk


@admin.register(UnitChange)
class UnitChangeAdmin(ScopedAdmin):
    scope_field = "unit__code"
    list_display = ("at", "unit", "action", "actor")
    list_filter = ("action",)
    readonly_fields = ("unit", "actor", "action", "before", "after", "at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
