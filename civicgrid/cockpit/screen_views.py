"""The big screen's pages (issue 19): the kiosk page and its JSON for a signed-in user, the same
through a secret link (aggregate figures only, no log-in), and the staff's list of links."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.cockpit import screens
from civicgrid.core.errors import InvalidInput
from civicgrid.core.views import limited, posted
from civicgrid.org import selectors as org_selectors
from civicgrid.org.models import OrgUnit


def _kiosk(request: HttpRequest, unit: OrgUnit, data: dict, data_url: str) -> HttpResponse:
    context = {
        "unit": unit,
        "data": data,
        "data_url": data_url,
        "rotate_seconds": settings.SCREEN_ROTATE_SECONDS,
        "labels": screens.labels(),
        "map_settings": org_selectors.map_settings(),
    }
    return render(request, "cockpit/screen.html", context)


def _private(response: HttpResponse) -> HttpResponse:
    # A secret link's page: never cached by a proxy, never indexed, and its URL (the token)
    # never sent on as a Referer.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_GET
def screen(request: HttpRequest, code: str) -> HttpResponse:
    """大屏: the unit's figures for a 1920×1080 wall display; it refreshes itself."""
    unit = screens.screen_unit(request.user, code)
    data = screens.screen_data(unit, public=False)
    return _kiosk(request, unit, data, reverse("cockpit:screen_data", args=[unit.code]))


@login_required
@require_GET
def screen_data(request: HttpRequest, code: str) -> JsonResponse:
    unit = screens.screen_unit(request.user, code)
    return JsonResponse(screens.screen_data(unit, public=False))


@limited("screen", methods=["GET"])
@require_GET
def link_screen(request: HttpRequest, token: str) -> HttpResponse:
    """The screen opened by its secret link: no log-in, aggregate figures only."""
    link = screens.link_by_token(token)
    data = screens.screen_data(link.unit, public=True)
    url = reverse("cockpit:link_screen_data", args=[token])
    return _private(_kiosk(request, link.unit, data, url))


@limited("screen", methods=["GET"])
@require_GET
def link_screen_data(request: HttpRequest, token: str) -> JsonResponse:
    link = screens.link_by_token(token)
    response = JsonResponse(screens.screen_data(link.unit, public=True))
    _private(response)
    return response


@login_required
@require_GET
def screens_home(request: HttpRequest) -> HttpResponse:
    """大屏管理 in the menu: the screen links of the first unit the user manages."""
    return redirect("cockpit:screen_links", code=screens.home_unit(request.user).code)


@login_required
@require_http_methods(["GET", "POST"])
def screen_links(request: HttpRequest, code: str) -> HttpResponse:
    """The unit's screen links: make one (its link is shown once), list and revoke them."""
    unit = screens.managed_unit(request.user, code)
    context: dict = {"unit": unit, "errors": {}, "form": {}}
    status = 200
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in ("label", "expires_on")}
        try:
            expires_at = screens.parse_expiry(form["expires_on"])
            _link, token = screens.create_link(
                actor=request.user, unit=unit, label=form["label"], expires_at=expires_at
            )
        except InvalidInput as exc:
            context["errors"] = {exc.field or "label": exc.message}
            context["form"] = form
            status = 400
        else:
            context["new_url"] = request.build_absolute_uri(
                reverse("cockpit:link_screen", args=[token])
            )
    context["links"] = list(screens.links_for(request.user, unit)[:200])
    response = render(request, "cockpit/screen_links.html", context, status=status)
    if "new_url" in context:
        response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def revoke_screen_link(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    unit = screens.managed_unit(request.user, code)
    link = screens.link_for(request.user, pk)
    if not link.unit_code.startswith(unit.code):
        raise Http404
    return posted(
        request,
        lambda: screens.revoke_link(actor=request.user, link=link),
        _("The link is revoked: its screen goes blank at its next refresh."),
        "cockpit:screen_links",
        code=unit.code,
    )
