"""Suggested category and department for a report's text (智能分拨), as events sees them.

The suggestions themselves come from an app above events (civicgrid.routing), which
registers its suggester here in its AppConfig.ready: events imports nothing above it. With no
suggester registered, or no model trained yet, `suggest` answers None and every page works as
it did without suggestions.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from civicgrid.events.models import Category
from civicgrid.org.models import OrgUnit


@dataclass(frozen=True)
class Choice:
    """One suggested category or department with the model's calibrated confidence (0–1).
    A category choice has `category`; a department choice has its kind (`DepartmentKind`) and,
    when the report has a point, `department`: the unit of that kind that serves the place.
    `label` is what a person reads."""

    label: str
    confidence: float
    category: Category | None = None
    department_kind: str = ""
    department: OrgUnit | None = None

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


@dataclass(frozen=True)
class Suggestions:
    """The top choices for one text, best first (at most three of each). `prefill` says
    whether the best category is confident enough to be chosen in advance (below the
    deployment's threshold nothing is pre-filled). `model` names the model and its version for
    the log ("events v3")."""

    categories: list[Choice]
    departments: list[Choice]
    model: str
    prefill: bool = False

    @property
    def category(self) -> Choice | None:
        return self.categories[0] if self.categories else None

    @property
    def department(self) -> Choice | None:
        return self.departments[0] if self.departments else None


logger = logging.getLogger(__name__)

# suggester(text, lon, lat) -> Suggestions, or None when it has no model to answer with.
Suggester = Callable[[str, float | None, float | None], Suggestions | None]
suggesters: list[Suggester] = []


def suggest(text: str, lon: float | None = None, lat: float | None = None) -> Suggestions | None:
    """The suggestions of the first registered suggester that answers, or None."""
    text = (text or "").strip()
    if not text:
        return None
    for suggester in suggesters:
        found = suggester(text, lon, lat)
        if found is not None:
            return found
    return None


# Longer texts are cut before they are suggested for: the words that matter come first, and a
# page that suggests as the reporter types must not hand a model a whole book.
MAX_CHARS = 2000


def report_text(title: str, description: str = "") -> str:
    """What a report's suggestions are computed from: its title and details, cut to MAX_CHARS."""
    parts = ((title or "").strip(), (description or "").strip())
    return "\n".join(part for part in parts if part)[:MAX_CHARS]


def suggest_quietly(
    text: str, lon: float | None = None, lat: float | None = None
) -> Suggestions | None:
    """`suggest` for pages: a suggester that fails is logged and the page goes on as if there
    were no suggestion (a suggestion is a help, never a reason for an error page)."""
    try:
        return suggest(text[:MAX_CHARS], lon, lat)
    except Exception:
        logger.exception("suggester failed")
        return None
