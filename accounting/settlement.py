"""R30: the settlement arithmetic, pure and exact (no database, no floats).

settlement = min(round_half_up(sum(realised per registration) × factor), unconditional + released)
factor     = granted ÷ eligible (1 when not oversubscribed: then granted = eligible), never above 1
payment    = settlement − advances paid (negative: a reclaim)

The realised subsidy of a registration is R12 with actual values (:func:`applications.rules.requested_amount`
with the actual cost for actual-cost types); a registration who did not start, or was not found eligible in the
assessment, realises nothing. Small applications (R31) settle on the completion statement: a started
registration realises the fixed amount or the planned (requested) amount, without costs.
"""

from dataclasses import dataclass
from decimal import Decimal, localcontext

from applications.rules import Rate, requested_amount
from budgets.constants import RateMethod
from sectorplan.money import ZERO, round_half_up


@dataclass(frozen=True)
class RegistrationActuals:
    approved: bool  # R49: only approved registrations count
    started: bool
    rate: Rate
    contract_hours: Decimal
    actual_cost: Decimal | None
    planned_amount: Decimal  # the registration's requested amount (R12, planned values)


@dataclass(frozen=True)
class Settlement:
    realised: Decimal  # sum over registrations, before the factor
    factor: Decimal | None  # None means 1 (not oversubscribed)
    settled_amount: Decimal
    advances_paid: Decimal
    payment_amount: Decimal

    @property
    def is_reclaim(self) -> bool:
        return self.payment_amount < 0


def realised_amount(p: RegistrationActuals, *, small: bool = False) -> Decimal:
    """R30/R12 with actual values for one registration."""
    if not p.approved or not p.started:
        return ZERO
    if small or p.rate.method == RateMethod.FIXED:
        if small and p.rate.method == RateMethod.ACTUAL_COST:
            return round_half_up(p.planned_amount)
        return requested_amount(rate=p.rate, contract_hours=p.contract_hours, planned_cost=None)
    return requested_amount(rate=p.rate, contract_hours=p.contract_hours, planned_cost=p.actual_cost or ZERO)


def settle(
    *,
    registrations: list[RegistrationActuals],
    eligible_amount: Decimal,
    granted_amount: Decimal,
    unconditional_amount: Decimal,
    released_amount: Decimal,
    advances_paid: Decimal,
    small: bool = False,
) -> Settlement:
    realised = sum((realised_amount(p, small=small) for p in registrations), ZERO)
    factor: Decimal | None = None
    if eligible_amount > 0 and granted_amount < eligible_amount:
        factor = granted_amount / eligible_amount
    if factor is not None:
        # Multiply before dividing, with room to spare: ``realised × factor`` with the factor already cut to
        # 28 digits could land just below a half cent and round the wrong way (R30: half-up, once, exact).
        with localcontext() as ctx:
            ctx.prec = 60
            amount = round_half_up(realised * granted_amount / eligible_amount)
    else:
        amount = round_half_up(realised)
    cap = unconditional_amount + released_amount
    settled = min(amount, cap)
    return Settlement(
        realised=realised,
        factor=factor,
        settled_amount=settled,
        advances_paid=round_half_up(advances_paid),
        payment_amount=settled - round_half_up(advances_paid),
    )
