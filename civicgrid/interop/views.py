"""The outbox page: what was sent back to other systems, the failures, and retrying them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.core.errors import CivicgridError
from civicgrid.events.roles import DISPATCH_ROLES
from civicgrid.interop import outbox, selectors
from civicgrid.interop.models import DeliveryStatus
from civicgrid.org.scoping import postings_of_user, sees_everything

SHOWN = 200


def _staff(user) -> bool:
    return sees_everything(user) or any(
        role in DISPATCH_ROLES for _code, role in postings_of_user(user)
    )


@login_required
@require_GET
def outbox_list(request: HttpRequest) -> HttpResponse:
    """Messages to other systems about the events of the user's units; failed ones by default."""
    if not _staff(request.user):
        raise PermissionDenied
    status = request.GET.get("status", DeliveryStatus.FAILED)
    status = status if status in DeliveryStatus.values or status == "all" else DeliveryStatus.FAILED
    rows = selectors.outbox_for(request.user, "" if status == "all" else status)
    context = {
        "rows": rows.prefetch_related("tries")[:SHOWN],
        "status": status,
        "statuses": DeliveryStatus.choices,
    }
    return render(request, "interop/outbox.html", context)


@login_required
@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.outbox_message_for(request.user, pk)
    try:
        outbox.retry_message(actor=request.user, message=message)
    except CivicgridError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sent again."))
    return redirect("interop:outbox")
