"""Property tests of the amendment arithmetic (R22, R51, R52; budgets/amendment.py): sums exact to the cent, never
above a cap or the money available, a lowering never raises anything, a second run changes nothing."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.amendment import IncreaseRequest, increase, lower, lowering_target, redistribute
from sectorplan.money import percent_of

CENTS = st.integers(min_value=0, max_value=10_000_000_00)
PERCENT = st.sampled_from([Decimal("0"), Decimal("25.00"), Decimal("33.33"), Decimal("50.00"), Decimal("100.00")])


def money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


@st.composite
def reservations(draw):
    """A reservation as the services make it: unconditional, held or released (or, after an increase held back
    after a release, both), every part in cents."""
    unconditional = draw(CENTS)
    held = draw(st.integers(min_value=0, max_value=unconditional))
    released = draw(st.integers(min_value=0, max_value=unconditional))
    return money(unconditional), money(held), money(released)


@settings(max_examples=400, deadline=None)
@given(parts=reservations(), fraction=st.fractions(min_value=0, max_value=2), percent=PERCENT)
def test_r51_lowering_is_exact_never_raises_any_part_and_is_idempotent(parts, fraction, percent):
    unconditional, held, released = parts
    reserved = unconditional + held + released
    target = money(int(reserved * 100 * fraction.numerator // fraction.denominator))
    change = lower(unconditional=unconditional, held=held, released=released, new_reserved=target,
                   holdback_percent=percent)
    after = change.after
    # Exact to the cent: the new reservation is the target (or unchanged when the target is not lower).
    assert after.reserved == min(target, reserved)
    assert change.freed == reserved - after.reserved
    assert change.unconditional_down + change.held_down + change.released_down == change.freed
    # Never raised: no part grows, no part negative.
    assert 0 <= after.unconditional <= unconditional
    assert 0 <= after.held <= held
    assert 0 <= after.released <= released
    # The conditional part is the holdback share of what remains when there is one (and it can be kept).
    if target < reserved and held + released > 0:
        share = percent_of(after.reserved, percent)
        assert after.held + after.released == max(min(held + released, share), held + released - (reserved - target))
    # Idempotent: lowering again to the same target changes nothing.
    again = lower(unconditional=after.unconditional, held=after.held, released=after.released,
                  new_reserved=target, holdback_percent=percent)
    assert again.after == after and again.freed == 0


@settings(max_examples=300, deadline=None)
@given(parts=reservations(), amount=CENTS, hold=st.booleans(), percent=PERCENT)
def test_r52_r22_increase_is_exact_and_holds_back_on_the_new_amount(parts, amount, hold, percent):
    unconditional, held, released = parts
    change = increase(unconditional=unconditional, held=held, released=released, amount=money(amount), hold=hold,
                      holdback_percent=percent)
    after = change.after
    assert after.reserved == unconditional + held + released + money(amount)
    assert after.unconditional >= unconditional and after.held >= held and after.released == released
    if not hold:
        assert after.held == held
    else:
        assert after.held + after.released <= max(percent_of(after.reserved, percent), held + released)


@settings(max_examples=300, deadline=None)
@given(
    available=CENTS,
    wanted=st.lists(st.tuples(st.integers(min_value=1, max_value=5_000_000_00), CENTS), min_size=0, max_size=12),
    cap=st.one_of(st.none(), st.integers(min_value=0, max_value=20_000_000_00)),
)
def test_r52_redistribution_is_exact_to_the_cent_never_above_request_cap_or_available(available, wanted, cap):
    requests = [IncreaseRequest(key=f"SPP-{i:03d}", requested=money(r), reserved=money(now))
                for i, (r, now) in enumerate(wanted)]
    cap_money = None if cap is None else money(cap)
    grants = redistribute(available=money(available), requests=requests, cap=cap_money)
    rooms = {
        r.key: min(r.requested, max(cap_money - r.reserved, Decimal(0))) if cap_money is not None else r.requested
        for r in requests
    }
    total = sum(grants.values(), Decimal(0))
    assert total == min(money(available), sum(rooms.values(), Decimal(0)))  # all of it, or all that was asked
    for key, granted in grants.items():
        assert granted == granted.quantize(Decimal("0.01"))
        assert 0 <= granted <= rooms[key]
        if cap_money is not None:
            assert granted == 0 or next(r for r in requests if r.key == key).reserved + granted <= cap_money
    # Deterministic: the same input gives the same outcome.
    assert redistribute(available=money(available), requests=requests, cap=cap_money) == grants


@settings(max_examples=300, deadline=None)
@given(approved=CENTS, eligible=CENTS, granted=CENTS)
def test_r51_lowering_target_is_the_approved_subsidy_times_the_factor_half_up(approved, eligible, granted):
    target = lowering_target(approved_amount=money(approved), granted_amount=money(granted),
                             eligible_amount=money(eligible))
    if eligible > 0 and granted < eligible:
        exact = Decimal(approved) * Decimal(granted) / Decimal(eligible) / 100
        assert abs(target - exact) <= Decimal("0.005")
        assert target <= money(approved)
    else:
        assert target == money(approved)
