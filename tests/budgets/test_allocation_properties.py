"""Property-based tests of the pure allocation arithmetic (R12, R16, R17, R20, R22)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.allocation import allocate, split_grant, to_cents

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


@given(granted=amounts, hold_pct=percent, hold=st.booleans())
def test_holdback_split_adds_up_exactly_R22_R20(granted, hold_pct, hold):
    split = split_grant(granted=granted, hold=hold, holdback_percent=hold_pct)
    assert split.held + split.unconditional == granted
    assert split.held == (split.held if hold else 0)
    assert Decimal(0) <= split.held <= granted
    to_cents(split.held)  # whole cents


def test_holdback_is_25_percent_half_up_and_the_grant_pays_no_advance_R22_R20():
    split = split_grant(granted=Decimal("100.02"), hold=True, holdback_percent=Decimal(25))
    assert split.held == Decimal("25.01")  # 25.005 half up
    assert split.unconditional == Decimal("75.01")
    assert not hasattr(split, "advance")


# --- The cap per application (R12) and first come, first served (R16) ------------------------------

caps = st.none() | amounts
methods = st.sampled_from(["pro_rata", "first_come"])
T0 = datetime(2019, 12, 2, 8, 0, tzinfo=UTC)
#: Claims with receipt times: few distinct seconds, so ties (broken by reference) are common.
timed_claims = st.lists(st.tuples(amounts, st.integers(min_value=0, max_value=5)), min_size=0, max_size=40)


def _timed(claims):
    pairs = [(f"SPP-T4-{i:06d}", amount) for i, (amount, _s) in enumerate(claims)]
    received = {key: T0 + timedelta(seconds=s) for (key, _a), (_amount, s) in zip(pairs, claims, strict=True)}
    return pairs, received


def _receipt_order(pairs, received):
    return sorted((key for key, _a in pairs), key=lambda key: (received[key], key))


@given(ceiling=amounts, claims=timed_claims, floor=amounts, cap=caps, method=methods)
@settings(max_examples=300)
def test_sums_exact_to_the_cent_never_above_ceiling_or_cap_R16_R17_R12(ceiling, claims, floor, cap, method):
    pairs, received = _timed(claims)
    result = allocate(ceiling=ceiling, eligible=pairs, floor=floor, method=method, cap=cap, received=received)
    capped = {key: amount if cap is None else min(amount, cap) for key, amount in pairs}
    assert result.capped == capped
    total = sum(capped.values(), Decimal(0))
    granted = sum(result.grants.values(), Decimal(0))
    assert result.requested == total and result.granted == granted
    assert granted == min(total, ceiling)
    for key, _amount in pairs:
        to_cents(result.grants[key])
        assert Decimal(0) <= result.grants[key] <= capped[key]
        if cap is not None:
            assert result.grants[key] <= cap


@given(ceiling=amounts, claims=timed_claims, cap=caps, floor=amounts)
@settings(max_examples=300)
def test_first_come_serves_in_receipt_order_ties_by_reference_R16(ceiling, claims, cap, floor):
    pairs, received = _timed(claims)
    result = allocate(ceiling=ceiling, eligible=pairs, method="first_come", cap=cap, received=received, floor=floor)
    left = ceiling
    short = False
    for key in _receipt_order(pairs, received):
        wanted = result.capped[key]
        if short:
            assert result.grants[key] == 0  # later ones nothing
        elif wanted <= left:
            assert result.grants[key] == wanted  # fits: the whole eligible amount
        else:
            assert result.grants[key] == left  # the first that does not fit gets what is left
            short = True
        left -= result.grants[key]
    assert left >= 0


@given(ceiling=amounts, claims=timed_claims, cap=caps, method=methods, floor=amounts)
def test_allocation_with_method_and_cap_is_deterministic_regardless_of_input_order_R17(
    ceiling, claims, cap, method, floor
):
    pairs, received = _timed(claims)
    a = allocate(ceiling=ceiling, eligible=pairs, method=method, cap=cap, received=received, floor=floor)
    b = allocate(ceiling=ceiling, eligible=list(reversed(pairs)), method=method, cap=cap, received=dict(received),
                 floor=floor)
    assert a == b


@given(ceiling=amounts, claims=timed_claims, floor=amounts)
def test_without_a_cap_pro_rata_is_the_allocation_of_version_1_R16(ceiling, claims, floor):
    pairs, received = _timed(claims)
    assert allocate(ceiling=ceiling, eligible=pairs, floor=floor, method="pro_rata", cap=None, received=received) == (
        allocate(ceiling=ceiling, eligible=pairs, floor=floor)
    )


def test_first_come_example_the_first_that_does_not_fit_gets_the_rest_R16():
    received = {"A": T0 + timedelta(minutes=2), "B": T0, "C": T0 + timedelta(minutes=1), "D": T0 + timedelta(minutes=3)}
    result = allocate(
        ceiling=Decimal("1000.00"), method="first_come", received=received,
        eligible=[("A", Decimal("300.00")), ("B", Decimal("600.00")), ("C", Decimal("250.00")), ("D", Decimal("50"))],
    )
    # B (600) fits, C (250) fits, A (300) does not: gets the 150 left; D, though small, nothing.
    assert result.grants == {"B": Decimal("600.00"), "C": Decimal("250.00"), "A": Decimal("150.00"), "D": Decimal("0.00")}
    assert result.oversubscribed and result.granted == Decimal("1000.00")


def test_first_come_ties_in_receipt_time_go_by_lowest_reference_R16():
    result = allocate(ceiling=Decimal("100.00"), method="first_come", received={"B": T0, "A": T0},
                      eligible=[("B", Decimal("80.00")), ("A", Decimal("80.00"))])
    assert result.grants == {"A": Decimal("80.00"), "B": Decimal("20.00")}


def test_cap_applies_before_allocating_so_the_capped_amounts_may_all_fit_R12():
    result = allocate(ceiling=Decimal("4000000.00"), cap=Decimal("2000000.00"),
                      eligible=[("A", Decimal("2500000.00")), ("B", Decimal("1500000.00"))])
    assert result.grants == {"A": Decimal("2000000.00"), "B": Decimal("1500000.00")}
    assert not result.oversubscribed
    assert result.requested == Decimal("3500000.00")
    assert result.factor == Decimal("1.0000000000")


def test_cap_applies_before_pro_rata_R12_R16():
    result = allocate(ceiling=Decimal("300.00"), cap=Decimal("200.00"),
                      eligible=[("A", Decimal("1000.00")), ("B", Decimal("100.00"))])
    # capped 200 and 100 share 300 exactly: no pro rata over the uncapped 1000
    assert result.grants == {"A": Decimal("200.00"), "B": Decimal("100.00")}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "first_come"},  # no receipt times
        {"method": "first_come", "received": {"B": T0}},  # one missing
        {"method": "lottery"},
        {"cap": Decimal("-0.01")},
    ],
)
def test_allocation_refuses_what_it_cannot_order_or_cap_R16(kwargs):
    with pytest.raises(ValueError):
        allocate(ceiling=Decimal("10.00"), eligible=[("A", Decimal("5.00")), ("B", Decimal("9.00"))], **kwargs)
