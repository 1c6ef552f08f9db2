"""Filters of the overview page: the sign of a change and whether it is good news."""

from django import template

from civicgrid.cockpit.figures import Figure, Number

register = template.Library()


@register.filter
def signed(value: Number) -> str:
    """A change written with its sign: +3, −2.5, 0; — when there is none."""
    if value is None:
        return "—"
    if value > 0:
        return f"+{value:g}" if isinstance(value, float) else f"+{value}"
    if value < 0:
        return f"−{-value:g}" if isinstance(value, float) else f"−{-value}"
    return "0"


@register.filter
def tone(figure: Figure, against: str = "previous") -> str:
    """ "good", "bad" or "" for the figure's change against the previous period ("previous") or
    the same period last year ("last_year"), by which way is good for it (`Figure.better`)."""
    change = figure.change if against == "previous" else figure.change_last_year
    if change is None or change == 0 or figure.better not in ("up", "down"):
        return ""
    rising = change > 0
    return "good" if rising == (figure.better == "up") else "bad"


@register.filter
def number(value: Number) -> str:
    """A figure's value for the page: — for no data, floats without a trailing .0."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"
    return str(value)


@register.filter
def dict_get(values: dict, key: str) -> object:
    """`values[key]`, None when missing (this year's value of a figure)."""
    return values.get(key) if isinstance(values, dict) else None
