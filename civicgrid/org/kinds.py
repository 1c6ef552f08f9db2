"""Kinds of org unit and how they nest. The shape of the tree lives here and nowhere else."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    DEDICATED_GRID = "dedicated_grid", _("Dedicated grid")
    MICRO_GRID = "micro_grid", _("Micro-grid")
    DEPARTMENT = "department", _("Department")


class DedicatedKind(models.TextChoices):
    OFFICE_BUILDING = "office_building", _("Office building")
    BUSINESS_DISTRICT = "business_district", _("Business district")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    ENTERPRISE_PARK = "enterprise_park", _("Enterprise park")
    MARKET = "market", _("Market")


class DepartmentKind(models.TextChoices):
    POLICE = "police", _("Police")
    FIRE = "fire", _("Fire and rescue")
    CITY_MANAGEMENT = "city_management", _("City management")
    HOUSING = "housing", _("Housing and construction")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    ENVIRONMENT = "environment", _("Ecology and environment")
    OTHER = "other", _("Other department")


# Kinds a unit of each kind may hang under (None: it may be a root).
PARENT_KINDS: dict[str, set[str | None]] = {
    Kind.CITY: {None},
    Kind.DISTRICT: {None, Kind.CITY},
    Kind.STREET: {Kind.DISTRICT},
    Kind.COMMUNITY: {Kind.STREET},
    Kind.GRID: {Kind.COMMUNITY},
    Kind.DEDICATED_GRID: {Kind.STREET, Kind.COMMUNITY},
    Kind.MICRO_GRID: {Kind.GRID, Kind.DEDICATED_GRID},
    Kind.DEPARTMENT: {Kind.DISTRICT, Kind.STREET},
}

# Digits a unit of this kind adds to its parent's code. National division codes give city (4),
# district (+2), street (+3), community (+3); grids add 3 (the common 15-digit grid code of
# CJ/T 349), micro-grids 3 more. Roots carry the whole code.
SEGMENT_DIGITS: dict[str, int] = {
    Kind.CITY: 4,
    Kind.DISTRICT: 2,
    Kind.STREET: 3,
    Kind.COMMUNITY: 3,
    Kind.GRID: 3,
    Kind.DEDICATED_GRID: 3,
    Kind.MICRO_GRID: 3,
    Kind.DEPARTMENT: 3,
}
ROOT_CODE_DIGITS: dict[str, int] = {Kind.CITY: 4, Kind.DISTRICT: 6}

# Where new codes of a kind start inside their parent, so that kinds sharing a level never
# collide: grids 001…, dedicated grids 801…, departments 901….
FIRST_SEGMENT: dict[str, int] = {Kind.DEDICATED_GRID: 801, Kind.DEPARTMENT: 901}

# Which unit wins when polygons nest: the finest kind. A dedicated grid (an office building)
# lies inside an ordinary grid and is the more specific answer.
FINENESS: dict[str, int] = {
    Kind.CITY: 0,
    Kind.DISTRICT: 1,
    Kind.STREET: 2,
    Kind.COMMUNITY: 3,
    Kind.GRID: 4,
    Kind.DEDICATED_GRID: 5,
    Kind.MICRO_GRID: 6,
    Kind.DEPARTMENT: -1,
}

# Sibling kinds whose polygons may overlap each other (a dedicated grid sits on top of grids).
MAY_OVERLAP = {frozenset({Kind.GRID, Kind.DEDICATED_GRID})}
