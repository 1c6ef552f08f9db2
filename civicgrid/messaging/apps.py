from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "civicgrid.messaging"
    verbose_name = _("Messages to residents")

    def ready(self) -> None:
        from civicgrid.core import erasure
        from civicgrid.messaging import erasure as messaging

        erasure.register("messaging.Message", messaging.erase_messages)
        erasure.register("messaging.Consent", messaging.erase_consents)
        erasure.register("messaging.VerificationCode", messaging.erase_codes)
