"""Who keeps a unit's mediation desk (the roles themselves: org/roles.py).

Cases and their parties are sensitive: besides the case's own mediators, only these roles at
the case's unit or above it see them — not grid workers, departments, read-only leaders (who
see the figures), volunteers or residents."""

from civicgrid.org.roles import Role

DESK_ROLES = frozenset({Role.DISTRICT_STAFF, Role.STREET_STAFF, Role.COMMUNITY_STAFF})
# Who reads the figures (counts only, never a case): the desk and the read-only leaders.
FIGURE_ROLES = DESK_ROLES | {Role.LEADER_READONLY}
