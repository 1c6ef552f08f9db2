"""Who runs an assessment (the roles themselves: org/roles.py).

A plan belongs to a street (or a district); its assessors are the staff of the plan's unit or
above it. Community staff keep their workers' data but never assess them: nobody grades the
work of their own desk. The workers in scope see their own papers, scores and appeals only.
"""

from civicgrid.org.roles import Role

ASSESSOR_ROLES = frozenset({Role.DISTRICT_STAFF, Role.STREET_STAFF})
# Who is assessed: the full-time grid workers (and grid leaders) posted to the plan's grids.
WORKER_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER})
# Who reads the published results and figures: assessors, community staff, read-only leaders.
READER_ROLES = ASSESSOR_ROLES | {Role.COMMUNITY_STAFF, Role.LEADER_READONLY}
