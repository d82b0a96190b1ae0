"""Filters for the Dutch decision letters (R27): money and dates in Dutch notation."""

from django import template
from django.utils import formats, translation

from sectorplan.money import format_eur

register = template.Library()


@register.filter
def eur(value) -> str:
    """``12345.67`` -> ``€ 12.345,67``; empty for None."""
    if value is None or value == "":
        return ""
    return format_eur(value)


@register.filter
def datum(value) -> str:
    """A date as ``23 november 2026``."""
    if not value:
        return ""
    with translation.override("nl"):
        return formats.date_format(value, "j F Y")
