"""Reads of volunteer services: staff's scoped through org.scoping; a volunteer's own orders
and the open ones near them; the public menu, order page and honour wall."""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from civicgrid.org.models import OrgUnit
from civicgrid.org.scoping import scope, scope_under
from civicgrid.org.selectors import code_prefixes
from civicgrid.org.tree import is_under
from civicgrid.party import selectors as party_selectors
from civicgrid.volunteers.models import (
    Certificate,
    OrderStatus,
    ServiceItem,
    ServiceOrder,
    Volunteer,
    VolunteerRollup,
    VolunteerTeam,
)

may_keep = party_selectors.may_keep


def volunteer_of(user: Any) -> Volunteer | None:
    """The active volunteer a login belongs to, if any."""
    found = getattr(user, "volunteer", None) if user is not None else None
    return found if found is not None and found.active else None


def menu_for(unit: OrgUnit) -> QuerySet[ServiceItem]:
    """What residents of `unit` may order: its items and those of the units above it."""
    return ServiceItem.objects.filter(
        unit_code__in=code_prefixes(unit.code), active=True
    ).select_related("team")


def teams_for(user, unit: OrgUnit) -> QuerySet[VolunteerTeam]:
    return scope_under(VolunteerTeam.objects.filter(active=True), user, unit)


def volunteers_for(user, unit: OrgUnit) -> QuerySet[Volunteer]:
    return scope_under(Volunteer.objects.filter(active=True), user, unit).prefetch_related("teams")


def volunteer_for(user, pk: int) -> Volunteer:
    own = getattr(user, "volunteer", None) if user.is_authenticated else None
    volunteers = Volunteer.objects.select_related("unit", "member")
    if own is not None and own.pk == pk:
        return volunteers.get(pk=pk)
    return get_object_or_404(scope(volunteers, user), pk=pk)


def order_status(query) -> str:
    """The orders' status filter (?status=ordered|taken|done|…); blank for all or unknown."""
    status = query.get("status") or ""
    return status if status in OrderStatus.values else ""


def orders_for(user, unit: OrgUnit, status: str = "") -> QuerySet[ServiceOrder]:
    orders = scope_under(ServiceOrder.objects.select_related("item", "volunteer"), user, unit)
    return orders.filter(status=status) if status else orders


def order_for(user, pk: int) -> ServiceOrder:
    """An order the user may see: in their scope, or taken by them as a volunteer, or open
    near them."""
    order = get_object_or_404(ServiceOrder.objects.select_related("item", "volunteer"), pk=pk)
    own = getattr(user, "volunteer", None) if user.is_authenticated else None
    if own is not None and (
        order.volunteer_id == own.pk
        or (order.status == OrderStatus.ORDERED and is_under(order.unit_code, own.unit_code))
    ):
        return order
    return get_object_or_404(
        scope(ServiceOrder.objects.filter(pk=pk), user).select_related("item", "volunteer")
    )


def open_near(volunteer: Volunteer) -> QuerySet[ServiceOrder]:
    """Orders waiting for a volunteer under the volunteer's unit, oldest first."""
    return (
        ServiceOrder.objects.filter(
            unit_code__under=volunteer.unit_code, status=OrderStatus.ORDERED
        )
        .select_related("item")
        .order_by("created_at")
    )


def order_by_token(token: str) -> ServiceOrder:
    return get_object_or_404(
        ServiceOrder.objects.select_related("item", "volunteer", "unit"), token=token
    )


def honour_wall(unit_code: str) -> dict:
    """Teams and volunteers under a unit by hours, then rating (志愿服务风采墙)."""
    volunteers = Volunteer.objects.filter(
        unit_code__under=unit_code, active=True, hours__gt=0
    ).order_by("-hours", "-rating_total", "number")[:30]
    teams = (
        VolunteerTeam.objects.filter(unit_code__under=unit_code, active=True)
        .annotate(hours=Sum("volunteers__hours"))
        .filter(hours__gt=0)
        .order_by("-hours")[:12]
    )
    return {"volunteers": volunteers, "teams": teams}


def certificate_for(user, number: str) -> Certificate:
    certificate = get_object_or_404(
        Certificate.objects.select_related("volunteer", "volunteer__unit"), number=number
    )
    volunteer_for(user, certificate.volunteer_id)  # 404 unless the user may see the volunteer
    return certificate


def figures(unit: OrgUnit, first: dt.date, last: dt.date) -> dict:
    """Orders placed and done, service hours, from the rollup; volunteers registered now."""
    rows = VolunteerRollup.objects.filter(
        unit_code__under=unit.code, month__gte=first.replace(day=1), month__lte=last
    ).aggregate(ordered=Sum("ordered"), done=Sum("done"), minutes=Sum("minutes"))
    return {
        "ordered": rows["ordered"] or 0,
        "done": rows["done"] or 0,
        "hours": round((rows["minutes"] or 0) / 60, 1),
        "volunteers": Volunteer.objects.filter(Q(unit_code__under=unit.code), active=True).count(),
    }


def hours_below(
    unit: OrgUnit, children: list[OrgUnit], first: dt.date, last: dt.date
) -> list[float]:
    """Service hours of each of `children` (units under `unit`) over the months from `first`
    to `last`, from the rollup, in one query for all of them."""
    if not children:
        return []
    minutes = VolunteerRollup.objects.filter(
        unit_code__under=unit.code, month__gte=first.replace(day=1), month__lte=last
    ).aggregate(
        **{
            f"minutes_{i}": Sum("minutes", filter=Q(unit_code__under=child.code))
            for i, child in enumerate(children)
        }
    )
    return [round((minutes[f"minutes_{i}"] or 0) / 60, 1) for i in range(len(children))]


def without_login(user) -> QuerySet[Volunteer]:
    """Active volunteers under the user's units who have no login yet (the accounts page)."""
    return scope(Volunteer.objects.filter(active=True, user=None), user).order_by(
        "unit_code", "name"
    )
