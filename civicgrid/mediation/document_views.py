"""Mediation documents and files: the printable documents of a case (HTML to print, or PDF),
the signed scans uploaded back, and the session photos. Everything here is shown only to the
people who see the case (selectors.case_for): anyone else gets a 404, as for a missing case."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from civicgrid.core.errors import CivicgridError, InvalidInput
from civicgrid.core.photos import serve as serve_photo
from civicgrid.mediation import documents, selectors, services
from civicgrid.mediation.models import DocumentKind


@login_required
@require_GET
@never_cache
def document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A case's document to print (`?format=pdf`: as a PDF); a record is of the session
    `?session=<id>`, by default the latest."""
    case = selectors.case_for(request.user, pk)
    if kind not in documents.KINDS:
        raise Http404
    try:
        doc = documents.build(case, kind, session=request.GET.get("session"))
    except LookupError:
        raise Http404 from None
    except CivicgridError as exc:
        context = {"case": case, "message": exc.message, "title": DocumentKind(kind).label}
        return render(request, "mediation/documents/unavailable.html", context, status=exc.status)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(documents.pdf(doc), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{doc.filename(case)}"'
        return response
    return render(request, "mediation/documents/document.html", {"case": case, "doc": doc})


@login_required
@require_POST
def upload_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """A scan of a printed document signed by the parties, back onto the case page."""
    case = selectors.case_for(request.user, pk)
    try:
        upload = request.FILES.get("scan")
        if upload is None:
            raise InvalidInput(_("Choose the scanned document to upload."), field="scan")
        scan = services.upload_scan(
            actor=request.user, case=case, kind=request.POST.get("kind", ""), upload=upload
        )
    except CivicgridError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Signed scan saved: %(kind)s.") % {"kind": scan.get_kind_display()}
        )
    return redirect("mediation:case", pk=case.pk)


@login_required
@require_GET
def scan(request: HttpRequest, pk: int) -> FileResponse:
    return serve_photo(selectors.scan_for(request.user, pk).image)


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> FileResponse:
    return serve_photo(selectors.photo_for(request.user, pk).image)
