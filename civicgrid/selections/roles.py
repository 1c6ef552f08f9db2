"""Who runs a unit's selections (评选): the staff of the unit or of a unit above it. Grid
workers, departments, read-only leaders and residents run none; residents nominate and vote on
the public pages."""

from civicgrid.org.roles import Role

STAFF_ROLES = frozenset({Role.DISTRICT_STAFF, Role.STREET_STAFF, Role.COMMUNITY_STAFF})
