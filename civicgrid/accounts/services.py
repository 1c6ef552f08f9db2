"""Accounts that street and community staff make for their own units (issue 14): a login for a
new grid worker, micro-grid leader or grid leader (and, for a street, community staff), posted
at once (入网入格, org.services.post_user), within the staff member's own subtree and never
with a role above their own. A volunteer's login is made here too, with no posting
(volunteers.services links it to the volunteer)."""

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.core.errors import Conflict, InvalidInput, NotAllowed
from civicgrid.org import services as org_services
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.roles import RULES, Role
from civicgrid.org.scoping import postings_of_user, sees_everything

# The roles each role may give, below its own.
GIVES: dict[str, frozenset[str]] = {
    Role.STREET_STAFF: frozenset(
        {Role.COMMUNITY_STAFF, Role.GRID_LEADER, Role.GRID_WORKER, Role.MICRO_GRID_LEADER}
    ),
    Role.COMMUNITY_STAFF: frozenset({Role.GRID_LEADER, Role.GRID_WORKER, Role.MICRO_GRID_LEADER}),
}
# The units accounts are made for: a street's communities and grids, a community's grids.
ACCOUNT_UNIT_KINDS = frozenset({Kind.COMMUNITY, Kind.GRID, Kind.DEDICATED_GRID, Kind.MICRO_GRID})

# Initial passwords: readable, no 0/O or 1/l/I.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
INITIAL_PASSWORD_LENGTH = 12


def makes_accounts(actor: Any) -> bool:
    """Whether `actor` may make accounts somewhere (a street's or community's staff)."""
    return sees_everything(actor) or any(role in GIVES for _code, role in postings_of_user(actor))


def roles_given(actor: Any, unit: OrgUnit) -> list[str]:
    """The roles `actor` may give at `unit`: those below a role they hold at or above it, and
    that fit the unit's kind (org/roles.py)."""
    if sees_everything(actor):
        allowed = frozenset(Role.values)
    else:
        allowed = frozenset()
        for code, role in postings_of_user(actor):
            if unit.code.startswith(code) and role in GIVES:
                allowed |= GIVES[role]
    return [role for role in Role.values if role in allowed and unit.kind in RULES[role].unit_kinds]


def new_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(INITIAL_PASSWORD_LENGTH))


def _checked_password(password: str, user: Any) -> str:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from None
    return password


@transaction.atomic
def create_account(
    *,
    actor: Any,
    username: str,
    full_name: str,
    unit: OrgUnit | None = None,
    role: str = "",
    password: str = "",
) -> tuple[Any, str]:
    """A login for `full_name`, posted to `unit` with `role` (none for a volunteer's login, whose
    caller checks the scope). The password is the one given, else a new one; returns the user
    and that password, which the page shows once and nothing keeps."""
    if not makes_accounts(actor):
        raise NotAllowed(_("Only street and community staff make accounts."))
    if unit is not None:
        if not role:
            raise InvalidInput(_("Choose a role."), field="role")
        if role not in roles_given(actor, unit):
            raise NotAllowed(
                _("You may not give the role %(role)s at %(unit)s.")
                % {"role": Role(role).label if role in Role.values else role, "unit": unit}
            )
    User = get_user_model()
    username = username.strip()
    full_name = full_name.strip()
    if not username:
        raise InvalidInput(_("Give a login name."), field="username")
    try:
        User.username_validator(username)
    except ValidationError:
        raise InvalidInput(
            _("A login name has letters, digits and @/./+/-/_ only."), field="username"
        ) from None
    if len(username) > 150:
        raise InvalidInput(_("A login name has at most 150 characters."), field="username")
    if not full_name:
        raise InvalidInput(_("Give the person's name."), field="full_name")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("The login name %(name)s is taken.") % {"name": username})
    user = User(username=username, full_name=full_name[:64])
    password = _checked_password(password, user) if password else new_password()
    user.set_password(password)
    user.save()
    if unit is not None:
        org_services.post_user(actor=actor, user=user, unit=unit, role=role)
    return user, password
