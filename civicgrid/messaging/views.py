"""Public messaging pages: ask for a verification code (htmx fragment or a plain POST that
comes back to the form), and opt out of a kind of message from the link it carried."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.core import limits
from civicgrid.core.cleaning import redirect_to_local
from civicgrid.core.errors import CivicgridError
from civicgrid.core.views import keep_form, limited
from civicgrid.messaging import services
from civicgrid.messaging.models import Purpose


@require_POST
def request_code(request: HttpRequest) -> HttpResponse:
    """Send a code to the phone in the form. htmx gets a one-line fragment for the form;
    without JavaScript the resident is sent back to the form with a message."""
    purpose = request.GET.get("purpose") or request.POST.get("purpose", "")
    try:
        message = services.request_code(
            phone=request.POST.get("phone", ""), purpose=purpose, ip=limits.client_ip(request)
        )
    except CivicgridError as error:
        text, ok = error.message, False
    else:
        text = _("A code was sent to %(phone)s; it is valid for a few minutes.") % {
            "phone": message.recipient_masked
        }
        ok = True
    if request.headers.get("HX-Request"):
        # htmx swaps only 2xx answers: the error is shown in the fragment with status 200.
        return render(request, "messaging/_code_sent.html", {"text": text, "ok": ok})
    (messages.success if ok else messages.error)(request, text)
    keep_form(request)  # the form comes back filled in, for the code to be added
    return redirect_to_local(request, request.GET.get("next") or request.POST.get("next"), "/")


@limited("read", methods=["GET", "POST"])
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """The page an opt-out link opens: one button to stop this kind of message."""
    try:
        recipient_hash, purpose = services.read_opt_out_token(token)
    except CivicgridError:
        return render(request, "messaging/opt_out.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        services.opt_out(recipient_hash=recipient_hash, purpose=purpose, source="link")
        done = True
    label = dict(Purpose.choices).get(purpose, purpose)
    return render(request, "messaging/opt_out.html", {"purpose": label, "done": done})
