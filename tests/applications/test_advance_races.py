"""R48 races with two real PostgreSQL connections: two confirmations of one run (one wins, the other 409), and a run
racing another money path of the same period (a holdback release), which serialise on the period row."""

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connections, transaction

from applications.constants import DecisionKind
from applications.decisions import advances, services
from applications.decisions.checks import ledger_violations
from applications.models import AdvanceRun, Decision, PaymentBatch
from budgets.models import LedgerEntry
from sectorplan.api.errors import StateConflict
from tests.accounting.factories import granted_application
from tests.applications.factories import UserFactory
from tests.budgets.factories import PeriodFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HOLD_SECONDS = 1.0


def _run_threads(*targets):
    errors: list[BaseException] = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # noqa: BLE001 - reported by the caller
                errors.append(exc)
            finally:
                connections.close_all()
        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def test_r48_two_confirmations_of_one_run_one_wins_the_other_is_refused():
    period = PeriodFactory()
    for _ in range(3):
        granted_application(period=period, registrations=(("A", None),))
    proposer = UserFactory(username="proposer", roles=["office_reviewer"])
    deciders = [UserFactory(username=f"decider{i}", roles=["office_decider"]) for i in range(2)]
    run = advances.advance_run_propose(period=period, by=proposer)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def confirm_as(user):
        def go():
            start.wait(timeout=30)
            try:
                advances.advance_run_confirm(run=AdvanceRun.objects.get(pk=run.pk), by=user)
                outcomes.append("ok")
            except StateConflict as exc:
                outcomes.append(exc.errors[0]["code"])
        return go

    errors = _run_threads(confirm_as(deciders[0]), confirm_as(deciders[1]))
    assert not errors, errors
    assert sorted(outcomes) == ["already_confirmed", "ok"]
    assert PaymentBatch.objects.count() == 1
    assert Decision.objects.filter(kind=DecisionKind.ADVANCE).count() == 3
    assert LedgerEntry.objects.filter(kind="advance").count() == 3
    assert ledger_violations() == []


def _holdback_period_with_held_grant():
    period = PeriodFactory(with_holdback=True, advance_percent=Decimal("80.00"))
    app = granted_application(period=period, registrations=(("A", None), ("A", None)), held=Decimal("2500.00"))
    return period, app


def test_r48_a_run_confirmed_while_a_release_holds_the_period_waits_and_is_then_stale():
    """The release (another money path of the period) commits first; the confirmation waited on the period row
    and then finds the ledger moved: 409 stale, nothing written. A new proposal pays on the released money."""
    period, app = _holdback_period_with_held_grant()
    proposer = UserFactory(username="proposer", roles=["office_reviewer"])
    decider = UserFactory(username="decider", roles=["office_decider"])
    commission = UserFactory(username="commissie", roles=["commission"])
    run = advances.advance_run_propose(period=period, by=proposer)
    assert run.total == Decimal("6000.00")  # 80% of the unconditional 7.500
    release_holds_lock = threading.Event()
    outcome: dict = {}

    def release():
        with transaction.atomic():
            services.advice_record(region=app.region, period=period, outcome="positive", date=date(2026, 1, 5),
                                   reference="rapport", by=commission)
            release_holds_lock.set()
            time.sleep(HOLD_SECONDS)

    def confirm():
        assert release_holds_lock.wait(timeout=30)
        started = time.monotonic()
        try:
            advances.advance_run_confirm(run=run, by=decider)
            outcome["result"] = "ok"
        except StateConflict as exc:
            outcome["result"] = exc.errors[0]["code"]
        outcome["waited"] = time.monotonic() - started

    errors = _run_threads(release, confirm)
    assert not errors, errors
    assert outcome["result"] == "stale"
    assert outcome["waited"] >= HOLD_SECONDS * 0.8  # it waited for the period row
    assert not LedgerEntry.objects.filter(kind="advance").exists()
    again = advances.advance_run_propose(period=period, by=proposer)
    assert again.total == Decimal("8000.00")  # released money is unconditional: 80% of 10.000
    advances.advance_run_confirm(run=again, by=decider)
    assert ledger_violations() == []


def test_r48_a_release_after_a_confirmed_run_books_on_top_and_the_ledger_stays_clean():
    period, app = _holdback_period_with_held_grant()
    proposer = UserFactory(username="proposer", roles=["office_reviewer"])
    decider = UserFactory(username="decider", roles=["office_decider"])
    commission = UserFactory(username="commissie", roles=["commission"])
    run = advances.advance_run_propose(period=period, by=proposer)
    confirm_holds_lock = threading.Event()
    outcome: dict = {}

    def confirm():
        with transaction.atomic():
            advances.advance_run_confirm(run=run, by=decider)
            confirm_holds_lock.set()
            time.sleep(HOLD_SECONDS)

    def release():
        assert confirm_holds_lock.wait(timeout=30)
        started = time.monotonic()
        services.advice_record(region=app.region, period=period, outcome="positive", date=date(2026, 1, 5),
                               reference="rapport", by=commission)
        outcome["waited"] = time.monotonic() - started

    errors = _run_threads(confirm, release)
    assert not errors, errors
    assert outcome["waited"] >= HOLD_SECONDS * 0.8
    assert sum(LedgerEntry.objects.filter(kind="advance").values_list("amount", flat=True)) == Decimal("6000.00")
    assert LedgerEntry.objects.filter(kind="release").exists()
    second = advances.advance_run_propose(period=period, by=proposer)
    assert second.total == Decimal("2000.00")  # only what became due since: 8.000 − 6.000
    assert ledger_violations() == []
