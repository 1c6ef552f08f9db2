"""Who keeps party records and classes (the roles themselves: org/roles.py).

Party building is the community's and the street's work: their staff keep branches, members,
meetings, the points shop and the class programme. Everyone whose scope covers a row may read
it; a member with a login may redeem their own points.
"""

from civicgrid.org.roles import Role

PARTY_ROLES = frozenset({Role.DISTRICT_STAFF, Role.STREET_STAFF, Role.COMMUNITY_STAFF})
