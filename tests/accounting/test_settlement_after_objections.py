"""R30 v2 and R33: settlement waits for the holdback and for pending objections; after settlement only the
settlement can be objected to, and an upheld objection against it gives a new settlement decision (issue 10,
money defect (b): a ruling after settlement moved advance money no settlement covered)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from accounting import services
from applications.constants import ApplicationStatus, DecisionKind
from applications.decisions import services as decision_services
from applications.decisions.amounts import application_amounts
from budgets.models import LedgerEntry
from sectorplan.api.errors import DomainError, StateConflict
from tests.accounting.factories import booked_advance, submitted_report
from tests.applications.factories import UserFactory
from tests.budgets.factories import RegionFactory
from tests.budgets.helpers import assert_ledger_ok, assessed, closed_period

pytestmark = pytest.mark.django_db


def granted(reviewer, decider, *, eligible="8000.00", advance=None, **period_kwargs):
    """A grant through the services; ``advance``: what an advance run (R48) then paid."""
    period_kwargs.setdefault("pooled", True)
    period_kwargs.setdefault("budget", {"pooled": Decimal("100000.00")})
    region = RegionFactory()
    period = closed_period(**period_kwargs)
    app = assessed(period, eligible, reviewer=reviewer, region=region)
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    decision_services.allocation_confirm(allocation=allocation, by=decider)
    if advance is not None:
        booked_advance(app, amount=Decimal(advance))
    app.refresh_from_db()
    return period, region, app


def settled(reviewer, decider, **kwargs):
    period, region, app = granted(reviewer, decider, **kwargs)
    submitted_report(app, reviewer)
    decision, _result = services.application_settle(application=app, by=decider)
    app.refresh_from_db()
    return app, decision


def code_of(err):
    return err.value.errors[0]["code"]


def test_settlement_waits_while_part_is_held_back_R30(reviewer, decider):
    period, region, app = granted(reviewer, decider, with_holdback=True)
    assert application_amounts(app)["held"] == Decimal("2000.00")
    submitted_report(app, reviewer)
    # Messages are asserted in the source language; the Dutch catalogue translates them.
    with translation.override("en"), pytest.raises(StateConflict) as err:
        services.application_settle(application=app, by=decider)
    assert code_of(err) == "holdback_pending"
    assert err.value.errors[0]["field"] == "held_amount"
    assert "advice decides it first" in err.value.errors[0]["message"]
    assert not app.decisions.filter(kind=DecisionKind.SETTLEMENT).exists()
    # The region's advice decides: negative, then forfeit; now the application can be settled.
    commission = UserFactory(roles=["commission"])
    decision_services.advice_record(region=region, period=period, outcome="negative", date=date(2021, 1, 4),
                                    reference="neg", by=commission)
    decision_services.holdback_forfeit(period=period, region=region, by=decider)
    decision, _result = services.application_settle(application=app, by=decider)
    assert decision.kind == DecisionKind.SETTLEMENT
    assert_ledger_ok()


def test_settlement_waits_for_a_pending_objection_R30_R33(reviewer, decider):
    _period, _region, app = granted(reviewer, decider)
    grant = app.decisions.get(kind=DecisionKind.GRANT)
    objection = services.objection_record(decision=grant, received_on=grant.date, grounds="Te laag", by=reviewer)
    submitted_report(app, reviewer)
    with translation.override("en"), pytest.raises(StateConflict) as err:
        services.application_settle(application=app, by=decider)
    assert code_of(err) == "objection_pending"
    assert f"decision {grant.pk}" in err.value.errors[0]["message"]
    services.objection_hearing_record(objection=objection, by=reviewer, held_on=grant.date, attendees="Werkgever",
                                      summary="Toelichting op de gronden.")
    services.objection_rule(objection=objection, outcome="rejected", ruling="Ongegrond", by=decider)
    decision, _result = services.application_settle(application=app, by=decider)
    assert decision.kind == DecisionKind.SETTLEMENT


def test_objection_against_the_grant_after_settlement_is_refused_at_recording_R30_R33(reviewer, decider):
    app, settlement = settled(reviewer, decider)
    grant = app.decisions.get(kind=DecisionKind.GRANT)
    entries_before = LedgerEntry.objects.count()
    with translation.override("en"), pytest.raises(StateConflict) as err:
        services.objection_record(decision=grant, received_on=grant.date, grounds="Te laag", by=reviewer)
    assert code_of(err) == "settled"
    assert f"decision {settlement.pk}" in err.value.errors[0]["message"]
    assert not grant.objections.exists()
    assert LedgerEntry.objects.count() == entries_before
    assert_ledger_ok()


def test_upheld_objection_against_the_settlement_gives_a_new_settlement_R30_R33(reviewer, decider):
    # Grant 8000, a run paid 6000 in advances (R48); nothing realised: settled 0, reclaim 6000.
    app, first = settled(reviewer, decider, advance="6000.00")
    assert (first.settled_amount, first.payment_amount) == (Decimal("0.00"), Decimal("-6000.00"))
    objection = services.objection_record(decision=first, received_on=first.date, grounds="x", by=reviewer)
    second = services.objection_rule(objection=objection, outcome="upheld", ruling="Gegrond", by=decider,
                                     settled_amount=Decimal("5000.00")).ruling_decision
    assert (second.kind, second.supersedes_id) == (DecisionKind.SETTLEMENT, first.pk)
    # Received so far: 6000 advance - 6000 reclaimed = 0; the new settlement pays 5000.
    assert (second.settled_amount, second.payment_amount) == (Decimal("5000.00"), Decimal("5000.00"))
    assert dict(LedgerEntry.objects.filter(decision=second).values_list("kind", "amount")) == {
        "settlement": Decimal("5000.00")
    }
    assert second.letters.exists()
    assert application_amounts(app)["settled"] == Decimal("5000.00")
    assert_ledger_ok()

    # The new settlement can be objected to in turn; lowering it reverses 5000 and reclaims 1000.
    objection = services.objection_record(decision=second, received_on=second.date, grounds="y", by=reviewer)
    third = services.objection_rule(objection=objection, outcome="upheld", ruling="Gegrond", by=decider,
                                    settled_amount=Decimal("4000.00")).ruling_decision
    assert third.payment_amount == Decimal("-1000.00")
    assert dict(LedgerEntry.objects.filter(decision=third).values_list("kind", "amount")) == {
        "settlement_reversal": Decimal("5000.00"), "settlement": Decimal("4000.00"), "reclaim": Decimal("1000.00"),
    }
    amounts = application_amounts(app)
    assert (amounts["settled"], amounts["advances_paid"], amounts["reclaimed"]) == (
        Decimal("4000.00"), Decimal("6000.00"), Decimal("7000.00")
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SETTLED
    assert_ledger_ok()
    # The replaced settlement can no longer be objected to: only the one in force.
    with pytest.raises(StateConflict) as err:
        services.objection_record(decision=first, received_on=first.date, grounds="z", by=reviewer)
    assert code_of(err) == "settled"


def test_new_settlement_needs_an_amount_within_the_cap_R30_R33(reviewer, decider):
    app, first = settled(reviewer, decider)
    objection = services.objection_record(decision=first, received_on=first.date, grounds="x", by=reviewer)
    with pytest.raises(DomainError) as err:
        services.objection_rule(objection=objection, outcome="upheld", ruling="Gegrond", by=decider)
    assert code_of(err) == "required"
    with pytest.raises(DomainError) as err:
        services.objection_rule(objection=objection, outcome="upheld", ruling="Gegrond", by=decider,
                                settled_amount=Decimal("8000.01"))
    assert code_of(err) == "above_cap"
    with pytest.raises(DomainError) as err:
        services.objection_rule(objection=objection, outcome="upheld", ruling="Gegrond", by=decider,
                                granted_amount=Decimal("9000.00"))
    assert code_of(err) == "not_applicable"
    assert_ledger_ok()


def test_second_upheld_ruling_on_a_replaced_settlement_is_refused_R33(reviewer, decider):
    app, first = settled(reviewer, decider)
    one = services.objection_record(decision=first, received_on=first.date, grounds="x", by=reviewer)
    two = services.objection_record(decision=first, received_on=first.date, grounds="y", by=reviewer)
    services.objection_rule(objection=one, outcome="upheld", ruling="Gegrond", by=decider,
                            settled_amount=Decimal("1000.00"))
    with pytest.raises(StateConflict) as err:
        services.objection_rule(objection=two, outcome="upheld", ruling="Gegrond", by=decider,
                                settled_amount=Decimal("2000.00"))
    assert code_of(err) == "superseded"
    assert application_amounts(app)["settled"] == Decimal("1000.00")
    assert_ledger_ok()


def test_ruling_api_takes_the_settled_amount_R30_R33(client_for, reviewer, decider):
    app, first = settled(reviewer, decider)
    objection = services.objection_record(decision=first, received_on=first.date, grounds="x", by=reviewer)
    response = client_for(decider).post(
        f"/api/v2/objections/{objection.pk}/ruling",
        {"outcome": "upheld", "ruling": "Gegrond", "settledAmount": "2500.00"}, format="json",
    )
    assert response.status_code == 200, response.content
    new = app.decisions.get(supersedes=first)
    assert response.json()["rulingDecision"] == new.pk
    assert new.settled_amount == Decimal("2500.00")
    assert_ledger_ok()
