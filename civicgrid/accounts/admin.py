from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import User
from civicgrid.org.scoping import manages_any_unit, users_for


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Profile"), {"fields": ("full_name",)}))
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
