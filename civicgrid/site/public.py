"""A community's public page (no login): the doors a resident of that community may use."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from civicgrid.classes import selectors as classes_selectors
from civicgrid.core.views import limited
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.volunteers import selectors as volunteers_selectors

# How much of each list the page shows; the full list is one link away.
SHOWN = 5


@limited("read", methods=["GET"])
@require_GET
def community(request: HttpRequest, code: str) -> HttpResponse:
    """社区服务: report a problem, follow a report, the coming classes, the volunteers' services
    and the honour wall of one community, on a phone."""
    unit = get_object_or_404(
        OrgUnit.objects.select_related("parent"), code=code, kind=Kind.COMMUNITY, active=True
    )
    context = {
        "unit": unit,
        "sessions": classes_selectors.upcoming(unit.code)[:SHOWN],
        "services": volunteers_selectors.menu_for(unit).order_by("name")[:SHOWN],
    }
    return render(request, "site/community.html", context)
