"""Allocation arithmetic (R12, R16, R17, R22): pure functions on exact integer cents.

Nothing here touches the database. Amounts go in and out as ``Decimal`` with two places; inside,
everything is integer cents so that no rounding happens except the explicit round-down of R17.

The cap per application (R12) comes first: every eligible amount above the period's cap counts as the cap.
When the (capped) eligible amounts fit the ceiling, everyone gets theirs. Otherwise (R16) the period's method:

- ``pro_rata``: every application first gets ``min(floor, eligible)``; the rest of the ceiling is divided
  pro rata over the remaining requested amounts (eligible minus the floor part). If even the floor parts
  exceed the ceiling, the ceiling is divided pro rata over the floor parts (nobody gets the full floor
  then; documented choice, the same largest-remainder rule applies). R17: shares are rounded down to
  cents; the leftover cents go one each to the largest remainders, ties broken by the lowest key (the
  application reference).
- ``first_come``: in order of receipt time (ties: the lowest key), each gets its eligible amount while it
  fits; the first that does not fit gets what is left of the ceiling, later ones nothing. The floor plays
  no part. No rounding: every grant is a whole eligible amount or the rest of the ceiling.

Either way, oversubscribed, the grants add up to exactly the ceiling; never more.

The grant is a reservation (R20 v2): nothing here computes an advance; advances follow approved
registrations in runs (R48).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sectorplan.money import percent_of, to_decimal

from .constants import AllocationMethod

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
    #: Each eligible amount after the cap per application (R12): what the allocation divided.
    capped: dict[str, Decimal]
    ceiling: Decimal
    #: The total of the capped eligible amounts.
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


def _pro_rata(*, ceiling_c: int, items: list[tuple[str, int]], floor_c: int) -> dict[str, int]:
    floors = [(key, min(floor_c, amount)) for key, amount in items]
    floor_total = sum(f for _key, f in floors)
    if floor_total >= ceiling_c:
        return _largest_remainder(ceiling_c, floors)
    rest = _largest_remainder(
        ceiling_c - floor_total, [(key, amount - f) for (key, amount), (_k, f) in zip(items, floors, strict=True)]
    )
    return {key: f + rest[key] for key, f in floors}


def _first_come(*, ceiling_c: int, items: list[tuple[str, int]], received: Mapping[str, object]) -> dict[str, int]:
    left = ceiling_c
    grants: dict[str, int] = {}
    for key, amount in sorted(items, key=lambda item: (received[item[0]], item[0])):
        grants[key] = min(amount, left)
        left -= grants[key]
    return grants


def allocate(
    *,
    ceiling,
    eligible: Sequence[tuple[str, object]],
    floor=0,
    method: str = AllocationMethod.PRO_RATA,
    cap=None,
    received: Mapping[str, object] | None = None,
) -> AllocationResult:
    """Allocate ``ceiling`` over ``eligible`` = [(reference, eligible amount), ...] (R12, R16, R17).

    ``cap``: the period's cap per application (None: no cap). ``method``: ``pro_rata`` (with ``floor``) or
    ``first_come``, which needs ``received``: reference -> receipt time (anything ordered, e.g. a datetime).
    """
    ceiling_c = to_cents(ceiling)
    floor_c = to_cents(floor)
    cap_c = None if cap is None else to_cents(cap)
    if ceiling_c < 0 or floor_c < 0 or (cap_c is not None and cap_c < 0):
        raise ValueError("Ceiling, floor and cap must not be negative.")
    if method not in AllocationMethod.values:
        raise ValueError(f"Unknown allocation method {method!r}.")
    items = [(key, to_cents(amount)) for key, amount in eligible]
    if any(amount < 0 for _key, amount in items):
        raise ValueError("Eligible amounts must not be negative.")
    if len({key for key, _a in items}) != len(items):
        raise ValueError("Keys must be unique.")
    if method == AllocationMethod.FIRST_COME and (received is None or any(key not in received for key, _a in items)):
        raise ValueError("First come needs the receipt time of every application.")
    if cap_c is not None:
        items = [(key, min(amount, cap_c)) for key, amount in items]
    total_c = sum(amount for _key, amount in items)

    oversubscribed = total_c > ceiling_c
    if not oversubscribed:
        grants_c = dict(items)
    elif method == AllocationMethod.FIRST_COME:
        grants_c = _first_come(ceiling_c=ceiling_c, items=items, received=received)
    else:
        grants_c = _pro_rata(ceiling_c=ceiling_c, items=items, floor_c=floor_c)

    granted_c = sum(grants_c.values())
    factor = (
        (Decimal(granted_c) / Decimal(total_c)).quantize(FACTOR_PLACES, rounding=ROUND_HALF_UP)
        if total_c
        else Decimal(1).quantize(FACTOR_PLACES)
    )
    return AllocationResult(
        grants={key: from_cents(c) for key, c in grants_c.items()},
        capped={key: from_cents(c) for key, c in items},
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


def split_grant(*, granted, hold: bool, holdback_percent) -> GrantSplit:
    """R20, R22: the reservation and its held part (half up). No advance: the grant pays nothing (R20 v2)."""
    granted = to_decimal(granted)
    held = percent_of(granted, holdback_percent) if hold else Decimal("0.00")
    return GrantSplit(granted=granted, held=held, unconditional=granted - held)
