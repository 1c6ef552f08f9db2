"""Who reads the routing models' pages and who changes which version is active."""

from typing import Any

from civicgrid.org.roles import Role
from civicgrid.org.scoping import postings_of_user, sees_everything

# District staff run the deployment's models: they roll back and retrain.
MANAGERS = frozenset({Role.DISTRICT_STAFF})
# Street staff and the read-only leader may read how well suggestions do.
READERS = MANAGERS | {Role.STREET_STAFF, Role.LEADER_READONLY}


def _holds_any(user: Any, roles: frozenset[str]) -> bool:
    return sees_everything(user) or any(role in roles for _code, role in postings_of_user(user))


def may_manage(user: Any) -> bool:
    return user is not None and _holds_any(user, MANAGERS)


def may_read(user: Any) -> bool:
    return user is not None and user.is_authenticated and _holds_any(user, READERS)
