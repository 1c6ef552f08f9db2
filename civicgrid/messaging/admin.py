"""The send log and consents, read-only for the superuser: no address or code is in them."""

from django.contrib import admin

from civicgrid.messaging.models import Consent, Message


class ReadOnly(admin.ModelAdmin):
    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = (
        "created_at",
        "channel",
        "purpose",
        "recipient_masked",
        "status",
        "attempts",
        "sender",
        "last_error",
    )
    list_filter = ("status", "channel", "purpose")
    exclude = ("sealed",)
    date_hierarchy = "created_at"


@admin.register(Consent)
class ConsentAdmin(ReadOnly):
    list_display = ("recipient_hash", "purpose", "granted", "source", "at")
    list_filter = ("purpose", "granted", "source")
