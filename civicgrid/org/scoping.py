"""The one place that decides which rows a user may see: rows under the units they are posted to.

Every selector passes its queryset through `scope`. Nothing else filters by org unit.
"""

from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from civicgrid.core.errors import NotAllowed
from civicgrid.core.types import Actor, user_of
from civicgrid.org.models import OrgUnit, Posting
from civicgrid.org.roles import RULES

_CACHE_ATTR = "_civicgrid_prefixes"
_POSTINGS_ATTR = "_civicgrid_postings"

_M = TypeVar("_M", bound=Model)


def minimal_prefixes(codes: Iterable[str]) -> tuple[str, ...]:
    """Drop every code that lies under another one: ("4101", "410102001") → ("4101",)."""
    kept: list[str] = []
    for code in sorted(set(codes)):
        if not kept or not code.startswith(kept[-1]):
            kept.append(code)
    return tuple(kept)


def visible_prefixes(user: Actor) -> tuple[str, ...]:
    """Codes of the subtrees `user` may see (active postings at active units), cached per user
    object, i.e. per request."""
    account = user_of(user)
    if account is None:
        return ()  # anonymous visitors (e.g. the admin's login page lists apps) hold no posting
    cached: tuple[str, ...] | None = getattr(account, _CACHE_ATTR, None)
    if cached is None:
        codes = Posting.objects.filter(user=account, active=True, unit__active=True).values_list(
            "unit__code", flat=True
        )
        cached = minimal_prefixes(codes)
        setattr(account, _CACHE_ATTR, cached)
    return cached


def postings_of_user(user: Actor) -> tuple[tuple[str, str], ...]:
    account = user_of(user)
    if account is None:
        return ()
    cached: tuple[tuple[str, str], ...] | None = getattr(account, _POSTINGS_ATTR, None)
    if cached is None:
        cached = tuple(
            Posting.objects.filter(user=account, active=True, unit__active=True).values_list(
                "unit__code", "role"
            )
        )
        setattr(account, _POSTINGS_ATTR, cached)
    return cached


def roles_over(user: Actor, code: str) -> frozenset[str]:
    """The roles the user holds at `code` or at a unit above it (cached per user object)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    return frozenset(
        role for unit_code, role in postings_of_user(user) if code.startswith(unit_code)
    )


def holds(user: Actor, code: str, roles: frozenset[str]) -> bool:
    """Whether the user is a superuser or holds one of `roles` at `code` or above it."""
    if user is None:
        return False
    return sees_everything(user) or bool(roles_over(user, code) & roles)


def require(actor: Actor, code: str, roles: frozenset[str], message: str) -> None:
    """NotAllowed with `message` unless the actor holds one of `roles` at `code` or above."""
    if not holds(actor, code, roles):
        raise NotAllowed(message)


def forget_prefixes(user: Actor) -> None:
    for attr in (_CACHE_ATTR, _POSTINGS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def sees_everything(user: Actor) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_superuser)


def reads_only(user: Actor) -> bool:
    """Whether every posting the user holds is a read-only one (the leader's): pages then
    offer them no form that changes data. A user with no posting (a volunteer, a party
    member with a login) acts for themselves and is not read-only."""
    if sees_everything(user):
        return False
    postings = postings_of_user(user)
    return bool(postings) and not any(RULES[role].writes for _code, role in postings)


def scope_q(user: Actor, field: str = "unit_code", lookup: str = "under") -> Q | None:
    """The condition `scope` filters with; None when the user sees everything. Selectors that
    must widen a scope (an event is also seen by the department handling it) OR these.
    `lookup="under_filtered"` keeps SQLite's planner off the code's index, for a query that
    another condition serves better."""
    if sees_everything(user):
        return None
    return posted_q(user, field, lookup)


def posted_q(user: Actor, field: str = "unit_code", lookup: str = "under") -> Q:
    """The rows under the units the user is posted to (none for no posting), superuser or not:
    `scope_q` for a caller that has answered superusers already."""
    prefixes = visible_prefixes(user)
    if not prefixes:
        return Q(pk__in=[])
    condition = Q()
    for prefix in prefixes:
        condition |= Q(**{f"{field}__{lookup}": prefix})
    return condition


def scope(queryset: QuerySet[_M], user: Actor, field: str = "unit_code") -> QuerySet[_M]:
    """`queryset` cut down to the rows whose `field` (a unit code) lies under the user's units.

    Anonymous users and users with no active posting see nothing; superusers see everything.
    """
    if sees_everything(user):
        return queryset
    if not visible_prefixes(user):
        return queryset.none()
    return queryset.filter(scope_q(user, field))


def scope_under(queryset: QuerySet[_M], user: Actor, unit: OrgUnit) -> QuerySet[_M]:
    """`scope`, cut down to `unit`'s subtree: what a unit's page lists."""
    return scope(queryset, user).filter(unit_code__under=unit.code)


def covers(user: Actor, code: str, *, manage: bool = False, write: bool = False) -> bool:
    """Whether one of the user's postings lies at or above `code` with a role that may manage
    the tree (`manage`) or write data (`write`)."""
    if sees_everything(user):
        return True
    for unit_code, role in postings_of_user(user):
        rule = RULES[role]
        if manage and not rule.manages_org:
            continue
        if write and not rule.writes:
            continue
        if code.startswith(unit_code):
            return True
    return False


def manages_any_unit(user: Actor) -> bool:
    """Whether the user holds a role that manages the tree somewhere (or is a superuser)."""
    if sees_everything(user):
        return True
    account = user_of(user)
    if account is None:
        return False
    roles = [role for role, rule in RULES.items() if rule.manages_org]
    return Posting.objects.filter(
        user=account, active=True, unit__active=True, role__in=roles
    ).exists()


def users_for(user: Actor, queryset: QuerySet[_M]) -> QuerySet[_M]:
    """Users posted somewhere under the acting user's units (the staff they may see)."""
    if sees_everything(user):
        return queryset
    account = user_of(user)
    if account is None:
        return queryset.none()
    visible = scope(Posting.objects.all(), account).values("user_id")
    return queryset.filter(Q(pk__in=visible) | Q(pk=account.pk)).distinct()
