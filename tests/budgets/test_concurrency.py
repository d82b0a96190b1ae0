"""R19 with real parallel PostgreSQL connections: each thread has its own connection and transaction."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, connections

from applications import selectors as app_selectors
from applications.decisions import services as decision_services
from applications.models import Decision
from budgets import ledger, selectors
from budgets.models import Allocation, LedgerEntry
from sectorplan.api.errors import StateConflict
from tests.applications.factories import UserFactory
from tests.budgets.factories import RegionFactory

from .helpers import assert_ledger_ok, assessed, closed_period

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_parallel(*functions):
    """Start all functions at the same moment, each in its own thread (and so its own connection)."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = ("ok", function())
        except Exception as exc:  # noqa: BLE001 - the test inspects what happened
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def people():
    return {
        "reviewer": UserFactory(username="r", roles=["office_reviewer"]),
        "decider1": UserFactory(username="d1", roles=["office_decider"]),
        "decider2": UserFactory(username="d2", roles=["office_decider"]),
        "commission": UserFactory(username="c", roles=["commission"]),
    }


def test_two_deciders_confirming_at_once_commit_once_R19(people):
    period = closed_period(budget={"other": Decimal("1000.00")})
    for _ in range(5):
        assessed(period, "400.00", reviewer=people["reviewer"])
    allocation = decision_services.allocation_propose(period=period, by=people["reviewer"])

    results = run_parallel(
        lambda: decision_services.allocation_confirm(allocation=allocation, by=people["decider1"]),
        lambda: decision_services.allocation_confirm(allocation=allocation, by=people["decider2"]),
    )
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["error", "ok"]
    assert isinstance([r[1] for r in results if r[0] == "error"][0], StateConflict)
    assert Decision.objects.filter(application__period=period).count() == 5
    [line] = app_selectors.budget_table(periods=[period.number])
    assert line["granted"] == Decimal("1000.00")
    assert_ledger_ok()


def test_two_proposals_confirmed_at_once_never_exceed_ceiling_R19(people):
    period = closed_period(budget={"other": Decimal("1000.00")})
    for _ in range(3):
        assessed(period, "600.00", reviewer=people["reviewer"])
    first = decision_services.allocation_propose(period=period, by=people["reviewer"])
    second = decision_services.allocation_propose(period=period, by=people["reviewer"])
    # revive the first proposal so that two valid proposals race
    Allocation.objects.filter(pk=first.pk).update(status="proposed")

    results = run_parallel(
        lambda: decision_services.allocation_confirm(allocation=first, by=people["decider1"]),
        lambda: decision_services.allocation_confirm(allocation=second, by=people["decider2"]),
    )
    assert sorted(r[0] for r in results) == ["error", "ok"]
    assert all(isinstance(r[1], (StateConflict, DatabaseError)) for r in results if r[0] == "error")
    assert Decision.objects.filter(application__period=period).count() == 3
    assert Allocation.objects.filter(period=period, status="confirmed").count() == 1
    [line] = app_selectors.budget_table(periods=[period.number])
    assert line["granted"] == Decimal("1000.00") <= line["ceiling"]
    assert_ledger_ok()


def test_confirmation_racing_a_release_holds_nothing_twice_R19_R23(people):
    period = closed_period(with_holdback=True, budget={"pooled": Decimal("10000.00")})
    region = RegionFactory()
    apps = [assessed(period, "1000.00", reviewer=people["reviewer"], region=region) for _ in range(4)]
    allocation = decision_services.allocation_propose(period=period, by=people["reviewer"])

    results = run_parallel(
        lambda: decision_services.allocation_confirm(allocation=allocation, by=people["decider1"]),
        lambda: decision_services.advice_record(
            region=region, period=period, outcome="positive", date=date(2021, 5, 1), reference="CWZ-1",
            by=people["commission"],
        ),
    )
    assert [r[0] for r in results] == ["ok", "ok"], results
    # whichever committed first, nothing stays held once the latest advice is positive, and nothing is released twice
    assert selectors.held_by_application(period=period, region=region) == {}
    for app in apps:
        assert Decision.objects.filter(application=app, kind="grant").count() == 1
        assert Decision.objects.filter(application=app, kind="holdback_release").count() <= 1
    total = LedgerEntry.objects.filter(period=period, kind__in=["commitment", "release"])
    assert sum(e.amount for e in total) == Decimal("4000.00")
    assert_ledger_ok()


def test_ledger_rows_cannot_be_updated_even_in_sql_R25(people):
    period = closed_period(budget={"other": Decimal("100.00")})
    ledger.ledger_post(period=period, earmark="other", kind="commitment", amount=Decimal("10.00"),
                         by=people["decider1"])
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("UPDATE budgets_ledgerentry SET amount = 0")
