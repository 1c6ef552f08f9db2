"""Routing in the JSON API: POST /api/v1/routing/suggest with a report's text (and its point)
answers the likeliest categories and departments with their confidences. Staff see departments;
a resident (or any user who reads no events) sees categories only, as on the report page.
`model` names another trained model (train_router): its labels come back instead."""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from civicgrid.core.api import ERRORS
from civicgrid.core.errors import InvalidInput
from civicgrid.core.limits import guard
from civicgrid.events import selectors as event_selectors
from civicgrid.routing import loaded, suggest

router = Router(tags=["routing"])

MAX_TEXT = 10_000


class SuggestIn(Schema):
    text: str = Field(..., description="the report's title and description", max_length=MAX_TEXT)
    lon: float | None = Field(None, ge=-180, le=180, description="WGS-84 longitude")
    lat: float | None = Field(None, ge=-90, le=90, description="WGS-84 latitude")
    model: str | None = Field(
        None, max_length=50, description="another trained model by name (its labels answer)"
    )


class ChoiceOut(Schema):
    label: str = Field(..., description="a category code, a department kind or a model's label")
    name: str
    confidence: float
    unit: str | None = Field(None, description="the department serving the point, by code")


class SuggestOut(Schema):
    model: str
    prefill: bool = Field(..., description="confident enough to pre-fill the category")
    categories: list[ChoiceOut]
    departments: list[ChoiceOut]


@router.post("/suggest", response={200: SuggestOut, **ERRORS})
def suggest_for(request: HttpRequest, payload: SuggestIn):
    """The top 3 categories (and, for staff, departments) for a text, with confidences."""
    guard(request, "suggest")
    text = payload.text.strip()
    if not text:
        raise InvalidInput(_("Write what the problem is."), field="text")
    if (payload.lon is None) != (payload.lat is None):
        raise InvalidInput(_("Give both lon and lat, or neither."), field="lon")
    if payload.model:
        found = loaded.active(payload.model)
        if found is None:
            raise Http404
        row, model = found
        ranked = model.top(text[: suggest.MAX_CHARS], k=suggest.TOP)
        choices = [{"label": label, "name": label, "confidence": c} for label, c in ranked]
        return {"model": str(row), "prefill": False, "categories": choices, "departments": []}
    found_s = suggest.suggest(text, payload.lon, payload.lat)
    if found_s is None:
        raise InvalidInput(_("No routing model is trained yet."), field="model")
    staff = event_selectors.reads_events(request.user)
    return {
        "model": found_s.model,
        "prefill": found_s.prefill,
        "categories": [
            {
                "label": c.category.code if c.category else "",
                "name": c.label,
                "confidence": round(c.confidence, 4),
            }
            for c in found_s.categories
        ],
        "departments": [
            {
                "label": d.department_kind,
                "name": d.label,
                "confidence": round(d.confidence, 4),
                "unit": d.department.code if d.department else None,
            }
            for d in found_s.departments
        ]
        if staff
        else [],
    }
