"""Which roles take which part in the event workflow (the roles themselves: org/roles.py)."""

from civicgrid.org.roles import RULES, Role

# Accept, dispatch, close, reopen, suspend, record follow-ups.
DISPATCH_ROLES = frozenset(
    {Role.DISTRICT_STAFF, Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.GRID_LEADER}
)
# Call departments (吹哨).
WHISTLE_ROLES = frozenset({Role.DISTRICT_STAFF, Role.STREET_STAFF, Role.COMMUNITY_STAFF})
# Verify a resolution on site (核查): the community's people and the street above it, not the
# district (which would be offered every community's resolutions at once).
VERIFY_ROLES = DISPATCH_ROLES - {Role.DISTRICT_STAFF}
# Urge a slow event (督办).
SUPERVISE_ROLES = frozenset({Role.DISTRICT_STAFF, Role.STREET_STAFF})
# Patrol, keep quick notes, verify on site.
GRID_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.MICRO_GRID_LEADER})
# Any role that may change data at all.
WRITING_ROLES = frozenset(role for role, rule in RULES.items() if rule.writes)
