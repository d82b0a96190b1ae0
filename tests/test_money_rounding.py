"""R12: ``sectorplan.money.round_half_up`` is the one rounding, also for exact quotients (advances, R48)."""

from decimal import Decimal
from fractions import Fraction

from budgets.advances import half_up
from sectorplan.money import round_half_up


def test_r12_an_exact_fraction_rounds_half_up_without_a_detour():
    assert round_half_up(Fraction(1, 200)) == Decimal("0.01")  # exactly half a cent: up
    assert round_half_up(Fraction(1, 300)) == Decimal("0.00")
    assert round_half_up(Fraction(-1, 200)) == Decimal("-0.01")  # away from zero, as ROUND_HALF_UP does
    assert round_half_up(Fraction(123456789, 1000)) == Decimal("123456.79")


def test_r48_the_advance_arithmetic_rounds_with_the_one_rounding():
    for value in (Fraction(1, 200), Fraction(2, 3), Fraction(999999, 7)):
        assert half_up(value) == round_half_up(value)
