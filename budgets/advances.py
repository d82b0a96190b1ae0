"""R48: the arithmetic of an advance run, pure and exact (no database, no floats).

Per granted application::

    factor    = reservation at grant ÷ eligible amount, at most 1 (1 when not oversubscribed or nothing eligible)
    basis     = min(approved registrations' subsidy × factor, unconditional reservation in force)
    entitled  = advance share × basis, half-up to the cent (once, on the exact product)
    due       = entitled − advances already paid, only when positive

"Unconditional reservation in force" is the unconditional part plus what was released (R23: released money
becomes part of the unconditional reservation); held money is never advanced. The products are computed as
fractions, so no intermediate rounding can move a half cent (R12: half-up once).

A second run with the advances of the first counted as paid pays only what became due since: for the same
input ``due`` is 0, and ``paid + due`` never exceeds the advance share of the cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sectorplan.money import ZERO, round_half_up


@dataclass(frozen=True)
class AdvanceInput:
    approved: Decimal  # sum of the ``amount`` (R12 subsidy) of the application's approved registrations
    granted: Decimal  # the reservation at grant (the grant in force's granted amount, as R30 takes it)
    eligible: Decimal  # the application's eligible amount
    cap: Decimal  # unconditional + released reservation in force (from the ledger)
    paid: Decimal  # advances already paid, net of reclaims
    percent: Decimal  # the period's advance share in percent


@dataclass(frozen=True)
class AdvanceResult:
    factor: Fraction
    basis: Fraction  # min(approved × factor, cap), exact
    entitled: Decimal  # advance share × basis, half-up
    due: Decimal  # entitled − paid when positive, else 0


def allocation_factor(*, granted: Decimal, eligible: Decimal) -> Fraction:
    """R30's factor: reservation at grant ÷ eligible amount, never above 1 (1 without an eligible amount)."""
    if eligible <= 0 or granted >= eligible:
        return Fraction(1)
    return Fraction(max(granted, ZERO)) / Fraction(eligible)


def half_up(value: Fraction) -> Decimal:
    """``value`` (not negative) rounded half-up to the cent, exactly: ``sectorplan.money.round_half_up``."""
    if value < 0:
        raise ValueError("half_up takes a non-negative amount")
    return round_half_up(value)


def advance_due(item: AdvanceInput) -> AdvanceResult:
    """R48 for one application (see the module docstring)."""
    factor = allocation_factor(granted=item.granted, eligible=item.eligible)
    basis = min(Fraction(max(item.approved, ZERO)) * factor, Fraction(max(item.cap, ZERO)))
    entitled = half_up(Fraction(item.percent) / 100 * basis)
    due = entitled - item.paid
    return AdvanceResult(factor=factor, basis=basis, entitled=entitled, due=due if due > 0 else ZERO)


def totals_by(rows, key) -> dict:
    """Sum of ``row["advance"]`` and a count per ``key(row)`` (the run's totals per budget line, per employer)."""
    out: dict = {}
    for row in rows:
        k = key(row)
        total, count = out.get(k, (ZERO, 0))
        out[k] = (total + row["advance"], count + 1)
    return out
