"""Issue 15 item 6: the demo seed reaches every stage relative to today, through the services, with a clean
ledger (R25, check_ledger) and a letter for every decision (R26)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounting import services as accounting_services
from accounting.demo import ADVANCE_PERIOD, REVIEW_PERIOD, SETTLEMENT_PERIOD, seed_demo
from applications.constants import ApplicationStatus, RegistrationStatus
from applications.decisions import advances, lowering
from applications.decisions.checks import ledger_violations
from applications.models import Application, Decision, Letter, Registration
from budgets.constants import DeadlineKind
from budgets.models import CommissionAdvice, LedgerEntry, Period
from budgets.selectors import deadline_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        seed_demo()


def test_r25_check_ledger_is_clean_after_the_seed(seeded):
    assert ledger_violations() == []
    out = StringIO()
    call_command("check_ledger", stdout=out)
    assert "ledger OK" in out.getvalue()
    assert LedgerEntry.objects.filter(period__number__in=[REVIEW_PERIOD, ADVANCE_PERIOD, SETTLEMENT_PERIOD]).exists()


def test_r26_every_demo_decision_has_its_letter(seeded):
    decisions = Decision.objects.filter(application__period__number__in=[REVIEW_PERIOD, ADVANCE_PERIOD, SETTLEMENT_PERIOD])
    assert decisions.count() >= 12
    assert Letter.objects.filter(decision__in=decisions).count() == decisions.count()


def test_r49_review_period_has_submitted_repair_and_duplicate_registrations(seeded):
    period = Period.objects.get(number=REVIEW_PERIOD)
    regs = Registration.objects.filter(application__period=period)
    assert regs.filter(status=RegistrationStatus.SUBMITTED).count() >= 2
    assert regs.filter(status=RegistrationStatus.REPAIR_REQUESTED).count() == 1
    assert regs.filter(duplicate_of__isnull=False).count() == 1
    today = timezone.localdate()
    assert deadline_for(period=period, kind=DeadlineKind.REGISTRATION, employer=None) > today
    assert deadline_for(period=period, kind=DeadlineKind.AGREEMENT, employer=None) < today  # a lapse run can be tried


def test_r22_an_advice_is_pending_in_a_region_of_the_review_period(seeded):
    period = Period.objects.get(number=REVIEW_PERIOD)
    advised = set(CommissionAdvice.objects.filter(period=period).values_list("region_id", flat=True))
    held = LedgerEntry.objects.filter(period=period, kind="hold").exclude(application__region_id__in=advised)
    assert held.exists()


def test_r48_r51_advance_period_is_ready_for_a_run_and_a_lowering(seeded):
    period = Period.objects.get(number=ADVANCE_PERIOD)
    assert deadline_for(period=period, kind=DeadlineKind.REGISTRATION, employer=None) < timezone.localdate()
    assert all(row["approved"] > 0 for row in advances.advance_run_input(period))
    assert lowering.lowering_plan(period=period, today=timezone.localdate())  # something to lower
    assert Application.objects.filter(period=period, decisions__objections__status="received").count() == 1


def test_r30_settlement_period_is_ready_with_a_reclaim(seeded):
    period = Period.objects.get(number=SETTLEMENT_PERIOD)
    apps = list(Application.objects.filter(period=period, status=ApplicationStatus.GRANTED))
    assert len(apps) == 3
    assert all(accounting_services.settlement_blockers(application=a) == [] for a in apps)
    payments = [accounting_services.settlement_compute(application=a).payment_amount for a in apps]
    assert any(p < 0 for p in payments)  # a reclaim case
    assert Decision.objects.filter(application__period=period, kind="advance").count() == 3


def test_the_seed_is_idempotent(seeded):
    counts = (Application.objects.count(), Decision.objects.count(), LedgerEntry.objects.count())
    seed_demo()
    assert (Application.objects.count(), Decision.objects.count(), LedgerEntry.objects.count()) == counts
