"""The routing models' pages: what each model is, how well it does, its versions; district
staff roll back to an earlier version or retrain the deployment's models now."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.core import jobs
from civicgrid.core.views import posted
from civicgrid.routing import roles, selectors, services, tasks
from civicgrid.routing.models import ClassifierStatus, Target


@login_required
@require_GET
def models(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "routing/models.html",
        {
            "models": selectors.models_for(request.user),
            "deployment": (settings.ROUTING_CATEGORY_MODEL, settings.ROUTING_DEPARTMENT_MODEL),
            "may_manage": roles.may_manage(request.user),
            "prefill": round(settings.ROUTING_PREFILL_CONFIDENCE * 100),
        },
    )


@login_required
@require_GET
def model(request: HttpRequest, name: str) -> HttpResponse:
    versions = selectors.versions_of(request.user, name)
    wanted = request.GET.get("v", "")
    shown = next((v for v in versions if str(v.number) == wanted), None) or next(
        (v for v in versions if v.status == ClassifierStatus.ACTIVE), versions[0]
    )
    return render(
        request,
        "routing/model.html",
        {
            "name": name,
            "shown": shown,
            "versions": versions,
            "labels": selectors.label_rows(shown),
            "matrix": selectors.matrix(shown),
            "steps": selectors.steps_of(name),
            "may_manage": roles.may_manage(request.user),
            "deployment": shown.target in (Target.CATEGORY, Target.DEPARTMENT),
            "min_new": settings.ROUTING_RETRAIN_MIN_NEW,
            "holdout": round(settings.ROUTING_HOLDOUT_SHARE * 100),
        },
    )


@login_required
@require_POST
def roll_back(request: HttpRequest, name: str, number: int) -> HttpResponse:
    if not roles.may_manage(request.user):
        raise Http404
    target = next(
        (v for v in selectors.versions_of(request.user, name) if v.number == number), None
    )
    if target is None:
        raise Http404
    return posted(
        request,
        lambda: services.roll_back(
            actor=request.user, classifier=target, note=request.POST.get("note", "")
        ),
        _("Version %(number)s is active again.") % {"number": number},
        "routing:model",
        name=name,
    )


@login_required
@require_POST
def retrain(request: HttpRequest, name: str) -> HttpResponse:
    if not roles.may_manage(request.user):
        raise Http404
    targets = {
        settings.ROUTING_CATEGORY_MODEL: Target.CATEGORY,
        settings.ROUTING_DEPARTMENT_MODEL: Target.DEPARTMENT,
    }
    if name not in targets:
        raise Http404
    target = targets[name]
    return posted(
        request,
        lambda: jobs.enqueue_on_commit(tasks.retrain_now, target, request.user.pk),
        _(
            "Training has started; the new version appears here when it is done, active only "
            "if it does better on the most recent events."
        ),
        "routing:model",
        name=name,
    )
