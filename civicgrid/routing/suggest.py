"""The suggester events asks at report time (registered in apps.py): the deployment's active
category model names the likeliest sub-categories, its department model the likeliest kinds of
department, found as the units of those kinds that serve the report's place. Without a
department model the suggested categories' own default departments stand in, with their
categories' confidences."""

import time
from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from civicgrid.events.models import Category
from civicgrid.events.suggestions import Choice, Suggestions
from civicgrid.org import selectors as org_selectors
from civicgrid.org.kinds import DepartmentKind
from civicgrid.org.models import OrgUnit
from civicgrid.routing import loaded

TOP = 3
# A choice below this confidence is not worth a button (the best one is always shown).
LEAST = 0.01
# A report is read up to this many characters (the subject and the first paragraphs).
MAX_CHARS = 2000
# The categories and the departments serving a unit change rarely: a process reads them again
# after this long, so a board of twenty suggestions costs no query for them.
FRESH_SECONDS = 60.0

T = TypeVar("T")
_kept: dict[object, tuple[float, object]] = {}


def _fresh(key: object, read: Callable[[], T]) -> T:
    kept = _kept.get(key)
    if kept is None or time.monotonic() - kept[0] > FRESH_SECONDS:
        kept = _kept[key] = (time.monotonic(), read())
    return kept[1]  # type: ignore[return-value]


def forget() -> None:
    _kept.clear()


def _usable_categories() -> dict[str, Category]:
    return Category.objects.filter(active=True, parent__isnull=False).in_bulk(field_name="code")


def _categories(text: str) -> tuple[str, list[Choice]] | None:
    found = loaded.active(settings.ROUTING_CATEGORY_MODEL)
    if found is None:
        return None
    row, model = found
    ranked = model.top(text, k=len(model.labels))
    usable = _fresh("categories", _usable_categories)
    choices = [
        Choice(label=usable[code].name, confidence=confidence, category=usable[code])
        for code, confidence in ranked
        if code in usable
    ][:TOP]
    return str(row), choices[:1] + [c for c in choices[1:] if c.confidence >= LEAST]


def _departments_of(unit_id: int) -> dict[str, OrgUnit]:
    """Each kind's department nearest the unit: its street's, else its district's."""
    code = OrgUnit.objects.filter(pk=unit_id).values_list("code", flat=True).first()
    found: dict[str, OrgUnit] = {}
    if code is None:
        return found
    serving = org_selectors.departments_serving(code).select_related("parent")
    for department in serving.order_by("-parent__code", "code"):
        found.setdefault(department.subkind, department)
    return found


def _serving(kinds: list[str], lon: float | None, lat: float | None) -> dict[str, OrgUnit]:
    """The department of each kind that serves the point."""
    if lon is None or lat is None or not kinds:
        return {}
    unit_id = org_selectors.unit_index().locate(lon, lat)
    if unit_id is None:
        return {}
    serving = _fresh(("departments", unit_id), lambda: _departments_of(unit_id))
    return {kind: serving[kind] for kind in kinds if kind in serving}


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
    choices = [
        Choice(
            label=units[kind].name if kind in units else str(labels.get(kind, kind)),
            confidence=confidence,
            department_kind=kind,
            department=units.get(kind),
        )
        for kind, confidence in ranked
        if kind in labels
    ]
    return choices[:1] + [c for c in choices[1:] if c.confidence >= LEAST]


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
