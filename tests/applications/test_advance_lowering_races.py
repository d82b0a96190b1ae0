"""R48 with R51, two real PostgreSQL connections (issue 13 item 8): an advance run's confirmation racing a lowering's
confirmation on the same period. Both lock the period row first, so one waits for the other; the second then
either answers 409 ``stale`` (the run, whose period ledger moved) or computes on the state the first committed (the
lowering, whose plan the advances do not change, sees them booked). Never both on the old state."""

from datetime import date
from decimal import Decimal

import pytest

from applications.constants import DecisionKind
from applications.decisions import advances, lowering
from applications.decisions.amounts import application_amounts
from applications.decisions.checks import ledger_violations
from applications.decisions.rendering import decision_amounts
from applications.models import AdvanceRun, Decision, PaymentBatch
from budgets.models import LedgerEntry
from sectorplan.api.errors import StateConflict
from tests.accounting.factories import granted_application
from tests.applications.factories import UserFactory
from tests.applications.test_lowering_races import HOLD_SECONDS, race
from tests.budgets.factories import PeriodFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _period_with_run_and_lowering():
    """One application of 4 × € 5,000 granted in full, one registration rejected: the lowering takes it to
    € 15,000; an advance run (75%) and a lowering proposal are both open."""
    period = PeriodFactory(advance_percent=Decimal("75.00"), deadlines={"registration": date(2026, 6, 1)})
    app = granted_application(period=period, registrations=(("A", None),) * 4)
    app.registrations.filter(pk=app.registrations.first().pk).update(status="rejected")
    proposer = UserFactory(username="proposer", roles=["office_reviewer"])
    run = advances.advance_run_propose(period=period, by=proposer)
    assert run.lines.get().cap == Decimal("20000.00")
    lowering.lowering_propose(period=period, by=proposer)
    deciders = [UserFactory(username=f"decider{i}", roles=["office_decider"]) for i in range(2)]
    return period, app, run, proposer, deciders


def test_r48_r51_a_run_confirmed_while_a_lowering_holds_the_period_waits_and_is_stale():
    period, app, run, proposer, (first, second) = _period_with_run_and_lowering()
    outcomes, waited = race(
        lambda: lowering.lowering_confirm(period=period, by=first),
        lambda: advances.advance_run_confirm(run=AdvanceRun.objects.get(pk=run.pk), by=second),
    )
    assert not isinstance(outcomes["first"], BaseException), outcomes["first"]
    assert waited >= HOLD_SECONDS * 0.6, f"the run did not wait for the lowering ({waited:.2f} s)"
    assert isinstance(outcomes["second"], StateConflict), outcomes["second"]
    assert outcomes["second"].errors[0]["code"] == "stale"
    # Nothing of the run on the old state was written.
    assert not LedgerEntry.objects.filter(kind="advance").exists()
    assert not Decision.objects.filter(kind=DecisionKind.ADVANCE).exists() and not PaymentBatch.objects.exists()
    assert application_amounts(app)["reserved"] == Decimal("15000.00")
    # A new proposal computes on the lowered reservation.
    again = advances.advance_run_propose(period=period, by=proposer)
    assert again.lines.get().cap == Decimal("15000.00")
    advances.advance_run_confirm(run=again, by=second)
    assert ledger_violations() == []


def test_r48_r51_a_lowering_confirmed_while_a_run_holds_the_period_waits_and_sees_the_advances():
    period, app, run, _proposer, (first, second) = _period_with_run_and_lowering()
    outcomes, waited = race(
        lambda: advances.advance_run_confirm(run=AdvanceRun.objects.get(pk=run.pk), by=first),
        lambda: lowering.lowering_confirm(period=period, by=second),
    )
    assert not isinstance(outcomes["first"], BaseException), outcomes["first"]
    assert not isinstance(outcomes["second"], BaseException), outcomes["second"]
    assert waited >= HOLD_SECONDS * 0.6, f"the lowering did not wait for the run ({waited:.2f} s)"
    _proposal, [amendment] = outcomes["second"]
    # The lowering was computed after the run committed: its decision sees the advance booked before it.
    assert LedgerEntry.objects.get(kind="advance").amount == Decimal("11250.00")  # 75% of the approved 15,000
    amounts = decision_amounts(amendment)
    assert (amounts["previous_reserved"], amounts["reserved"]) == (Decimal("20000.00"), Decimal("15000.00"))
    assert amounts["advances_paid"] == Decimal("11250.00")
    assert application_amounts(app)["reserved"] == Decimal("15000.00")
    assert ledger_violations() == []
