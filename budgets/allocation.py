"""Allocation arithmetic (R16, R17, R20, R22): pure functions on exact integer cents.

Nothing here touches the database. Amounts go in and out as ``Decimal`` with two places; inside,
everything is integer cents so that no rounding happens except the explicit round-down of R17.

Oversubscription (R16): every application first gets ``min(floor, eligible)``; the rest of the
ceiling is divided pro rata over the remaining requested amounts (eligible minus the floor part).
If even the floor parts exceed the ceiling, the ceiling is divided pro rata over the floor parts
(nobody gets the full floor then; documented choice, the same largest-remainder rule applies).

R17: shares are rounded down to cents; the leftover cents go one each to the largest remainders,
ties broken by the lowest key (the application reference). In oversubscription the grants add up to
exactly the ceiling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sectorplan.money import percent_of, to_decimal

FACTOR_PLACES = Decimal("0.0000000001")


def to_cents(amount) -> int:
    value = to_decimal(amount)
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError("Amounts must have at most two decimals.")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class AllocationResult:
    grants: dict[str, Decimal]
    ceiling: Decimal
    requested: Decimal
    granted: Decimal
    factor: Decimal
    oversubscribed: bool


def _largest_remainder(total: int, weights: list[tuple[str, int]]) -> dict[str, int]:
    """Divide ``total`` cents pro rata over ``weights`` (sum(weights) >= total), exact to the cent."""
    denominator = sum(w for _key, w in weights)
    if denominator == 0 or total == 0:
        return {key: 0 for key, _w in weights}
    shares: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for key, weight in weights:
        quotient, remainder = divmod(total * weight, denominator)
        shares[key] = quotient
        remainders.append((remainder, key))
    leftover = total - sum(shares.values())
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for _remainder, key in remainders[:leftover]:
        shares[key] += 1
    return shares


def allocate(*, ceiling, eligible: Sequence[tuple[str, object]], floor=0) -> AllocationResult:
    """Allocate ``ceiling`` over ``eligible`` = [(reference, eligible amount), ...] (R16, R17)."""
    ceiling_c = to_cents(ceiling)
    floor_c = to_cents(floor)
    if ceiling_c < 0 or floor_c < 0:
        raise ValueError("Ceiling and floor must not be negative.")
    items = [(key, to_cents(amount)) for key, amount in eligible]
    if any(amount < 0 for _key, amount in items):
        raise ValueError("Eligible amounts must not be negative.")
    if len({key for key, _a in items}) != len(items):
        raise ValueError("Keys must be unique.")
    total_c = sum(amount for _key, amount in items)

    if total_c <= ceiling_c:
        grants_c = dict(items)
        oversubscribed = False
    else:
        oversubscribed = True
        floors = [(key, min(floor_c, amount)) for key, amount in items]
        floor_total = sum(f for _key, f in floors)
        if floor_total >= ceiling_c:
            grants_c = _largest_remainder(ceiling_c, floors)
        else:
            rest = _largest_remainder(ceiling_c - floor_total, [(key, amount - f) for (key, amount), (_k, f) in zip(items, floors, strict=True)])
            grants_c = {key: f + rest[key] for key, f in floors}

    granted_c = sum(grants_c.values())
    factor = (
        (Decimal(granted_c) / Decimal(total_c)).quantize(FACTOR_PLACES, rounding=ROUND_HALF_UP)
        if total_c
        else Decimal(1).quantize(FACTOR_PLACES)
    )
    return AllocationResult(
        grants={key: from_cents(c) for key, c in grants_c.items()},
        ceiling=from_cents(ceiling_c),
        requested=from_cents(total_c),
        granted=from_cents(granted_c),
        factor=factor,
        oversubscribed=oversubscribed,
    )


def hold_back_applies(*, holdback_applies: bool, advice_positive: bool) -> bool:
    """R22: the one rule of "hold back or not": in a holdback period, unless the region's latest advice is
    positive."""
    return bool(holdback_applies and not advice_positive)


@dataclass(frozen=True)
class GrantSplit:
    granted: Decimal
    held: Decimal
    unconditional: Decimal
    advance: Decimal


def split_grant(*, granted, hold: bool, holdback_percent, advance_percent) -> GrantSplit:
    """R20, R22: the held part (half up) and the advance on the part not held back (half up)."""
    granted = to_decimal(granted)
    held = percent_of(granted, holdback_percent) if hold else Decimal("0.00")
    unconditional = granted - held
    return GrantSplit(
        granted=granted, held=held, unconditional=unconditional, advance=percent_of(unconditional, advance_percent)
    )


def advance_top_up(*, released, advance_percent) -> Decimal:
    """R20/R23: a release tops the advance up by the advance share of the released amount."""
    return percent_of(released, advance_percent)
