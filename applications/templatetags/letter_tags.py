"""Filters for the Dutch decision letters (R27): money and dates in Dutch notation."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import formats, timezone, translation

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
    """A date as ``23 november 2026``; an aware date-time is read in Europe/Amsterdam first."""
    if not value:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    with translation.override("nl"):
        return formats.date_format(value, "j F Y")


@register.filter
def pct(value, places: int = 2) -> str:
    """A fraction as a Dutch percentage: ``0.8125`` -> ``81,25%``; empty for None."""
    if value is None or value == "":
        return ""
    amount = (Decimal(value) * 100).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    return f"{amount}".replace(".", ",") + "%"
