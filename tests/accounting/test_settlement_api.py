from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounting import services
from applications.constants import ApplicationStatus, DecisionKind, MembershipRole
from applications.models import Decision, Letter
from sectorplan.api.errors import DomainError
from tests.accounting.factories import booked_advance, booked_release, granted_application, submitted_report
from tests.applications.factories import MembershipFactory
from tests.budgets.factories import PeriodFactory
from tests.problems import problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    return PeriodFactory(accountability_deadline=timezone.localdate() + timedelta(days=60))


def report(app, rows):
    member = MembershipFactory(employer=app.employer, role=MembershipRole.ACCOUNTABILITY_OFFICER).user
    services.accountability_submit(application=app, rows=rows, by=member)
    return member


def settle_url(app):
    return f"/api/v2/applications/{app.pk}/settle"


def test_settlement_pays_the_rest_when_all_completed_R30(client_for, decider, period, django_capture_on_commit_callbacks):
    # 7000 granted; a run (R48) paid 75% of it.
    app = granted_application(period=period, registrations=[("A", None), ("C", Decimal("2000.00"))], advance_percent=Decimal("75"))
    c = app.registrations.get(activity_type="C")
    a = app.registrations.get(activity_type="A")
    report(app, [{"id": a.pk, "started": True, "outcome": "completed"},
                 {"id": c.pk, "started": True, "outcome": "completed", "actual_cost": "1800.00"}])
    response = client_for(decider).post(settle_url(app))
    assert response.status_code == 200, response.json()
    body = response.json()
    # Realised 5000 + 1800 = 6800; advance 75% of 7000 = 5250; payment 1550.
    assert (body["settledAmount"], body["advancesPaid"], body["paymentAmount"]) == ("6800.00", "5250.00", "1550.00")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SETTLED
    decision = Decision.objects.get(application=app, kind=DecisionKind.SETTLEMENT)
    assert (decision.settled_amount, decision.payment_amount) == (Decimal("6800.00"), Decimal("1550.00"))
    assert Letter.objects.filter(decision=decision).count() == 1
    assert app.transitions.filter(to_status=ApplicationStatus.SETTLED, actor=decider).exists()


def test_not_started_registrations_lead_to_a_reclaim_R30(decider, period):
    app = granted_application(period=period, registrations=[("A", None), ("B", None)], advance_percent=Decimal("75"))  # 10000, advance 7500
    a, b = app.registrations.order_by("pk")
    report(app, [{"id": a.pk, "started": True, "outcome": "dropped_out"}, {"id": b.pk, "started": False}])
    decision, result = services.application_settle(application=app, by=decider)
    assert result.settled_amount == Decimal("5000.00")
    assert result.payment_amount == Decimal("-2500.00")
    assert decision.payment_amount == Decimal("-2500.00")


def test_allocation_factor_scales_the_settlement_R30(decider, period):
    # Eligible 10000, granted 8000 (oversubscribed): factor 0.8.
    app = granted_application(period=period, registrations=[("A", None), ("B", None)], granted=Decimal("8000.00"),
                              advance_percent=Decimal("75"))
    report(app, [{"id": p.pk, "started": True, "outcome": "completed"} for p in app.registrations.order_by("pk")])
    _decision, result = services.application_settle(application=app, by=decider)
    assert result.settled_amount == Decimal("8000.00")
    assert result.advances_paid == Decimal("6000.00")
    assert result.payment_amount == Decimal("2000.00")


def test_held_back_part_is_not_paid_until_released_R30(decider, period):
    app = granted_application(period=period, registrations=[("A", None), ("B", None)], held=Decimal("2500.00"),
                              advance_percent=Decimal("75"))
    report(app, [{"id": p.pk, "started": True, "outcome": "completed"} for p in app.registrations.order_by("pk")])
    assert services.settlement_compute(application=app).settled_amount == Decimal("7500.00")
    booked_release(app, released=Decimal("2500.00"))
    booked_advance(app, amount=Decimal("1875.00"))  # a run paid 75% of the released part (R48)
    result = services.settlement_compute(application=app)
    assert (result.settled_amount, result.advances_paid, result.payment_amount) == (
        Decimal("10000.00"), Decimal("7500.00"), Decimal("2500.00"))


def test_rejected_registration_is_not_settled_R30_R49(decider, period):
    app = granted_application(period=period, registrations=[("A", None), ("B", None)])
    a, b = app.registrations.order_by("pk")
    b.status = "rejected"
    b.save()
    with pytest.raises(DomainError):  # R29: progress only on approved registrations
        report(app, [{"id": p.pk, "started": True, "outcome": "completed"} for p in (a, b)])
    report(app, [{"id": a.pk, "started": True, "outcome": "completed"}])
    assert services.settlement_compute(application=app).settled_amount == Decimal("5000.00")


def test_settling_before_progress_is_reported_is_a_conflict_R30_R29(client_for, decider, period):
    app = granted_application(period=period)
    response = client_for(decider).post(settle_url(app))
    assert response.status_code == 409
    assert problems(response)[0]["code"] == "progress_missing"


def test_settling_twice_is_a_conflict_R30(client_for, decider, period):
    app = granted_application(period=period)
    submitted_report(app, decider)
    app.registrations.update(started=True, outcome="completed")
    assert client_for(decider).post(settle_url(app)).status_code == 200
    assert client_for(decider).post(settle_url(app)).status_code == 409


def test_only_office_decider_settles_R30(client_for, reviewer, period):
    app = granted_application(period=period)
    member = MembershipFactory(employer=app.employer).user
    assert client_for(reviewer).post(settle_url(app)).status_code == 403
    assert client_for(member).post(settle_url(app)).status_code == 403


def test_settlement_posts_ledger_entries_R30(decider, period):
    from budgets.models import LedgerEntry

    app = granted_application(period=period, registrations=[("A", None), ("B", None)], advance_percent=Decimal("75"))
    a, b = app.registrations.order_by("pk")
    report(app, [{"id": a.pk, "started": True, "outcome": "completed"}, {"id": b.pk, "started": False}])
    decision, _result = services.application_settle(application=app, by=decider)
    kinds = dict(LedgerEntry.objects.filter(decision=decision).values_list("kind", "amount"))
    assert kinds == {"settlement": Decimal("5000.00"), "reclaim": Decimal("2500.00")}


def test_settlement_without_advances_pays_the_whole_settled_amount_R30_R20(decider, period):
    """R20 v2: the grant paid nothing; with no advance run yet, the settlement pays everything realised."""
    app = granted_application(period=period, registrations=[("A", None), ("B", None)])
    a, b = app.registrations.order_by("pk")
    report(app, [{"id": a.pk, "started": True, "outcome": "completed"}, {"id": b.pk, "started": False}])
    decision, result = services.application_settle(application=app, by=decider)
    assert (result.settled_amount, result.advances_paid, result.payment_amount) == (
        Decimal("5000.00"), Decimal("0.00"), Decimal("5000.00"))
    assert decision.payment_amount == Decimal("5000.00")
