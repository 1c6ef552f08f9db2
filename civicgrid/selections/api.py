"""Selections in the JSON API (/api/v1/selections/…), for staff and scoped like the staff
pages (selectors.staff_q): the selections of the units where the caller is staff, their
categories, nominations (the nominator's phone masked), flags and results. The public flow —
proving a phone, voting, nominating — stays on the /vote/ pages, with their limits."""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from civicgrid.core.api import ERRORS
from civicgrid.selections import selectors
from civicgrid.selections.models import Nomination, Selection

router = Router(tags=["selections"])

MAX_OFFSET = 1_000_000_000


class SelectionOut(Schema):
    id: int
    title: str
    unit: str
    status: str
    version: int
    vote_rule: str
    nominations_open_at: dt.datetime
    nominations_close_at: dt.datetime
    voting_open_at: dt.datetime
    voting_close_at: dt.datetime
    published_at: dt.datetime | None


class CategoryOut(Schema):
    id: int
    name: str
    description: str


class NominationOut(Schema):
    id: int
    category: int
    name: str
    story: str
    status: str
    reason: str
    nominator: str
    phone_masked: str
    votes: int
    photos: int
    submitted_at: dt.datetime


class AnomalyOut(Schema):
    id: int
    kind: str
    nomination: int | None
    since: dt.datetime
    until: dt.datetime
    outcome: str
    voided: int


class SelectionDetailOut(SelectionOut):
    description: str
    categories: list[CategoryOut]
    nominations: list[NominationOut]
    anomalies: list[AnomalyOut]


class RankedOut(Schema):
    nomination: int
    name: str
    rank: int
    votes: int


class CategoryResultOut(Schema):
    category: int
    name: str
    candidates: list[RankedOut]


class ResultsOut(Schema):
    selection: int
    status: str
    published_at: dt.datetime | None
    categories: list[CategoryResultOut]


def _out(selection: Selection) -> dict:
    return {
        "id": selection.pk,
        "title": selection.title,
        "unit": selection.unit_code,
        "status": selection.status,
        "version": selection.version,
        "vote_rule": selection.vote_rule,
        "nominations_open_at": selection.nominations_open_at,
        "nominations_close_at": selection.nominations_close_at,
        "voting_open_at": selection.voting_open_at,
        "voting_close_at": selection.voting_close_at,
        "published_at": selection.published_at,
    }


def _votes(nomination: Nomination) -> int:
    tally = getattr(nomination, "tally", None)
    return tally.votes if tally is not None else 0


@router.get("/", response={200: list[SelectionOut], **ERRORS})
def list_selections(
    request: HttpRequest,
    unit: str | None = None,
    status: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """The selections of the units where you are staff (and below), newest first; filter by
    unit code (the units below it too) and status; `limit` (1…1000) from `offset`."""
    rows = selectors.selections_for(request.user)
    if unit:
        rows = rows.filter(unit_code__under=unit)
    if status:
        rows = rows.filter(status=status)
    return [_out(row) for row in rows[offset : offset + limit]]


@router.get("/{selection_id}", response={200: SelectionDetailOut, **ERRORS})
def get_selection(request: HttpRequest, selection_id: int):
    """One selection with its categories, nominations (phones masked) and flags."""
    selection = selectors.selection_for(request.user, selection_id)
    return {
        **_out(selection),
        "description": selection.description,
        "categories": [
            {"id": c.pk, "name": c.name, "description": c.description}
            for c in selection.categories.all()
        ],
        "nominations": [
            {
                "id": n.pk,
                "category": n.category_id,
                "name": n.name,
                "story": n.story,
                "status": n.status,
                "reason": n.reason,
                "nominator": n.nominator,
                "phone_masked": n.phone_masked,
                "votes": _votes(n),
                "photos": len(n.photos.all()),
                "submitted_at": n.submitted_at,
            }
            for n in selectors.nominations_of(selection)
        ],
        "anomalies": [
            {
                "id": a.pk,
                "kind": a.kind,
                "nomination": a.nomination_id,
                "since": a.since,
                "until": a.until,
                "outcome": a.outcome,
                "voided": a.voided,
            }
            for a in selectors.anomalies_of(selection)
        ],
    }


@router.get("/{selection_id}/results", response={200: ResultsOut, **ERRORS})
def get_results(request: HttpRequest, selection_id: int):
    """The ranking per category from the kept counts (valid votes only)."""
    selection = selectors.selection_for(request.user, selection_id)
    return {
        "selection": selection.pk,
        "status": selection.status,
        "published_at": selection.published_at,
        "categories": [
            {
                "category": ranked.category.pk,
                "name": ranked.category.name,
                "candidates": [
                    {"nomination": c.pk, "name": c.name, "rank": c.rank, "votes": c.votes}
                    for c in ranked.candidates
                ],
            }
            for ranked in selectors.results(selection)
        ],
    }
