"""Pages of the history import and the category mapping: thin views over interop.history,
interop.mapping and interop.history_selectors."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.core.errors import CivicgridError, NotAllowed
from civicgrid.core.views import posted
from civicgrid.events.selectors import categories_tree
from civicgrid.interop import history, mapping
from civicgrid.interop import history_selectors as selectors
from civicgrid.org import selectors as org_selectors


@login_required
@require_http_methods(["GET", "POST"])
def history_import(request: HttpRequest, code: str) -> HttpResponse:
    district = org_selectors.unit_for(request.user, code)
    if not selectors.may_import_history(request.user, district):
        raise NotAllowed(_("Only the district's staff import its history."))
    error = None
    if request.method == "POST":
        try:
            job = history.start_import(
                actor=request.user,
                district=district,
                system=request.POST.get("system", ""),
                upload=request.FILES.get("file"),
            )
        except CivicgridError as exc:
            error = exc
        else:
            return redirect("interop:history_job", pk=job.pk)
    context = {
        "unit": district,
        "error": error,
        "system": request.POST.get("system", ""),
        "jobs": selectors.history_imports(request.user, district)[:20],
    }
    return render(request, "interop/history.html", context, status=400 if error else 200)


@login_required
@require_GET
def history_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.history_import_for(request.user, pk)
    partial = request.headers.get("HX-Request")
    name = "interop/_history_job.html" if partial else "interop/history_job.html"
    return render(request, name, {"job": job})


@login_required
@require_GET
def category_mappings(request: HttpRequest) -> HttpResponse:
    if not selectors.may_edit_mappings(request.user):
        raise NotAllowed(_("Only district staff keep the category mapping."))
    context = {
        "mappings": selectors.category_mappings(),
        "tree": categories_tree(),
    }
    return render(request, "interop/mappings.html", context)


@login_required
@require_POST
def save_category_mapping(request: HttpRequest) -> HttpResponse:
    return posted(
        request,
        lambda: mapping.save_mapping(
            actor=request.user,
            system=request.POST.get("system", ""),
            code=request.POST.get("code", ""),
            name=request.POST.get("name", ""),
            category_code=request.POST.get("category", ""),
        ),
        _("Mapping saved."),
        "interop:mappings",
    )


@login_required
@require_POST
def delete_category_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    return posted(
        request,
        lambda: mapping.delete_mapping(actor=request.user, pk=pk),
        _("Mapping removed."),
        "interop:mappings",
    )
