"""The suggester events asks at report time (registered in apps.py): the deployment's active
category model names the likeliest sub-categories, its department model the likeliest kinds of
department, found as the units of those kinds that serve the report's place. Without a
department model the suggested categories' own default departments stand in, with their
categories' confidences."""

from collections import defaultdict

from django.conf import settings

from civicgrid.events.models import Category
from civicgrid.events.suggestions import Choice, Suggestions
from civicgrid.org import selectors as org_selectors
from civicgrid.org.kinds import DepartmentKind
from civicgrid.org.models import OrgUnit
from civicgrid.routing import loaded

TOP = 3
# A report is read up to this many characters (the subject and the first paragraphs).
MAX_CHARS = 2000


def _categories(text: str) -> tuple[str, list[Choice]] | None:
    found = loaded.active(settings.ROUTING_CATEGORY_MODEL)
    if found is None:
        return None
    row, model = found
    ranked = model.top(text, k=len(model.labels))
    usable = Category.objects.filter(
        code__in=[code for code, _c in ranked], active=True, parent__isnull=False
    ).in_bulk(field_name="code")
    choices = [
        Choice(label=usable[code].name, confidence=confidence, category=usable[code])
        for code, confidence in ranked
        if code in usable
    ]
    return str(row), choices[:TOP]


def _serving(kinds: list[str], lon: float | None, lat: float | None) -> dict[str, OrgUnit]:
    """The department of each kind nearest the point (its street's, else its district's)."""
    if lon is None or lat is None or not kinds:
        return {}
    unit = org_selectors.unit_at(lon, lat)
    if unit is None:
        return {}
    found: dict[str, OrgUnit] = {}
    serving = org_selectors.departments_serving(unit.code).filter(subkind__in=kinds)
    for department in serving.select_related("parent").order_by("-parent__code", "code"):
        found.setdefault(department.subkind, department)
    return found


def _departments(
    text: str, categories: list[Choice], lon: float | None, lat: float | None
) -> list[Choice]:
    found = loaded.active(settings.ROUTING_DEPARTMENT_MODEL)
    if found is not None:
        ranked = found[1].top(text, k=TOP)
    else:
        by_kind: dict[str, float] = defaultdict(float)
        for choice in categories:
            if choice.category is not None and choice.category.department_kind:
                by_kind[choice.category.department_kind] += choice.confidence
        ranked = sorted(by_kind.items(), key=lambda kv: -kv[1])[:TOP]
    labels = dict(DepartmentKind.choices)
    units = _serving([kind for kind, _c in ranked], lon, lat)
    return [
        Choice(
            label=units[kind].name if kind in units else str(labels.get(kind, kind)),
            confidence=confidence,
            department_kind=kind,
            department=units.get(kind),
        )
        for kind, confidence in ranked
        if kind in labels
    ]


def suggest(text: str, lon: float | None = None, lat: float | None = None) -> Suggestions | None:
    text = text[:MAX_CHARS]
    found = _categories(text)
    if found is None:
        return None
    model, categories = found
    best = categories[0].confidence if categories else 0.0
    return Suggestions(
        categories=categories,
        departments=_departments(text, categories, lon, lat),
        model=model,
        prefill=best >= settings.ROUTING_PREFILL_CONFIDENCE,
    )
