"""Arithmetic of amended reservations (R22, R51, R52): pure functions, no database.

A reservation is split in three parts (R22-R25): ``unconditional``, ``held`` (held back until the region's
advice) and ``released`` (held back once, released by a positive advice). Their sum is the reservation.
The *conditional* part is ``held + released``: what the holdback once set apart.

**Lowering** (R51, and a decrease announced in a redistribution round, R52) from reservation ``R`` to ``N < R``:

- the conditional part becomes ``C' = min(C, half_up(N × holdback%))`` (the holdback share of what remains,
  never more than it was), but never falls by more than the reservation does:
  ``C' = max(C', C - (R - N))``; without a conditional part (no holdback, or forfeited) it stays 0;
- the conditional decrease ``C - C'`` comes out of the held part first, then out of the released part (a
  region has either held or released money: the advice releases everything at once; both only after an
  increase held back after a release);
- the unconditional part is the rest: ``N - C'``; it never rises (shown in the tests with hypothesis).

**Increase** (R52) from ``R`` to ``N > R``: when the holdback applies (a holdback period and the region's latest
advice not positive, R22) the held part grows to the holdback share of the new reservation,
``held increase = min(N - R, max(0, half_up(N × holdback%) - C))``; the rest of the increase is unconditional.

**Redistribution** (R52): the available money of a budget line is divided over the requested increases with
the allocation engine (:func:`budgets.allocation.allocate`, pro rata, exact to the cent, R17), each request
first cut to what the cap per application leaves (R12): never beyond the cap, never above the money available.

**Lowering target** (R51): the approved registrations' subsidy × the allocation factor (granted ÷ eligible,
1 when not oversubscribed), half up, computed without an intermediate rounding of the factor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from sectorplan.money import ZERO, percent_of, round_half_up, to_decimal

from .allocation import allocate
from .constants import AllocationMethod


@dataclass(frozen=True)
class Parts:
    """A reservation's three parts (R25)."""

    unconditional: Decimal
    held: Decimal
    released: Decimal

    @property
    def reserved(self) -> Decimal:
        return self.unconditional + self.held + self.released


@dataclass(frozen=True)
class Change:
    """An amended reservation: the parts before and after, and the (never negative) movements per part."""

    before: Parts
    after: Parts

    @property
    def unconditional_down(self) -> Decimal:
        return max(self.before.unconditional - self.after.unconditional, ZERO)

    @property
    def unconditional_up(self) -> Decimal:
        return max(self.after.unconditional - self.before.unconditional, ZERO)

    @property
    def held_down(self) -> Decimal:
        return max(self.before.held - self.after.held, ZERO)

    @property
    def held_up(self) -> Decimal:
        return max(self.after.held - self.before.held, ZERO)

    @property
    def released_down(self) -> Decimal:
        return max(self.before.released - self.after.released, ZERO)

    @property
    def freed(self) -> Decimal:
        """What returns to available (a lowering or decrease)."""
        return max(self.before.reserved - self.after.reserved, ZERO)


def _parts(unconditional, held, released) -> Parts:
    parts = Parts(to_decimal(unconditional), to_decimal(held), to_decimal(released))
    if min(parts.unconditional, parts.held, parts.released) < 0:
        raise ValueError("Parts of a reservation are never negative.")
    return parts


def lower(*, unconditional, held, released, new_reserved, holdback_percent) -> Change:
    """R51/R52: the reservation lowered to ``new_reserved`` (never raised: a target at or above the reservation
    changes nothing)."""
    before = _parts(unconditional, held, released)
    new = round_half_up(new_reserved)
    if new < 0:
        raise ValueError("A reservation is never lowered below zero.")
    if new >= before.reserved:
        return Change(before=before, after=before)
    conditional = before.held + before.released
    if conditional:
        kept = min(conditional, percent_of(new, holdback_percent))
        kept = max(kept, conditional - (before.reserved - new))
    else:
        kept = ZERO
    down = conditional - kept
    held_down = min(before.held, down)
    after = Parts(unconditional=new - kept, held=before.held - held_down, released=before.released - (down - held_down))
    return Change(before=before, after=after)


def increase(*, unconditional, held, released, amount, hold: bool, holdback_percent) -> Change:
    """R52 with R22: the reservation raised by ``amount``; held back on the new reservation when ``hold``."""
    before = _parts(unconditional, held, released)
    amount = to_decimal(amount)
    if amount < 0:
        raise ValueError("An increase is never negative.")
    new = before.reserved + amount
    held_up = ZERO
    if hold:
        held_up = min(amount, max(ZERO, percent_of(new, holdback_percent) - before.held - before.released))
    after = Parts(unconditional=before.unconditional + amount - held_up, held=before.held + held_up,
                  released=before.released)
    return Change(before=before, after=after)


def lowering_target(*, approved_amount, granted_amount, eligible_amount) -> Decimal:
    """R51 (and R30's factor): approved registrations' subsidy × granted ÷ eligible when oversubscribed, half up."""
    approved, granted, eligible = (to_decimal(v) for v in (approved_amount, granted_amount, eligible_amount))
    if eligible > 0 and granted < eligible:
        with localcontext() as ctx:
            ctx.prec = 60
            return round_half_up(approved * granted / eligible)
    return round_half_up(approved)


@dataclass(frozen=True)
class IncreaseRequest:
    key: str
    requested: Decimal
    #: What the application has reserved now (after the round's decreases).
    reserved: Decimal


def redistribute(*, available, requests: Sequence[IncreaseRequest], cap=None) -> dict[str, Decimal]:
    """R52: divide ``available`` over the requested increases: each first cut to what the cap per application
    leaves (``cap`` None: no cap), then pro rata to the cent (R17) when they do not all fit. Never above a
    request, the cap or ``available``."""
    available = max(to_decimal(available), ZERO)
    eligible = []
    for r in requests:
        room = to_decimal(r.requested)
        if cap is not None:
            room = min(room, max(to_decimal(cap) - to_decimal(r.reserved), ZERO))
        eligible.append((r.key, max(room, ZERO)))
    result = allocate(ceiling=available, eligible=eligible, method=AllocationMethod.PRO_RATA)
    return dict(result.grants)
