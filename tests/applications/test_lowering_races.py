"""Races with real PostgreSQL connections (R19, R25, R51): a lowering confirmation and another money path of the
same period serialise on the period row, so the second sees what the first booked."""

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connections, transaction

from applications.decisions import lowering, services
from applications.decisions.amounts import application_amounts
from applications.decisions.checks import ledger_violations
from applications.models import Decision
from sectorplan.api.errors import StateConflict
from tests.accounting.factories import granted_application
from tests.applications.factories import UserFactory
from tests.budgets.factories import PeriodFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HOLD_SECONDS = 1.5


def race(first, second):
    """Run ``first`` in a transaction that stays open HOLD_SECONDS after it finished; ``second`` starts once
    ``first`` holds its locks. Returns (outcomes, seconds ``second`` took)."""
    holds = threading.Event()
    outcomes: dict[str, object] = {}
    timing: dict[str, float] = {}

    def one():
        try:
            with transaction.atomic():
                outcomes["first"] = first()
                holds.set()
                time.sleep(HOLD_SECONDS)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            outcomes["first"] = exc
            holds.set()
        finally:
            connections.close_all()

    def two():
        try:
            assert holds.wait(timeout=30)
            started = time.monotonic()
            try:
                outcomes["second"] = second()
            finally:
                timing["second"] = time.monotonic() - started
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            outcomes["second"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes, timing["second"]


def test_r51_r24_a_forfeit_racing_a_lowering_waits_and_forfeits_what_is_held_after_it():
    period = PeriodFactory(with_holdback=True, deadlines={"registration": date(2026, 6, 1)})
    app = granted_application(period=period, registrations=(("A", None),) * 4, held=Decimal("5000.00"))
    app.registrations.filter(pk=app.registrations.first().pk).update(status="rejected")
    proposer = UserFactory(username="proposer", roles=["office_reviewer"])
    decider = UserFactory(username="decider", roles=["office_decider"])
    commission = UserFactory(username="commission", roles=["commission"])
    lowering.lowering_propose(period=period, by=proposer)
    services.advice_record(region=app.region, period=period, outcome="negative", date=date(2026, 7, 1),
                           reference="CWZ-9", by=commission)

    outcomes, waited = race(
        lambda: lowering.lowering_confirm(period=period, by=decider),
        lambda: services.holdback_forfeit(period=period, region=app.region, by=decider),
    )
    assert not isinstance(outcomes["first"], BaseException), outcomes["first"]
    assert not isinstance(outcomes["second"], BaseException), outcomes["second"]
    assert waited >= HOLD_SECONDS * 0.6, f"the forfeit did not wait for the lowering ({waited:.2f} s)"
    [forfeit] = outcomes["second"]
    # 20,000 lowered to 15,000: held 3,750; the forfeit takes exactly that, not the 5,000 held before.
    assert forfeit.forfeited_amount == Decimal("3750.00")
    assert application_amounts(app)["held"] == Decimal("0.00")
    assert ledger_violations() == []


def test_r51_two_deciders_confirming_one_lowering_at_once_lower_once():
    period = PeriodFactory(deadlines={"registration": date(2026, 6, 1)})
    app = granted_application(period=period, registrations=(("A", None),) * 2)
    app.registrations.filter(pk=app.registrations.first().pk).update(status="rejected")
    proposer = UserFactory(username="proposer", roles=["office_reviewer"])
    first = UserFactory(username="decider1", roles=["office_decider"])
    second = UserFactory(username="decider2", roles=["office_decider"])
    lowering.lowering_propose(period=period, by=proposer)

    outcomes, _waited = race(
        lambda: lowering.lowering_confirm(period=period, by=first),
        lambda: lowering.lowering_confirm(period=period, by=second),
    )
    assert not isinstance(outcomes["first"], BaseException), outcomes["first"]
    assert isinstance(outcomes["second"], StateConflict)
    assert outcomes["second"].errors[0]["code"] == "no_proposal"
    assert Decision.objects.filter(application=app, kind="amendment").count() == 1
    assert application_amounts(app)["reserved"] == Decimal("5000.00")
    assert ledger_violations() == []
