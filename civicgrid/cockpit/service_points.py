"""Writes of the service-point registry (服务点): staff of a community or street, or of the
district, keep the points under their units; grid leaders keep their grids' points."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape

from civicgrid.cockpit.models_maps import ServicePoint, ServicePointKind, ServiceTag
from civicgrid.core.cleaning import plain_text
from civicgrid.core.errors import InvalidInput, choice, required
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.roles import Role
from civicgrid.org.scoping import holds, require

# Who keeps the registry: the staff above a point's unit (a read-only leader never does).
KEEPERS = frozenset(
    {Role.DISTRICT_STAFF, Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.GRID_LEADER}
)
# The units a point hangs on: its community, or one of the community's grids.
POINT_UNIT_KINDS = frozenset({Kind.COMMUNITY, Kind.GRID, Kind.DEDICATED_GRID})
# A service desk's number: digits with an optional area code, hyphens and an extension.
PHONE = re.compile(r"^[0-9][0-9\-]{4,18}[0-9]$")


# Who reads the registry of a unit: its keepers and the read-only leader.
READERS = KEEPERS | {Role.LEADER_READONLY}


def may_keep(user: Any, code: str) -> bool:
    return holds(user, code, KEEPERS)


def may_read(user: Any, code: str) -> bool:
    return holds(user, code, READERS)


@dataclass
class PointData:
    kind: str
    name: str
    lon: float | None
    lat: float | None
    address: str = ""
    hours: str = ""
    services: list[str] = field(default_factory=list)
    phone: str = ""
    active: bool = True


def _text(value: str, field_name: str, limit: int) -> str:
    value = plain_text(value).strip()
    if len(value) > limit:
        raise InvalidInput(_("At most %(limit)d characters.") % {"limit": limit}, field=field_name)
    return value


def _location(unit: OrgUnit, lon: float | None, lat: float | None) -> tuple[float, float]:
    """The point as given, inside its unit's outline where the unit has one."""
    if lon is None or lat is None:
        raise InvalidInput(_("Pick the place on the map."), field="lon")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(_("Pick the place on the map."), field="lon")
    if unit.polygon and not shape(unit.polygon).buffer(1e-6).contains(Point(lon, lat)):
        raise InvalidInput(
            _("The place lies outside %(unit)s.") % {"unit": unit.display_name}, field="lon"
        )
    return lon, lat


def _services(values: list[str]) -> list[str]:
    unknown = [value for value in values if value not in ServiceTag.values]
    if unknown:
        raise InvalidInput(_("Choose a valid %(field)s.") % {"field": "services"}, field="services")
    return [tag for tag in ServiceTag.values if tag in values]


@transaction.atomic
def save_service_point(
    *, actor: Any, unit: OrgUnit, data: PointData, point: ServicePoint | None = None
) -> ServicePoint:
    """Add a service point at `unit` (a community or a grid), or change `point` (which may move
    to another unit the actor keeps). NotAllowed unless the actor keeps both units;
    InvalidInput names the field that is wrong."""
    message = _("You may not keep service points here.")
    require(actor, unit.code, KEEPERS, message)
    if point is not None:
        point = ServicePoint.objects.select_for_update().get(pk=point.pk)
        require(actor, point.unit_code, KEEPERS, message)
    else:
        point = ServicePoint()
    if unit.kind not in POINT_UNIT_KINDS or not unit.active:
        raise InvalidInput(_("A service point belongs to a community or a grid."), field="unit")
    point.unit = unit
    point.kind = choice(data.kind, ServicePointKind, "kind")
    point.name = _text(required(data.name, "name", _("Name")), "name", 100)
    point.address = _text(data.address, "address", 200)
    point.hours = _text(data.hours, "hours", 100)
    point.services = _services(data.services)
    phone = _text(data.phone, "phone", 20).replace(" ", "")
    if phone and not PHONE.match(phone):
        raise InvalidInput(_("Enter the service desk's phone number."), field="phone")
    point.phone = phone
    point.lon, point.lat = _location(unit, data.lon, data.lat)
    point.active = data.active
    if ServicePoint.objects.filter(unit=unit, name=point.name).exclude(pk=point.pk).exists():
        raise InvalidInput(_("This unit already has a service point of that name."), field="name")
    point.save()
    return point
