"""Money is exact: ``Decimal`` with two places, never a float.

This module is the one place where amounts are quantized. Every rounding in the code base goes
through :func:`round_half_up` (domain rule R12) or :func:`round_down` (allocation, R17).
"""

import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import models

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DIGITS = 14


def to_decimal(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("Money must never be a float; pass a Decimal, int or str.")
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round_half_up(value) -> Decimal:
    """Round to the cent, half up (away from zero, R12). A ``Fraction`` (an exact quotient, as the advance and
    allocation arithmetic keeps them) is rounded exactly, without passing through a rounded ``Decimal``."""
    if isinstance(value, Fraction):
        cents = math.floor(abs(value) * 100 + Fraction(1, 2))
        return (Decimal(cents if value >= 0 else -cents) / 100).quantize(CENT)
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def round_down(value) -> Decimal:
    """Truncate to the cent towards zero (allocation, R17)."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_DOWN)


def percent_of(amount, percent) -> Decimal:
    """``percent`` % of ``amount``, half up to the cent (holdback R22, advance R20)."""
    return round_half_up(to_decimal(amount) * to_decimal(percent) / Decimal(100))


def format_eur(value) -> str:
    """Dutch notation: ``€ 12.345,67`` (R27)."""
    amount = round_half_up(value)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}€ {'.'.join(groups)},{cents}"


class MoneyField(models.DecimalField):
    """A euro amount: ``DecimalField(max_digits=14, decimal_places=2)``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        path = "sectorplan.money.MoneyField"
        return name, path, args, kwargs
