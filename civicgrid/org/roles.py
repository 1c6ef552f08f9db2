"""The roles a user may hold at a unit. The one place that says what each role is."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.org.kinds import Kind


class Role(models.TextChoices):
    DISTRICT_STAFF = "district_staff", _("District staff")
    STREET_STAFF = "street_staff", _("Street staff")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    GRID_LEADER = "grid_leader", _("Grid leader")
    GRID_WORKER = "grid_worker", _("Grid worker")
    MICRO_GRID_LEADER = "micro_grid_leader", _("Micro-grid leader")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    LEADER_READONLY = "leader_readonly", _("Leader (read-only)")


@dataclass(frozen=True)
class RoleRule:
    unit_kinds: frozenset[str]
    # May change the org tree and postings below the posted unit.
    manages_org: bool
    # May write business data at all (reports, ledgers…); read-only leaders may not.
    writes: bool


_GRIDS = frozenset({Kind.GRID, Kind.DEDICATED_GRID})

RULES: dict[str, RoleRule] = {
    Role.DISTRICT_STAFF: RoleRule(frozenset({Kind.CITY, Kind.DISTRICT}), True, True),
    Role.STREET_STAFF: RoleRule(frozenset({Kind.STREET}), True, True),
    Role.COMMUNITY_STAFF: RoleRule(frozenset({Kind.COMMUNITY}), True, True),
    Role.GRID_LEADER: RoleRule(_GRIDS | {Kind.COMMUNITY}, False, True),
    Role.GRID_WORKER: RoleRule(_GRIDS, False, True),
    Role.MICRO_GRID_LEADER: RoleRule(frozenset({Kind.MICRO_GRID}), False, True),
    Role.DEPARTMENT_HANDLER: RoleRule(frozenset({Kind.DEPARTMENT}), False, True),
    Role.LEADER_READONLY: RoleRule(
        frozenset({Kind.CITY, Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY}), False, False
    ),
}
