"""The export door of every list page (core.exports): POST the list page's filters (its query
string) with a format, get the file, or the progress page of a background job."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from civicgrid.core import exports, limits
from civicgrid.core.cleaning import redirect_back
from civicgrid.core.errors import CivicgridError
from civicgrid.core.models import ExportJob


@login_required
@require_POST
def export(request: HttpRequest, name: str) -> HttpResponse:
    try:
        result = exports.start(
            actor=request.user,
            name=name,
            params=exports.request_params(name, request),
            fmt=request.POST.get("format", ""),
            reason=request.POST.get("reason", ""),
            ip=limits.client_ip(request) or None,
        )
    except CivicgridError as error:
        messages.error(request, error.message)
        return redirect_back(request, "home")
    if result.job is not None:
        return redirect("cockpit:export_job", pk=result.job.pk)
    response = HttpResponse(result.data, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


@login_required
@require_GET
def export_jobs(request: HttpRequest) -> HttpResponse:
    return render(request, "core/exports/jobs.html", {"jobs": exports.jobs_for(request.user)[:50]})


@login_required
@require_GET
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = exports.job_for(request.user, pk)
    partial = request.headers.get("HX-Request")
    template = "core/exports/_job.html" if partial else "core/exports/job.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = exports.job_for(request.user, pk)
    if job.state != ExportJob.State.DONE or not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=exports.FORMATS.get(job.fmt),
    )
