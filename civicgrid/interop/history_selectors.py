"""Reads for the history import and the category mapping (interop): who may, and their lists."""

from django.db.models import QuerySet
from django.http import Http404

from civicgrid.interop.models import CategoryMapping, HistoryImport
from civicgrid.org.kinds import Kind
from civicgrid.org.models import OrgUnit
from civicgrid.org.roles import Role
from civicgrid.org.scoping import holds, postings_of_user, scope, sees_everything

HISTORY_ROLES = frozenset({Role.DISTRICT_STAFF})


def may_import_history(user, district: OrgUnit) -> bool:
    """District staff of the district (or above it), and superusers. A history is a whole
    district's: streets and communities see its events, but do not load them."""
    return district.kind in (Kind.DISTRICT, Kind.CITY) and holds(user, district.code, HISTORY_ROLES)


def may_edit_mappings(user) -> bool:
    """The category mapping is the deployment's (one per source system): district staff of
    any district, and superusers."""
    if sees_everything(user):
        return True
    return any(role in HISTORY_ROLES for _code, role in postings_of_user(user))


def history_imports(user, district: OrgUnit) -> QuerySet[HistoryImport]:
    """The district's imports the user may see, newest first."""
    return (
        scope(HistoryImport.objects.all(), user)
        .filter(unit=district)
        .select_related("unit", "actor")
        .order_by("-created_at", "-id")
    )


def history_import_for(user, pk: int) -> HistoryImport:
    """One import, if the user may import the history of its district; 404 otherwise."""
    job = scope(HistoryImport.objects.select_related("unit", "actor"), user).filter(pk=pk).first()
    if job is None or not may_import_history(user, job.unit):
        raise Http404
    return job


def category_mappings() -> QuerySet[CategoryMapping]:
    return CategoryMapping.objects.select_related("category", "category__parent").order_by(
        "system", "code"
    )
