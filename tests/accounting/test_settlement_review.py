"""R30/R33 review regressions: the settlement factor is exact, and the grant in force is a grant."""

from decimal import Decimal

import pytest
from django.utils import translation

from accounting import services
from accounting.settlement import settle
from applications.constants import DecisionKind
from applications.decisions import services as decision_services
from applications.decisions.amounts import grant_in_force
from sectorplan.api.errors import StateConflict
from tests.accounting.test_settlement_arithmetic import COST, p
from tests.budgets.factories import RegionFactory
from tests.budgets.helpers import assert_ledger_ok, assessed, closed_period


def test_settlement_factor_rounds_an_exact_half_cent_up_R30():
    # 13,975.12 × 19,052.87 / 27,950.24 = 9,526.435 exactly: half-up gives 9,526.44. Multiplying by the
    # factor already cut to 28 digits gave 9,526.4349… and so 9,526.43.
    registrations = [p(), p(), p(COST, cost=Decimal("2000.00")), p(COST, cost=Decimal("1975.12"))]
    result = settle(
        registrations=registrations,
        eligible_amount=Decimal("27950.24"), granted_amount=Decimal("19052.87"),
        unconditional_amount=Decimal("19052.87"), released_amount=Decimal("0.00"), advances_paid=Decimal("0.00"),
    )
    assert result.realised == Decimal("13975.12")
    assert result.settled_amount == Decimal("9526.44")


def _confirm(period, reviewer, decider):
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    decision_services.allocation_confirm(allocation=allocation, by=decider)


def _uphold(decision, reviewer, decider, amount=None):
    objection = services.objection_record(decision=decision, received_on=decision.date, grounds="x", by=reviewer)
    return services.objection_rule(objection=objection, outcome="upheld", ruling="Gegrond", by=decider,
                                   granted_amount=None if amount is None else Decimal(amount)).ruling_decision


@pytest.mark.django_db
def test_upheld_objection_on_a_release_leaves_the_grant_in_force_for_settlement_R30_R33(
    reviewer, decider, commission_user
):
    region = RegionFactory()
    period = closed_period(with_holdback=True, budget={"pooled": Decimal("100000.00")})
    app = assessed(period, "8000.00", reviewer=reviewer, region=region)
    _confirm(period, reviewer, decider)
    grant = app.decisions.get(kind=DecisionKind.GRANT)
    decision_services.advice_record(region=region, period=period, outcome="positive", date=grant.date,
                                  reference="rapport", by=commission_user)
    release = app.decisions.get(kind=DecisionKind.HOLDBACK_RELEASE)
    _uphold(release, reviewer, decider)
    # The ruling on the release states no grant: the grant of 8000 (2000 held, now released) stays in force.
    assert grant_in_force(app) == grant
    result = services.settlement_compute(application=app)
    assert (result.factor, result.settled_amount) == (None, Decimal("0.00"))
    assert result.payment_amount == -(grant.advance_amount + release.advance_amount)
    assert_ledger_ok()


@pytest.mark.django_db
def test_second_upheld_ruling_on_an_already_replaced_grant_is_refused_R33_R25(reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    app = assessed(period, "8000.00", reviewer=reviewer)
    _confirm(period, reviewer, decider)
    grant = app.decisions.get(kind=DecisionKind.GRANT)
    _uphold(grant, reviewer, decider, "9000.00")
    # The message is asserted in the source language; the Dutch catalogue translates it.
    with translation.override("en"), pytest.raises(StateConflict) as err:
        _uphold(grant, reviewer, decider, "9000.00")
    assert err.value.errors[0] == {
        "field": "decision", "code": "superseded",
        "message": "This decision has already been replaced by an objection ruling; rule on the decision in force.",
    }
    assert grant_in_force(app).granted_amount == Decimal("9000.00")
    assert_ledger_ok()
