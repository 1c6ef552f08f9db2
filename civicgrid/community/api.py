"""Community services in the JSON API (/api/v1/community/…), scoped like the pages."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from civicgrid.community import selectors, services
from civicgrid.core.api import ERRORS
from civicgrid.org import selectors as org_selectors

router = Router(tags=["community"])


class NeedOut(Schema):
    id: int
    title: str
    category: str
    urgency: str
    source: str
    status: str
    who: str
    people: int
    unit_code: str
    resource: str | None
    project: int | None
    created_at: dt.datetime


class SuggestionOut(Schema):
    id: int
    title: str
    provider: str
    category: str
    terms: str
    free_capacity: int
    reasons: list[str]


class TaskOut(Schema):
    id: int
    title: str
    due_on: dt.date
    status: str
    source: str
    claimant: str
    unit_code: str


def _need(need) -> NeedOut:
    return NeedOut(
        id=need.pk,
        title=need.title,
        category=need.category,
        urgency=need.urgency,
        source=need.source,
        status=need.status,
        who=need.who,
        people=need.people,
        unit_code=need.unit_code,
        resource=str(need.resource) if need.resource else None,
        project=need.project_id,
        created_at=need.created_at,
    )


@router.get("/units/{code}/needs", response={200: list[NeedOut], **ERRORS})
def unit_needs(request: HttpRequest, code: str, active: bool = True):
    unit = org_selectors.unit_for(request.user, code)
    return [_need(n) for n in selectors.needs_for(request.user, unit, active=active)[:500]]


@router.get("/needs/{need_id}/suggestions", response={200: list[SuggestionOut], **ERRORS})
def suggestions(request: HttpRequest, need_id: int):
    """Resources for an open need, best first, with the reasons."""
    need = selectors.need_for(request.user, need_id)
    return [
        SuggestionOut(
            id=r.pk,
            title=r.title,
            provider=r.provider,
            category=r.category,
            terms=r.terms,
            free_capacity=r.free_capacity,
            reasons=[str(reason) for reason in reasons],
        )
        for r, reasons in services.suggest(need)
    ]


@router.get("/units/{code}/tasks", response={200: list[TaskOut], **ERRORS})
def unit_tasks(request: HttpRequest, code: str, status: str = ""):
    unit = org_selectors.unit_for(request.user, code)
    return [
        TaskOut(
            id=t.pk,
            title=t.title,
            due_on=t.due_on,
            status=t.status,
            source=t.source,
            claimant=t.claimant,
            unit_code=t.unit_code,
        )
        for t in selectors.tasks_for(request.user, unit, status)[:500]
    ]


@router.post("/tasks/{task_id}/claim", response={200: TaskOut, **ERRORS})
def claim(request: HttpRequest, task_id: int):
    """A party member with a login claims a task for themselves."""
    task = services.claim_task(actor=request.user, task=selectors.task_for(request.user, task_id))
    return TaskOut(
        id=task.pk,
        title=task.title,
        due_on=task.due_on,
        status=task.status,
        source=task.source,
        claimant=task.claimant,
        unit_code=task.unit_code,
    )


@router.get("/units/{code}/figures", response={200: dict, **ERRORS})
def figures(request: HttpRequest, code: str) -> dict:
    """This year's figures: needs, projects, partner activities, tasks, volunteering."""
    unit = org_selectors.unit_for(request.user, code)
    today = timezone.localdate()
    return {"unit_code": unit.code, **selectors.figures(unit, today.replace(month=1, day=1), today)}
