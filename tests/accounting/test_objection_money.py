"""R33 with R19-R22, R25, R30: the money of upheld objections, cross-checked by check_ledger."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounting import services
from applications.constants import DecisionKind
from applications.decisions import services as decision_services
from applications.decisions.amounts import application_amounts
from budgets import selectors
from budgets.models import LedgerEntry
from sectorplan.api.errors import DomainError, StateConflict
from tests.accounting.factories import booked_advance, submitted_report
from tests.applications.factories import UserFactory
from tests.budgets.factories import RegionFactory
from tests.budgets.helpers import assert_ledger_ok, assessed, closed_period

pytestmark = pytest.mark.django_db


def confirm(period, reviewer, decider):
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    decision_services.allocation_confirm(allocation=allocation, by=decider)


def rule(decision, reviewer, decider, amount):
    objection = services.objection_record(decision=decision, received_on=decision.date, grounds="x", by=reviewer)
    return services.objection_rule(objection=objection, outcome="upheld", ruling="Gegrond", by=decider,
                                   granted_amount=Decimal(amount)).ruling_decision


def test_lowering_a_grant_decommits_to_available_and_reclaims_advance_R33_R20_R25(reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    app = assessed(period, "8000.00", reviewer=reviewer)
    confirm(period, reviewer, decider)
    booked_advance(app, amount=Decimal("6000.00"))  # a run (R48) paid 75% of 8000
    ruling = rule(app.decisions.get(kind=DecisionKind.GRANT), reviewer, decider, "6000.00")
    # At most 75% of 6000 = 4500 may stay paid: 1500 is reclaimed.
    entries = dict(LedgerEntry.objects.filter(decision=ruling).values_list("kind", "amount"))
    assert entries == {"decommitment": Decimal("2000.00"), "reclaim": Decimal("1500.00")}
    assert ruling.payment_amount == Decimal("-1500.00")
    line = selectors.line_balances(period=period)["pooled"]
    assert (line["unconditional"], line["available"]) == (Decimal("6000.00"), Decimal("4000.00"))
    assert_ledger_ok()


def test_raising_in_holdback_period_holds_back_without_positive_advice_and_pays_no_advance_R33_R22_R20(
    reviewer, decider
):
    period = closed_period(with_holdback=True, budget={"pooled": Decimal("100000.00")})
    app = assessed(period, "8000.00", reviewer=reviewer)
    confirm(period, reviewer, decider)
    ruling = rule(app.decisions.get(), reviewer, decider, "10000.00")
    entries = dict(LedgerEntry.objects.filter(decision=ruling).values_list("kind", "amount"))
    # 25% of the 2000 increase held; no advance: nothing was paid and a ruling pays none (R20 v2, R48).
    assert entries == {"commitment": Decimal("1500.00"), "hold": Decimal("500.00")}
    assert (ruling.held_amount, ruling.advance_amount, ruling.payment_amount) == (Decimal("2500.00"), 0, None)
    assert application_amounts(app)["advances_paid"] == 0
    assert_ledger_ok()


def test_raising_after_an_advance_run_tops_up_nothing_R33_R20_R48(reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("100000.00")})
    app = assessed(period, "8000.00", reviewer=reviewer)
    confirm(period, reviewer, decider)
    booked_advance(app, amount=Decimal("3000.00"))
    ruling = rule(app.decisions.get(kind=DecisionKind.GRANT), reviewer, decider, "10000.00")
    assert dict(LedgerEntry.objects.filter(decision=ruling).values_list("kind", "amount")) == {
        "commitment": Decimal("2000.00")}
    assert application_amounts(app)["advances_paid"] == Decimal("3000.00")
    assert_ledger_ok()


def test_lowering_without_any_advance_paid_reclaims_nothing_R33_R20(reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    app = assessed(period, "8000.00", reviewer=reviewer)
    confirm(period, reviewer, decider)
    ruling = rule(app.decisions.get(), reviewer, decider, "6000.00")
    assert dict(LedgerEntry.objects.filter(decision=ruling).values_list("kind", "amount")) == {
        "decommitment": Decimal("2000.00")}
    assert ruling.payment_amount is None
    assert_ledger_ok()


def test_granting_a_rejected_application_is_ceiling_checked_R33_R19(reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("5000.00")})
    assessed(period, "5000.00", reviewer=reviewer)
    zero = assessed(period, "0.00", reviewer=reviewer)
    confirm(period, reviewer, decider)
    rejection = zero.decisions.get(kind=DecisionKind.REJECTION)
    with pytest.raises(StateConflict) as err:
        rule(rejection, reviewer, decider, "100.00")
    assert err.value.errors[0]["code"] == "ceiling_exceeded"
    assert_ledger_ok()


def test_lowering_below_the_held_part_is_refused_R33(reviewer, decider):
    period = closed_period(with_holdback=True, budget={"pooled": Decimal("100000.00")})
    app = assessed(period, "8000.00", reviewer=reviewer)
    confirm(period, reviewer, decider)
    with pytest.raises(DomainError):
        rule(app.decisions.get(), reviewer, decider, "1000.00")


def test_settlement_after_lowered_grant_counts_reclaimed_advance_R30_R33(reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    app = assessed(period, "8000.00", reviewer=reviewer)
    confirm(period, reviewer, decider)
    booked_advance(app, amount=Decimal("6000.00"))  # a run (R48) paid 75% of 8000
    rule(app.decisions.get(kind=DecisionKind.GRANT), reviewer, decider, "6000.00")  # reclaims 1500
    app.refresh_from_db()
    submitted_report(app, reviewer)
    decision, result = services.application_settle(application=app, by=decider)
    # Nothing realised (no registrations): the net advance 4500 is reclaimed.
    assert result.payment_amount == Decimal("-4500.00")
    assert_ledger_ok()


@given(
    eligible=st.lists(st.integers(min_value=0, max_value=5_000_00), min_size=1, max_size=4),
    ceiling=st.integers(min_value=0, max_value=12_000_00),
    holdback=st.booleans(),
    advices=st.lists(st.sampled_from(["positive", "negative", "forfeit"]), max_size=3),
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_money_chain_keeps_every_euro_in_one_state_R25_R20_R22_R30(reviewer, decider, eligible, ceiling, holdback,
                                                                     advices):
    from django.db import transaction

    sid = transaction.savepoint()
    try:
        commission = UserFactory(roles=["commission"])
        region = RegionFactory()
        period = closed_period(with_holdback=holdback, pooled=True, budget={"pooled": Decimal(ceiling) / 100})
        apps = [assessed(period, Decimal(c) / 100, reviewer=reviewer, region=region) for c in eligible]
        confirm(period, reviewer, decider)
        if holdback:
            for i, advice in enumerate(advices):
                outcome = "positive" if advice == "positive" else "negative"
                decision_services.advice_record(region=region, period=period, outcome=outcome,
                                              date=date(2021, 1, 1 + i), reference=f"r{i}", by=commission)
                if advice == "forfeit" and selectors.held_by_application(period=period, region=region):
                    decision_services.holdback_forfeit(period=period, region=region, by=decider)
        for app in apps:
            app.refresh_from_db()
            if app.status == "granted":
                submitted_report(app, reviewer)
                if application_amounts(app)["held"] > 0:
                    # R30 v2: settlement waits while part of the reservation is still held back.
                    with pytest.raises(StateConflict) as err:
                        services.application_settle(application=app, by=decider)
                    assert err.value.errors[0]["code"] == "holdback_pending"
                else:
                    services.application_settle(application=app, by=decider)
        assert_ledger_ok()
        line = selectors.line_balances(period=period)["pooled"]
        parts = line["available"] + line["unconditional"] + line["held"] + line["released"] + line["forfeited"]
        assert parts == line["ceiling"] == Decimal(ceiling) / 100
        assert min(line["available"], line["unconditional"], line["held"], line["released"]) >= 0
    finally:
        transaction.savepoint_rollback(sid)
