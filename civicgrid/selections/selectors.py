"""Reads of selections. `staff_q` is the one place that says which selections a user runs (and
so sees on the staff pages and in the API, with their nominations, flags and results): those of
the units where the user is district, street or community staff, and the units below. The
public pages see only what `public_selections` offers: announced selections, approved
candidates and their counts, never a nominator, a phone or a flag."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from civicgrid.org.scoping import minimal_prefixes, postings_of_user, sees_everything
from civicgrid.selections.models import (
    PUBLIC_STATUSES,
    Anomaly,
    Category,
    Nomination,
    NominationPhoto,
    NominationStatus,
    Outcome,
    Selection,
    SelectionStatus,
    SelectionStep,
    Tally,
)
from civicgrid.selections.roles import STAFF_ROLES


def staff_q(user: Any, field: str = "unit_code") -> Q | None:
    """The rows under the units where the user is staff; None: everything (a superuser)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if sees_everything(user):
        return None
    codes = [code for code, role in postings_of_user(user) if role in STAFF_ROLES]
    condition = Q(pk__in=[])
    for code in minimal_prefixes(codes):
        condition |= Q(**{f"{field}__under": code})
    return condition


def runs_selections(user: Any) -> bool:
    """Whether the user runs selections anywhere (the menu, the list page)."""
    if sees_everything(user):
        return True
    return any(role in STAFF_ROLES for _code, role in postings_of_user(user))


def selections_for(user: Any) -> QuerySet[Selection]:
    condition = staff_q(user)
    rows = Selection.objects.select_related("unit")
    return rows if condition is None else rows.filter(condition)


def selection_for(user: Any, pk: int) -> Selection:
    """A selection the user runs; Http404 otherwise (missing or not theirs)."""
    found = selections_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def nomination_for(user: Any, pk: int) -> Nomination:
    condition = staff_q(user)
    rows = Nomination.objects.select_related("selection", "selection__unit", "category")
    found = (rows if condition is None else rows.filter(condition)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def anomaly_for(user: Any, pk: int) -> Anomaly:
    condition = staff_q(user, "selection__unit_code")
    rows = Anomaly.objects.select_related("selection")
    found = (rows if condition is None else rows.filter(condition)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def photo_for(user: Any, pk: int) -> NominationPhoto:
    """A nomination's photo for the selection's staff; Http404 otherwise."""
    condition = staff_q(user, "nomination__unit_code")
    rows = NominationPhoto.objects.filter(pk=pk)
    found = (rows if condition is None else rows.filter(condition)).first()
    if found is None:
        raise Http404
    return found


def nominations_of(selection: Selection) -> QuerySet[Nomination]:
    """Every nomination of a selection (for its staff), by category, with its photos."""
    return (
        Nomination.objects.filter(selection=selection)
        .select_related("category", "tally")
        .prefetch_related("photos")
        .order_by("category__position", "status", "id")
    )


def open_anomalies(selection: Selection) -> QuerySet[Anomaly]:
    return Anomaly.objects.filter(selection=selection, outcome=Outcome.OPEN).select_related(
        "nomination"
    )


def anomalies_of(selection: Selection) -> QuerySet[Anomaly]:
    return Anomaly.objects.filter(selection=selection).select_related("nomination", "reviewed_by")


def steps_of(selection: Selection) -> QuerySet[SelectionStep]:
    return SelectionStep.objects.filter(selection=selection).select_related("actor")


# ---- results -----------------------------------------------------------------------------------


@dataclass
class Placed:
    """A candidate's place in its category: rank (equal counts share one) and kept count."""

    nomination: Nomination
    rank: int
    votes: int

    @property
    def pk(self) -> int:
        return self.nomination.pk

    @property
    def name(self) -> str:
        return self.nomination.name


@dataclass
class Ranked:
    category: Category
    candidates: list[Placed] = field(default_factory=list)


def results(selection: Selection) -> list[Ranked]:
    """Per category, the approved candidates by their kept count, most votes first."""
    candidates = (
        Nomination.objects.filter(selection=selection, status=NominationStatus.APPROVED)
        .select_related("tally")
        .order_by("-tally__votes", "id")
    )
    by_category: dict[int, Ranked] = {
        category.pk: Ranked(category) for category in selection.categories.all()
    }
    for candidate in candidates:
        ranked = by_category.get(candidate.category_id)
        if ranked is None:
            continue
        votes = _votes(candidate)
        places = ranked.candidates
        rank = places[-1].rank if places and places[-1].votes == votes else len(places) + 1
        places.append(Placed(candidate, rank, votes))
    return list(by_category.values())


def _votes(nomination: Nomination) -> int:
    try:
        return nomination.tally.votes
    except Tally.DoesNotExist:
        return 0


# ---- the public pages --------------------------------------------------------------------------


def public_selections() -> QuerySet[Selection]:
    """What /vote/ lists: announced selections, voting ones first, then by their vote's end."""
    return (
        Selection.objects.filter(status__in=PUBLIC_STATUSES)
        .select_related("unit")
        .order_by("status", "-voting_close_at", "-id")
    )


def voting_first(selections: Iterable[Selection]) -> list[Selection]:
    order = {
        SelectionStatus.VOTING: 0,
        SelectionStatus.NOMINATING: 1,
        SelectionStatus.REVIEWING: 2,
        SelectionStatus.COUNTING: 3,
        SelectionStatus.CLOSED: 4,
    }
    return sorted(selections, key=lambda row: order.get(SelectionStatus(row.status), 9))


def public_selection(pk: int) -> Selection:
    found = public_selections().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def public_categories(selection: Selection) -> list[Category]:
    """The selection's categories, each with `candidates`: its approved nominations with their
    counts and photos (the ids only are needed to show a photo)."""
    approved = (
        Nomination.objects.filter(status=NominationStatus.APPROVED)
        .select_related("tally")
        .prefetch_related(
            Prefetch("photos", queryset=NominationPhoto.objects.only("pk", "nomination_id"))
        )
        .order_by("id")
    )
    return list(
        selection.categories.prefetch_related(
            Prefetch("nominations", queryset=approved, to_attr="candidates")
        )
    )


def counts(selection: Selection) -> dict[int, int]:
    """Each approved candidate's kept count, by nomination id (one small query)."""
    return dict(
        Tally.objects.filter(
            nomination__selection=selection, nomination__status=NominationStatus.APPROVED
        ).values_list("nomination_id", "votes")
    )


def public_candidate(selection: Selection, pk: int) -> Nomination:
    found = (
        Nomination.objects.filter(selection=selection, status=NominationStatus.APPROVED, pk=pk)
        .select_related("category")
        .first()
    )
    if found is None:
        raise Http404
    return found


def public_photo(pk: int) -> NominationPhoto:
    """The photo of an approved candidate of an announced selection; Http404 otherwise."""
    found = NominationPhoto.objects.filter(
        pk=pk,
        nomination__status=NominationStatus.APPROVED,
        nomination__selection__status__in=PUBLIC_STATUSES,
    ).first()
    if found is None:
        raise Http404
    return found
