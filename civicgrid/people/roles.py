"""Who may see what of a person (the roles themselves: org/roles.py).

Everyone whose scope covers a person sees the masked record. The roles below, held at the
person's unit or above it, may also see sensitive tags and reveal ID and phone numbers (each
reveal audited). Volunteers (micro-grid leaders), read-only leaders and departments may not.
"""

from civicgrid.org.roles import RULES, Role

PERSONAL_DATA_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.GRID_LEADER,
        Role.COMMUNITY_STAFF,
        Role.STREET_STAFF,
        Role.DISTRICT_STAFF,
    }
)
# Keep ledgers: add and change persons, households, houses, visits, situations.
LEDGER_ROLES = frozenset(role for role, rule in RULES.items() if rule.writes) - {
    Role.DEPARTMENT_HANDLER
}
