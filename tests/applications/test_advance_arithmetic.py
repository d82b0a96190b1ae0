"""R48: the arithmetic of an advance run (budgets/advances.py), property-based: exact to the cent, never above the
advance share of the unconditional reservation, a second run with the same input pays nothing."""

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from budgets.advances import AdvanceInput, advance_due, allocation_factor, half_up, totals_by

CENTS = st.integers(min_value=0, max_value=10**11).map(lambda c: Decimal(c) / 100)
PERCENT = st.integers(min_value=0, max_value=10000).map(lambda c: Decimal(c) / 100)


@st.composite
def inputs(draw, paid=None):
    eligible = draw(CENTS)
    granted = draw(st.one_of(CENTS, st.just(eligible)))
    return AdvanceInput(
        approved=draw(CENTS), granted=granted, eligible=eligible, cap=draw(CENTS),
        paid=draw(CENTS) if paid is None else paid, percent=draw(PERCENT),
    )


def reference(item: AdvanceInput) -> Decimal:
    """The rule written the slow way, with Decimal at 80 digits: half-up once at the end."""
    with localcontext() as ctx:
        ctx.prec = 80
        factor = Decimal(1)
        if item.eligible > 0 and item.granted < item.eligible:
            factor = item.granted / item.eligible
        basis = min(item.approved * factor, item.cap)
        entitled = (item.percent * basis / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return max(entitled - item.paid, Decimal("0.00"))


@given(inputs())
def test_r48_due_is_exact_cents_never_negative_and_matches_the_rule(item):
    result = advance_due(item)
    assert result.due >= 0
    assert result.due == result.due.quantize(Decimal("0.01"))
    assert result.due == reference(item)


@given(inputs(paid=Decimal("0.00")))
def test_r48_never_above_the_advance_share_of_the_unconditional_reservation(item):
    result = advance_due(item)
    ceiling = half_up(Fraction(item.percent) / 100 * Fraction(item.cap))
    assert result.due <= ceiling
    assert result.basis <= Fraction(item.cap)


@given(inputs(paid=Decimal("0.00")))
def test_r48_second_run_on_the_same_input_pays_nothing(item):
    first = advance_due(item)
    second = advance_due(AdvanceInput(**{**item.__dict__, "paid": item.paid + first.due}))
    assert second.due == 0
    assert item.paid + first.due == first.entitled


@given(inputs(paid=Decimal("0.00")), CENTS)
def test_r48_a_second_run_pays_only_what_became_due_since(item, more):
    first = advance_due(item)
    later = AdvanceInput(**{**item.__dict__, "approved": item.approved + more, "paid": first.due})
    second = advance_due(later)
    assert second.due >= 0
    assert first.due + second.due == advance_due(AdvanceInput(**{**later.__dict__, "paid": Decimal("0.00")})).entitled


@given(CENTS, CENTS)
def test_r48_allocation_factor_is_at_most_one(granted, eligible):
    factor = allocation_factor(granted=granted, eligible=eligible)
    assert 0 <= factor <= 1


@given(st.lists(st.tuples(st.sampled_from(["nursing_home", "other"]), CENTS), max_size=40))
def test_r48_run_totals_per_budget_line_add_up_to_the_cent(rows):
    rows = [{"line": line, "advance": amount} for line, amount in rows]
    totals = totals_by(rows, lambda r: r["line"])
    assert sum((t for t, _n in totals.values()), Decimal("0.00")) == sum((r["advance"] for r in rows), Decimal("0.00"))
    assert sum(n for _t, n in totals.values()) == len(rows)


def test_r48_worked_example_with_factor_cap_and_half_cent():
    # approved 10,000.00 × factor 2/3 = 6,666.666…; × 75% = 5,000.00 exactly; paid 1,000.00 → due 4,000.00
    item = AdvanceInput(approved=Decimal("10000.00"), granted=Decimal("20000.00"), eligible=Decimal("30000.00"),
                        cap=Decimal("20000.00"), paid=Decimal("1000.00"), percent=Decimal("75.00"))
    assert advance_due(item).due == Decimal("4000.00")
    # capped: the unconditional reservation (1,000.01) is less than approved × factor; 50% of 1,000.01 = 500.005 → 500.01
    capped = AdvanceInput(approved=Decimal("5000.00"), granted=Decimal("5000.00"), eligible=Decimal("5000.00"),
                          cap=Decimal("1000.01"), paid=Decimal("0.00"), percent=Decimal("50.00"))
    assert advance_due(capped).due == Decimal("500.01")
