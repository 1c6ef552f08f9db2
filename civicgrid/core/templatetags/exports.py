"""`{% export_buttons "events.board" unit=unit %}`: the export form of a list page (xlsx and CSV
buttons; a reason field when the list holds personal data). The page's own query string (its
filters) goes with the form, and `unit` (the page's unit, from its path) is added to it."""

from typing import Any
from urllib.parse import urlencode

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from civicgrid.core import exports

register = template.Library()


@register.simple_tag(takes_context=True)
def export_buttons(
    context: template.Context, name: str, unit: Any = None, **extra: Any
) -> SafeString | str:
    request = context.get("request")
    export = exports.registry().get(name)
    if request is None or export is None:
        return ""
    query = [(k, v) for k, values in request.GET.lists() if k != "page" for v in values]
    query = [(k, v) for k, v in query if k not in extra and k != "unit"]
    if unit is not None:
        query.append(("unit", getattr(unit, "code", unit)))
    query += [(k, v) for k, v in extra.items() if v not in (None, "")]
    action = reverse("cockpit:export", args=[name]) + ("?" + urlencode(query) if query else "")
    return render_to_string(
        "core/exports/_buttons.html", {"export": export, "action": action}, request=request
    )
