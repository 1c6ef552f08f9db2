from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "civicgrid.interop"
    verbose_name = _("Interoperability")

    def ready(self) -> None:
        from civicgrid.events import services
        from civicgrid.interop import connectors, outbox

        # events imports nothing above it: interop hooks itself into the steps and reports.
        if outbox.on_step not in services.step_hooks:
            services.step_hooks.append(outbox.on_step)
        if connectors.record_work_order not in services.work_order_hooks:
            services.work_order_hooks.append(connectors.record_work_order)
