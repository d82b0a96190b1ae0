from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from accounting.settlement import RegistrationActuals, realised_amount, settle
from applications.rules import Rate

FIXED = Rate("A", "fixed", Decimal("5000.00"), Decimal("2000.00"), Decimal("24.0"))
COST = Rate("C", "actual_cost", Decimal("2000.00"), None, None)

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2, allow_nan=False, allow_infinity=False)


def p(rate=FIXED, *, started=True, approved=True, cost=None, hours=Decimal("32"), planned=Decimal("5000.00")):
    return RegistrationActuals(approved=approved, started=started, rate=rate, contract_hours=hours, actual_cost=cost,
                              planned_amount=planned)


def test_not_started_realises_nothing_R30():
    assert realised_amount(p(started=False)) == Decimal("0.00")


def test_registration_not_approved_realises_nothing_R30_R49():
    assert realised_amount(p(approved=False)) == Decimal("0.00")


def test_actual_cost_is_capped_at_the_rate_R30():
    assert realised_amount(p(COST, cost=Decimal("2500.00"))) == Decimal("2000.00")
    assert realised_amount(p(COST, cost=Decimal("1234.56"))) == Decimal("1234.56")


def test_fixed_rate_follows_the_contract_hours_rule_R30():
    assert realised_amount(p(hours=Decimal("20"))) == Decimal("2000.00")


def test_small_application_settles_on_completion_without_costs_R31():
    assert realised_amount(p(COST, cost=None, planned=Decimal("1500.00")), small=True) == Decimal("1500.00")


def test_settlement_with_allocation_factor_rounds_half_up_R30():
    # eligible 15000, granted 10000: factor 2/3. Realised 5000 + 1000.01 = 6000.01 -> 4000.006666.. -> 4000.01
    result = settle(
        registrations=[p(), p(COST, cost=Decimal("1000.01"))],
        eligible_amount=Decimal("15000.00"), granted_amount=Decimal("10000.00"),
        unconditional_amount=Decimal("10000.00"), released_amount=Decimal("0.00"), advances_paid=Decimal("7500.00"),
    )
    assert result.settled_amount == Decimal("4000.01")
    assert result.payment_amount == Decimal("-3499.99")
    assert result.is_reclaim


def test_settlement_never_pays_the_held_part_R30():
    # Granted 10000 of which 2500 held and not released: at most 7500 is settled.
    result = settle(
        registrations=[p(), p()], eligible_amount=Decimal("10000.00"), granted_amount=Decimal("10000.00"),
        unconditional_amount=Decimal("7500.00"), released_amount=Decimal("0.00"), advances_paid=Decimal("5625.00"),
    )
    assert result.settled_amount == Decimal("7500.00")
    assert result.payment_amount == Decimal("1875.00")


def test_released_part_is_paid_R30():
    result = settle(
        registrations=[p(), p()], eligible_amount=Decimal("10000.00"), granted_amount=Decimal("10000.00"),
        unconditional_amount=Decimal("7500.00"), released_amount=Decimal("2500.00"), advances_paid=Decimal("7500.00"),
    )
    assert (result.settled_amount, result.payment_amount) == (Decimal("10000.00"), Decimal("2500.00"))


registration_st = st.builds(
    p,
    rate=st.sampled_from([FIXED, COST]),
    started=st.booleans(),
    approved=st.booleans(),
    cost=money,
    hours=st.sampled_from([Decimal("12"), Decimal("24"), Decimal("36")]),
)


@given(
    registrations=st.lists(registration_st, max_size=12),
    eligible=money,
    granted_share=st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=4),
    held_share=st.sampled_from([Decimal("0"), Decimal("0.25")]),
    released=st.booleans(),
    advance=money,
)
def test_settlement_arithmetic_holds_for_every_input_R30(registrations, eligible, granted_share, held_share, released, advance):
    granted = (eligible * granted_share).quantize(Decimal("0.01"))
    held = (granted * held_share).quantize(Decimal("0.01"))
    rel = held if released else Decimal("0.00")
    result = settle(
        registrations=registrations, eligible_amount=eligible, granted_amount=granted,
        unconditional_amount=granted - held, released_amount=rel, advances_paid=advance,
    )
    realised = sum((realised_amount(x) for x in registrations), Decimal("0.00"))
    assert result.realised == realised
    # Exact to the cent, never above the realised amount, never above what may be paid.
    assert result.settled_amount == result.settled_amount.quantize(Decimal("0.01"))
    assert Decimal("0") <= result.settled_amount <= granted - held + rel
    assert result.settled_amount <= realised
    # The factor is applied (half-up) when granted < eligible; otherwise it is 1.
    if eligible > 0 and granted < eligible:
        exact = realised * granted / eligible
        assert abs(min(exact, granted - held + rel) - result.settled_amount) <= Decimal("0.005")
    else:
        assert result.settled_amount == min(realised, granted - held + rel)
    # Payment is settlement minus advances; negative is a reclaim.
    assert result.payment_amount == result.settled_amount - advance
    assert result.is_reclaim == (result.settled_amount < advance)
