from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import ApiToken, User
from civicgrid.org.scoping import manages_any_unit, sees_everything, users_for


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (_("Profile"), {"fields": ("full_name",)}))
    list_display = ("username", "full_name", "is_active", "is_staff", "last_login")
    search_fields = ("username", "full_name")

    # Staff who manage units may look users up (to post them); creating and editing accounts
    # stays with Django's permissions.
    def has_module_permission(self, request) -> bool:
        return manages_any_unit(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return manages_any_unit(request.user) or super().has_view_permission(request, obj)

    def get_queryset(self, request):
        return users_for(request.user, super().get_queryset(request))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `manage.py issue_api_token` (the key is shown once); here they
    are listed and switched off."""

    list_display = (
        "name",
        "user",
        "prefix",
        "active",
        "trusted_times",
        "created_at",
        "last_used_at",
    )
    fields = ("name", "user", "prefix", "active", "trusted_times", "created_at", "last_used_at")
    readonly_fields = ("name", "user", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_module_permission(self, request) -> bool:
        return sees_everything(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return sees_everything(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return sees_everything(request.user)
