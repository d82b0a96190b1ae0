"""R30 v2 and R31: the settlement arithmetic, pure and exact (no database, no floats).

Per registration (R30: approved registrations only, with their reported progress, R29):

* not approved, not started, or not reported (after the accountability deadline: unreported = not started),
  or found unsupported by the office's sample check (R31): 0;
* fixed types: R12 with the actual contract hours (the fixed or reduced amount);
* actual-cost types: the actual cost, capped at the rate (R12 with actual values); in a **small application**
  (R31) the registered amount instead: small applications report completion, not costs.

Then for the application::

    other      = sum of the realised amounts of the non-retention registrations
    retention  = sum of the realised amounts of the retention registrations, capped so that R9's check holds
                 on the realised amounts: retention × 100 ≤ (other + retention) × share; the cap is
                 other × share ÷ (100 − share), rounded down to the cent (rounded up it could break the check)
    realised   = other + retention (capped)
    factor     = reservation at grant ÷ eligible amount, at most 1 (fixed at the allocation; amendments and
                 upheld objections later change the cap, not the factor)
    settled    = min(round_half_up(realised × factor), unconditional + released reservation in force)
    payment    = settled − advances paid (negative: a reclaim, Awb 4:57)
"""

from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from applications.rules import Rate, requested_amount
from budgets.constants import RateMethod
from sectorplan.money import ZERO, round_down, round_half_up

HUNDRED = Decimal(100)


class Basis:
    """Why a registration realises what it does (shown line by line on the office page and in the letter)."""

    NOT_APPROVED = "not_approved"
    NOT_REPORTED = "not_reported"
    NOT_STARTED = "not_started"
    UNSUPPORTED = "unsupported"
    FIXED = "fixed"
    ACTUAL_COST = "actual_cost"
    REGISTERED = "registered_amount"


@dataclass(frozen=True)
class RegistrationActuals:
    approved: bool  # R49: only approved registrations count
    started: bool | None  # R29: None = no progress reported
    rate: Rate
    contract_hours: Decimal
    actual_cost: Decimal | None
    planned_amount: Decimal  # the registration's amount at registration (R12, registered values)
    retention: bool = False  # R9: focus ``retention``
    unsupported: bool = False  # R31: the sample check found its evidence lacking
    id: int | None = None


@dataclass(frozen=True)
class Line:
    id: int | None
    basis: str
    realised: Decimal
    retention: bool


@dataclass(frozen=True)
class Settlement:
    realised: Decimal  # other + retention (capped), before the factor
    factor: Decimal | None  # None means 1 (not oversubscribed)
    settled_amount: Decimal
    advances_paid: Decimal
    payment_amount: Decimal
    lines: tuple[Line, ...] = field(default=())
    realised_other: Decimal = ZERO
    realised_retention: Decimal = ZERO  # before the cap
    retention_counted: Decimal = ZERO  # after the cap
    reserved_at_grant: Decimal = ZERO
    eligible_amount: Decimal = ZERO
    before_cap: Decimal = ZERO  # round_half_up(realised × factor)
    cap: Decimal = ZERO  # unconditional + released

    @property
    def is_reclaim(self) -> bool:
        return self.payment_amount < 0

    @property
    def capped(self) -> bool:
        return self.before_cap > self.cap


def line_for(p: RegistrationActuals, *, small: bool = False) -> Line:
    """R30/R31/R12 with actual values for one registration, and why."""
    if not p.approved:
        basis, amount = Basis.NOT_APPROVED, ZERO
    elif p.unsupported:
        basis, amount = Basis.UNSUPPORTED, ZERO
    elif p.started is None:
        basis, amount = Basis.NOT_REPORTED, ZERO
    elif not p.started:
        basis, amount = Basis.NOT_STARTED, ZERO
    elif p.rate.method == RateMethod.FIXED:
        basis = Basis.FIXED
        amount = requested_amount(rate=p.rate, contract_hours=p.contract_hours, planned_cost=None)
    elif small:
        basis, amount = Basis.REGISTERED, round_half_up(p.planned_amount)
    else:
        basis = Basis.ACTUAL_COST
        amount = requested_amount(rate=p.rate, contract_hours=p.contract_hours, planned_cost=p.actual_cost or ZERO)
    return Line(id=p.id, basis=basis, realised=amount, retention=p.retention)


def realised_amount(p: RegistrationActuals, *, small: bool = False) -> Decimal:
    return line_for(p, small=small).realised


def retention_cap(*, other: Decimal, max_percent: Decimal) -> Decimal | None:
    """R9 on realised amounts: the most the retention part may be beside ``other`` (None: no cap)."""
    if max_percent >= HUNDRED:
        return None
    if max_percent <= 0:
        return ZERO
    with localcontext() as ctx:
        ctx.prec = 60
        return round_down(other * max_percent / (HUNDRED - max_percent))


def settle(
    *,
    registrations: list[RegistrationActuals],
    eligible_amount: Decimal,
    granted_amount: Decimal,
    unconditional_amount: Decimal,
    released_amount: Decimal,
    advances_paid: Decimal,
    small: bool = False,
    retention_max_percent: Decimal = HUNDRED,
) -> Settlement:
    """R30 v2. ``granted_amount`` is the reservation **at grant** (the allocation factor's numerator)."""
    lines = tuple(line_for(p, small=small) for p in registrations)
    other = sum((line.realised for line in lines if not line.retention), ZERO)
    retention = sum((line.realised for line in lines if line.retention), ZERO)
    cap_retention = retention_cap(other=other, max_percent=retention_max_percent)
    counted = retention if cap_retention is None else min(retention, cap_retention)
    realised = other + counted
    factor: Decimal | None = None
    if eligible_amount > 0 and granted_amount < eligible_amount:
        factor = granted_amount / eligible_amount
        # Multiply before dividing, with room to spare: ``realised × factor`` with the factor already cut to
        # 28 digits could land just below a half cent and round the wrong way (R30: half-up, once, exact).
        with localcontext() as ctx:
            ctx.prec = 60
            amount = round_half_up(realised * granted_amount / eligible_amount)
    else:
        amount = round_half_up(realised)
    cap = unconditional_amount + released_amount
    settled = max(min(amount, cap), ZERO)
    paid = round_half_up(advances_paid)
    return Settlement(
        realised=realised,
        factor=factor,
        settled_amount=settled,
        advances_paid=paid,
        payment_amount=settled - paid,
        lines=lines,
        realised_other=other,
        realised_retention=retention,
        retention_counted=counted,
        reserved_at_grant=granted_amount,
        eligible_amount=eligible_amount,
        before_cap=amount,
        cap=cap,
    )
