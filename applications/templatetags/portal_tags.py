from django import template
from django.utils.translation import gettext

from budgets.constants import POOLED, Earmark
from sectorplan.money import format_eur

register = template.Library()


@register.filter
def eur(value):
    """Dutch money notation: ``€ 12.345,67``; empty for None."""
    if value is None or value == "":
        return ""
    return format_eur(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def described(bound_field):
    """Render a form field's widget with ``aria-describedby`` (hint, error) and ``aria-invalid``."""
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}_hint")
    attrs = {}
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def names_field(error, label) -> bool:
    """Whether a field's error message already begins with the field's label (a date's message does)."""
    return str(error).startswith(f"{label}:")


@register.filter
def earmark(value):
    """The readable label of an earmark code (``nursing_home`` -> "Nursing-home care"); the code if unknown."""
    if value == POOLED:
        return gettext("Pooled budget")
    try:
        return Earmark(value).label
    except ValueError:
        return value
