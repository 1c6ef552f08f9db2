"""Reads of party records, always for an acting user and scoped through org.scoping."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import holds, scope, scope_under
from civicgrid.org.selectors import code_prefixes
from civicgrid.party.models import (
    LEADING_POSITIONS,
    REQUIRED_PER_YEAR,
    STUDY_HOURS_REQUIRED,
    STUDY_HOURS_REQUIRED_LEADING,
    Branch,
    LifeKind,
    OrganisationalLife,
    PartyMember,
    PointEntry,
    PointsRollup,
    Redemption,
    RedemptionStatus,
    RewardItem,
    ShockTeam,
    StudyCredit,
)
from civicgrid.party.roles import PARTY_ROLES


def may_keep(user, unit: OrgUnit) -> bool:
    return holds(user, unit.code, PARTY_ROLES)


def branches_for(user, unit: OrgUnit) -> QuerySet[Branch]:
    branches = Branch.objects.filter(active=True).select_related("unit").defer("unit__polygon")
    return scope_under(branches, user, unit).annotate(
        member_count=Count("members", filter=Q(members__active=True))
    )


def branch_for(user, pk: int) -> Branch:
    return get_object_or_404(scope(Branch.objects.select_related("unit"), user), pk=pk)


def member_query(query) -> str:
    """The members list's name search (?q=), as the page and its export read it."""
    return (query.get("q") or "").strip()[:40]


def members_for(user, unit: OrgUnit, *, query: str = "", branch: Branch | None = None):
    members = scope_under(PartyMember.objects.select_related("branch", "person"), user, unit)
    if branch is not None:
        members = members.filter(branch=branch)
    if query:
        members = members.filter(name__contains=query)
    return members


def member_for(user, pk: int) -> PartyMember:
    """A member the user may see: in their scope, or themselves."""
    own = getattr(user, "party_member", None) if user.is_authenticated else None
    members = PartyMember.objects.select_related("branch", "unit", "person")
    if own is not None and own.pk == pk:
        return members.get(pk=pk)
    return get_object_or_404(scope(members, user), pk=pk)


def shock_teams_for(user, unit: OrgUnit) -> QuerySet[ShockTeam]:
    return scope_under(ShockTeam.objects.filter(active=True), user, unit).prefetch_related(
        "members"
    )


def meetings_for(user, branch: Branch, year: int) -> QuerySet[OrganisationalLife]:
    meetings = OrganisationalLife.objects.filter(branch=branch, held_on__year=year)
    return (
        scope(meetings, user)
        .annotate(attendee_count=Count("attendees"))
        .order_by("-held_on", "-id")
    )


def life_completeness(branch: Branch, year: int, today: dt.date) -> list[dict]:
    """Per kind of organisational life: meetings held in `year` against the yearly requirement
    and against what is due by `today` (quarterly kinds: one per quarter begun)."""
    held = dict(
        OrganisationalLife.objects.filter(branch=branch, held_on__year=year)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    months = 12 if year < today.year else (today.month if year == today.year else 0)
    rows = []
    for kind, required in REQUIRED_PER_YEAR.items():
        due = -(-required * months // 12)  # a share of the year begun, rounded up
        count = held.get(kind, 0)
        rows.append(
            {
                "kind": kind,
                "label": LifeKind(kind).label,
                "held": count,
                "required": required,
                "due": due,
                "behind": count < due,
            }
        )
    return rows


def study_hours(members: QuerySet[PartyMember], year: int) -> list[dict]:
    """Each member's class hours in `year` against what they must study, most behind first."""
    totals = dict(
        StudyCredit.objects.filter(member__in=members, year=year)
        .values("member_id")
        .annotate(total=Sum("hours"))
        .values_list("member_id", "total")
    )
    rows: list[dict[str, Any]] = []
    for member in members.filter(active=True):
        total = totals.get(member.pk) or Decimal(0)
        required = (
            STUDY_HOURS_REQUIRED_LEADING
            if member.position in LEADING_POSITIONS
            else STUDY_HOURS_REQUIRED
        )
        rows.append(
            {
                "member": member,
                "hours": total,
                "required": required,
                "short": max(Decimal(required) - total, Decimal(0)),
            }
        )
    rows.sort(key=lambda row: (-row["short"], row["member"].name))
    return rows


def credits_of(member: PartyMember, year: int) -> QuerySet[StudyCredit]:
    return member.study_credits.filter(year=year)


def ledger_of(member: PartyMember) -> QuerySet[PointEntry]:
    return member.point_entries.select_related("actor")


def shop_for(member: PartyMember) -> QuerySet[RewardItem]:
    """The items offered to a member: those of their unit and of every unit above it."""
    return RewardItem.objects.filter(
        unit_code__in=code_prefixes(member.unit_code), active=True, stock__gt=0
    )


def items_for(user, unit: OrgUnit) -> QuerySet[RewardItem]:
    items = RewardItem.objects.select_related("unit").defer("unit__polygon")
    return scope_under(items, user, unit)


def redemptions_for(user, unit: OrgUnit, status: str = RedemptionStatus.REQUESTED):
    redemptions = scope_under(Redemption.objects.select_related("member", "item"), user, unit)
    return redemptions.filter(status=status) if status else redemptions


def redemption_for(user, pk: int) -> Redemption:
    return get_object_or_404(scope(Redemption.objects.all(), user), pk=pk)


def points_figures(unit: OrgUnit, first: dt.date, last: dt.date) -> dict[str, int]:
    """Points earned and redeemed by members under `unit` in the months from `first` to `last`
    (from the rollup: a few rows per unit and month)."""
    rows = PointsRollup.objects.filter(
        unit_code__under=unit.code, month__gte=first.replace(day=1), month__lte=last
    ).aggregate(earned=Sum("earned"), redeemed=Sum("redeemed"))
    return {"earned": rows["earned"] or 0, "redeemed": rows["redeemed"] or 0}
