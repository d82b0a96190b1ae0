"""Property-based tests of the pure allocation arithmetic (R16, R17, R20, R22)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.allocation import advance_top_up, allocate, split_grant, to_cents

cents = st.integers(min_value=0, max_value=50_000_000)
amounts = cents.map(lambda c: Decimal(c) / 100)
claims = st.lists(amounts, min_size=0, max_size=40)
percent = st.integers(min_value=0, max_value=10000).map(lambda c: Decimal(c) / 100)


def _run(ceiling, eligible, floor):
    pairs = [(f"SPP-T1-{i:06d}", amount) for i, amount in enumerate(eligible)]
    return pairs, allocate(ceiling=ceiling, eligible=pairs, floor=floor)


@given(ceiling=amounts, eligible=claims, floor=amounts)
@settings(max_examples=300)
def test_oversubscription_grants_add_up_to_ceiling_otherwise_never_more_R17(ceiling, eligible, floor):
    _pairs, result = _run(ceiling, eligible, floor)
    total = sum(result.grants.values(), Decimal(0))
    if sum(eligible, Decimal(0)) > ceiling:
        assert result.oversubscribed
        assert total == ceiling
    else:
        assert total == sum(eligible, Decimal(0))
        assert total <= ceiling


@given(ceiling=amounts, eligible=claims, floor=amounts)
@settings(max_examples=300)
def test_nobody_gets_more_than_eligible_and_floor_holds_R16(ceiling, eligible, floor):
    pairs, result = _run(ceiling, eligible, floor)
    floors_total = sum((min(floor, amount) for _k, amount in pairs), Decimal(0))
    for key, amount in pairs:
        grant = result.grants[key]
        assert Decimal(0) <= grant <= amount
        if floors_total <= ceiling:
            assert grant >= min(floor, amount)


@given(ceiling=amounts, eligible=claims, floor=amounts)
@settings(max_examples=300)
def test_each_grant_within_one_cent_of_exact_share_R17(ceiling, eligible, floor):
    pairs, result = _run(ceiling, eligible, floor)
    total = sum(eligible, Decimal(0))
    if total <= ceiling:
        return
    floors = {key: min(floor, amount) for key, amount in pairs}
    floors_total = sum(floors.values(), Decimal(0))
    for key, amount in pairs:
        if floors_total >= ceiling:
            exact = ceiling * floors[key] / floors_total if floors_total else Decimal(0)
        else:
            rest = total - floors_total
            exact = floors[key] + (ceiling - floors_total) * (amount - floors[key]) / rest
        assert abs(result.grants[key] - exact) < Decimal("0.01")


@given(eligible=claims, ceiling=amounts, floor=amounts)
def test_allocation_is_deterministic_regardless_of_input_order_R17(eligible, ceiling, floor):
    pairs = [(f"SPP-T1-{i:06d}", amount) for i, amount in enumerate(eligible)]
    a = allocate(ceiling=ceiling, eligible=pairs, floor=floor)
    b = allocate(ceiling=ceiling, eligible=list(reversed(pairs)), floor=floor)
    assert a.grants == b.grants


def test_leftover_cents_go_to_largest_remainder_ties_lowest_reference_R17():
    result = allocate(ceiling=Decimal("1.00"), eligible=[("B", Decimal("1.00")), ("A", Decimal("1.00")),
                                                         ("C", Decimal("1.00"))])
    assert result.grants == {"A": Decimal("0.34"), "B": Decimal("0.33"), "C": Decimal("0.33")}


def test_floors_exceeding_ceiling_are_scaled_pro_rata_R16():
    result = allocate(ceiling=Decimal("100.00"), eligible=[("A", Decimal("500")), ("B", Decimal("50"))],
                      floor=Decimal("100.00"))
    # floors 100 and 50 exceed the ceiling: 100 divided 2:1
    assert result.grants == {"A": Decimal("66.67"), "B": Decimal("33.33")}


@given(granted=amounts, hold_pct=percent, advance_pct=percent, hold=st.booleans())
def test_holdback_split_adds_up_exactly_R22_R20(granted, hold_pct, advance_pct, hold):
    split = split_grant(granted=granted, hold=hold, holdback_percent=hold_pct, advance_percent=advance_pct)
    assert split.held + split.unconditional == granted
    assert split.held == (0 if not hold else split.held)
    assert Decimal(0) <= split.held <= granted
    assert Decimal(0) <= split.advance <= split.unconditional
    # whole cents
    to_cents(split.held)
    to_cents(split.advance)
    # release top-up: advance + top-up is within a cent of the advance share of the whole grant
    total_advance = split.advance + advance_top_up(released=split.held, advance_percent=advance_pct)
    assert abs(total_advance - granted * advance_pct / 100) <= Decimal("0.01")


def test_holdback_is_25_percent_half_up_R22():
    split = split_grant(granted=Decimal("100.02"), hold=True, holdback_percent=Decimal(25), advance_percent=Decimal(75))
    assert split.held == Decimal("25.01")  # 25.005 half up
    assert split.unconditional == Decimal("75.01")
    assert split.advance == Decimal("56.26")  # 56.2575 half up
