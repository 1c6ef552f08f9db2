"""How the mediation pages write their figures: a rate as a percentage, a mean in days, and
"—" where nothing counts (no case mediated, none closed)."""

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.5 → "50 %", 2/3 → "66.7 %", None → "—"."""
    if value is None:
        return "—"
    text = f"{value * 100:.1f}".removesuffix(".0")
    return f"{text} %"


@register.filter
def days(value: float | None) -> str:
    """A mean number of days with one decimal, "—" for None."""
    if value is None:
        return "—"
    return f"{value:.1f}".removesuffix(".0")
