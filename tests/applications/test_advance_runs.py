"""R48: advance runs through the API and the services: proposal, four-eyes confirmation, ledger, decisions,
letters, the SEPA payment batch, blocked IBANs, stale proposals and a second run."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from applications import sepa
from applications.constants import DecisionKind, LetterStatus
from applications.decisions.checks import ledger_violations
from applications.models import AdvanceRun, Application, Decision, Employer, Letter, OfficeScope, PaymentBatch
from applications.system_checks import check_payment_debtor
from budgets.models import LedgerEntry
from tests.accounting.factories import booked_release, granted_application
from tests.applications.factories import MembershipFactory, RegistrationFactory, UserFactory
from tests.budgets.factories import EmployerOrganisationFactory, PeriodFactory

pytestmark = pytest.mark.django_db

A = ("A", None)  # one approved registration of activity A (a fixed € 5.000,00 in the factory's rates)


@pytest.fixture
def decider2(db):
    return UserFactory(username="decider2", roles=["office_decider"])


def propose(client, period):
    return client.post(f"/api/v2/periods/{period.number}/advance-runs")


def confirm(client, run_id):
    return client.post(f"/api/v2/advance-runs/{run_id}/confirm")


def line_of(body, app):
    return next(line for line in body["lines"] if line["application"] == app.pk)


def test_r48_proposal_pays_the_share_of_the_approved_subsidy_per_application(client_for, reviewer):
    period = PeriodFactory(advance_percent=Decimal("75.00"))
    app = granted_application(period=period, registrations=(A, A))  # approved 10.000, granted 10.000
    response = propose(client_for(reviewer), period)
    assert response.status_code == 201
    body = response.json()
    line = line_of(body, app)
    assert line["reference"] == app.reference
    assert line["approvedAmount"] == "10000.00"
    assert line["alreadyPaid"] == "0.00"
    assert line["advance"] == "7500.00"
    assert body["total"] == "7500.00"
    assert body["budgetLines"] == [{"budgetLine": "other", "total": "7500.00", "count": 1}]
    assert body["employers"][0]["total"] == "7500.00"
    assert LedgerEntry.objects.filter(kind="advance").count() == 0  # a proposal moves no money


def test_r48_only_approved_registrations_count(client_for, reviewer):
    period = PeriodFactory(advance_percent=Decimal("50.00"))
    app = granted_application(period=period, registrations=(A, A))
    RegistrationFactory(application=app, activity_type="A", amount=Decimal("5000.00"), status="submitted",
                        surname="Wacht")
    line = line_of(propose(client_for(reviewer), period).json(), app)
    assert line["approvedAmount"] == "10000.00"
    assert line["advance"] == "5000.00"


def test_r48_allocation_factor_applies_when_oversubscribed(client_for, reviewer):
    period = PeriodFactory(advance_percent=Decimal("75.00"))
    # eligible 15.000, granted 10.000: factor 2/3; approved 15.000 × 2/3 = 10.000 × 75% = 7.500
    app = granted_application(period=period, registrations=(A, A, A), granted=Decimal("10000.00"))
    assert line_of(propose(client_for(reviewer), period).json(), app)["advance"] == "7500.00"


def test_r48_capped_at_the_unconditional_reservation_held_part_excluded(client_for, reviewer):
    period = PeriodFactory(advance_percent=Decimal("80.00"))
    app = granted_application(period=period, registrations=(A, A), held=Decimal("2500.00"))
    # approved 10.000 × factor 1, capped at unconditional 7.500 → 80% = 6.000
    line = line_of(propose(client_for(reviewer), period).json(), app)
    assert line["cap"] == "7500.00"
    assert line["advance"] == "6000.00"
    booked_release(app, released=Decimal("2500.00"))  # R23: released money is unconditional again
    assert line_of(propose(client_for(reviewer), period).json(), app)["advance"] == "8000.00"


def test_r48_confirmation_writes_decisions_ledger_letters_and_a_sepa_batch_equal_to_the_ledger(
    client_for, reviewer, decider, django_capture_on_commit_callbacks
):
    period = PeriodFactory(advance_percent=Decimal("75.00"))
    apps = [granted_application(period=period, registrations=(A,) * n) for n in (1, 2, 3)]
    run_id = propose(client_for(reviewer), period).json()["id"]
    with django_capture_on_commit_callbacks(execute=False):
        response = confirm(client_for(decider), run_id)
    assert response.status_code == 200, response.content
    batch_out = response.json()["paymentBatch"]
    assert batch_out["total"] == "22500.00"
    assert batch_out["count"] == 3
    batch = PaymentBatch.objects.get(pk=batch_out["id"])
    ledger_total = sum(LedgerEntry.objects.filter(kind="advance").values_list("amount", flat=True))
    assert ledger_total == batch.total == Decimal("22500.00")
    decisions = Decision.objects.filter(kind=DecisionKind.ADVANCE).order_by("application_id")
    assert [d.advance_amount for d in decisions] == [Decimal("3750.00"), Decimal("7500.00"), Decimal("11250.00")]
    assert all(d.previous_advances == 0 for d in decisions)
    assert decisions[1].approved_amount == Decimal("10000.00")
    assert decisions[1].reasons.startswith("Voorschot van 75% op de subsidie")  # R27: in Dutch, how it was found
    assert "€ 7.500,00" in decisions[1].reasons
    assert Letter.objects.filter(decision__in=decisions, status=LetterStatus.PENDING).count() == 3
    with batch.file.open("rb") as fh:
        xml = fh.read()
    assert sepa.control_sum(xml) == (Decimal("22500.00"), 3)
    paid = {tx["end_to_end_id"]: (tx["iban"], tx["amount"]) for tx in sepa.transactions(xml)}
    for app in apps:
        assert paid[app.reference][0] == app.employer.iban
    assert ledger_violations() == []
    call_command("check_ledger")
    # R35: the budget table's advancesPaid comes from the ledger
    rows = client_for(reviewer).get(f"/api/v2/statistics/budgets?period={period.number}").json()["rows"]
    assert sum(Decimal(r["advancesPaid"]) for r in rows) == Decimal("22500.00")
    # The SEPA download: application/xml, the stored file
    download = client_for(reviewer).get(f"/api/v2/payment-batches/{batch.pk}/sepa")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/xml"
    assert download.content == xml


def test_r48_the_proposer_may_not_confirm_four_eyes(client_for, decider):
    period = PeriodFactory()
    granted_application(period=period, registrations=(A,))
    run_id = propose(client_for(decider), period).json()["id"]
    response = confirm(client_for(decider), run_id)
    assert response.status_code == 409
    assert response.json()["code"] == "four_eyes"
    assert not Decision.objects.filter(kind=DecisionKind.ADVANCE).exists()


def test_r48_a_reviewer_may_propose_but_not_confirm(client_for, reviewer, decider):
    period = PeriodFactory()
    granted_application(period=period, registrations=(A,))
    run_id = propose(client_for(decider), period).json()["id"]
    assert confirm(client_for(reviewer), run_id).status_code == 403


def test_r48_second_run_pays_only_what_became_due_since(client_for, reviewer, decider):
    period = PeriodFactory(advance_percent=Decimal("75.00"))
    app = granted_application(period=period, registrations=(A,), granted=Decimal("20000.00"))
    app.eligible_amount = Decimal("20000.00")
    app.save()
    first = propose(client_for(reviewer), period).json()
    assert confirm(client_for(decider), first["id"]).status_code == 200
    again = propose(client_for(reviewer), period).json()
    assert again["lines"] == [] and again["total"] == "0.00"  # nothing new: nothing due
    assert confirm(client_for(decider), again["id"]).json()["code"] == "nothing_due"
    RegistrationFactory(application=app, activity_type="A", amount=Decimal("5000.00"), status="approved", surname="Later")
    second = propose(client_for(reviewer), period).json()
    line = line_of(second, app)
    assert (line["alreadyPaid"], line["advance"]) == ("3750.00", "3750.00")
    assert confirm(client_for(decider), second["id"]).status_code == 200
    assert Decision.objects.filter(kind=DecisionKind.ADVANCE).latest("id").previous_advances == Decimal("3750.00")
    assert sum(LedgerEntry.objects.filter(kind="advance").values_list("amount", flat=True)) == Decimal("7500.00")
    assert ledger_violations() == []


def test_r48_an_invalid_iban_is_listed_as_blocked_and_not_paid(client_for, reviewer, decider):
    period = PeriodFactory(advance_percent=Decimal("50.00"))
    good = granted_application(period=period, registrations=(A,))
    bad = granted_application(period=period, registrations=(A,))
    Employer.objects.filter(pk=bad.employer_id).update(iban="NL00ABNA0000000001")  # wrong check digits
    body = propose(client_for(reviewer), period).json()
    blocked = line_of(body, bad)
    assert blocked["blocked"] is True and "IBAN" in blocked["blockedReason"]
    assert body["total"] == "2500.00" and body["blockedTotal"] == "2500.00" and body["blockedCount"] == 1
    out = confirm(client_for(decider), body["id"]).json()["paymentBatch"]
    assert (out["total"], out["count"]) == ("2500.00", 1)
    assert not Decision.objects.filter(application=bad, kind=DecisionKind.ADVANCE).exists()
    assert Decision.objects.filter(application=good, kind=DecisionKind.ADVANCE).exists()


def test_r48_a_proposal_is_stale_once_the_periods_money_moved(client_for, reviewer, decider):
    period = PeriodFactory()
    app = granted_application(period=period, registrations=(A, A), held=Decimal("2500.00"))
    run_id = propose(client_for(reviewer), period).json()["id"]
    booked_release(app, released=Decimal("2500.00"))
    response = confirm(client_for(decider), run_id)
    assert response.status_code == 409 and response.json()["code"] == "stale"
    assert not PaymentBatch.objects.exists()


def test_r48_a_proposal_is_stale_when_an_iban_changed(client_for, reviewer, decider):
    period = PeriodFactory()
    app = granted_application(period=period, registrations=(A,))
    run_id = propose(client_for(reviewer), period).json()["id"]
    Employer.objects.filter(pk=app.employer_id).update(iban="NL47ABNA0000000005")
    assert confirm(client_for(decider), run_id).json()["code"] == "stale"


def test_r48_confirmed_twice_and_discarded_proposals_are_refused(client_for, reviewer, decider, decider2):
    period = PeriodFactory()
    granted_application(period=period, registrations=(A,))
    old = propose(client_for(reviewer), period).json()["id"]
    new = propose(client_for(reviewer), period).json()["id"]
    assert confirm(client_for(decider), old).json()["code"] == "discarded"
    assert confirm(client_for(decider), new).status_code == 200
    assert confirm(client_for(decider2), new).json()["code"] == "already_confirmed"


def test_r48_who_may_see_runs_and_batches(client_for, reviewer, decider, ministry_user):
    period = PeriodFactory()
    app = granted_application(period=period, registrations=(A,))
    run_id = propose(client_for(reviewer), period).json()["id"]
    batch_id = confirm(client_for(decider), run_id).json()["paymentBatch"]["id"]
    member = UserFactory(username="member")
    MembershipFactory(user=member, employer=app.employer)
    scoped = UserFactory(username="scoped", roles=["office_decider"])
    OfficeScope.objects.create(user=scoped, employer_organisation=EmployerOrganisationFactory())
    for user in (ministry_user, member, scoped):
        assert client_for(user).get(f"/api/v2/payment-batches/{batch_id}/sepa").status_code == 403
        assert propose(client_for(user), period).status_code == 403
    assert client_for(reviewer).get(f"/api/v2/advance-runs/{run_id}").json()["status"] == "confirmed"
    assert client_for(reviewer).get("/api/v2/payment-batches/999999/sepa").status_code == 404
    assert client_for(reviewer).post("/api/v2/periods/9999/advance-runs").status_code == 404
    assert confirm(client_for(decider), 999999).status_code == 404


def test_r48_check_ledger_finds_a_batch_that_differs_from_the_ledger(client_for, reviewer, decider):
    period = PeriodFactory()
    granted_application(period=period, registrations=(A,))
    run_id = propose(client_for(reviewer), period).json()["id"]
    batch = PaymentBatch.objects.get(pk=confirm(client_for(decider), run_id).json()["paymentBatch"]["id"])
    with batch.file.open("wb") as fh:
        fh.write(b"<Document/>")
    found = ledger_violations()
    assert any("SHA-256" in p for p in found)
    assert any("unreadable" in p or "control sum" in p for p in found)


def test_r48_check_ledger_finds_an_advance_paid_outside_a_batch(decider):
    app = granted_application(period=PeriodFactory(), registrations=(A,))
    decision = Decision.objects.create(application=app, kind=DecisionKind.ADVANCE, date=app.period.application_opens,
                                       decided_by=decider, advance_amount=Decimal("10.00"))
    LedgerEntry.objects.create(period=app.period, earmark="other", application=app, decision=decision, kind="advance",
                               amount=Decimal("10.00"), actor=decider)
    assert any("outside a payment batch" in p for p in ledger_violations())


def test_r48_debtor_account_placeholders_are_refused_in_production(settings):
    settings.ENVIRONMENT = "production"
    errors = check_payment_debtor()
    assert {e.obj for e in errors} == {"PAYMENT_DEBTOR_NAME", "PAYMENT_DEBTOR_IBAN", "PAYMENT_DEBTOR_BIC"}
    assert all(e.id == "applications.E002" for e in errors)
    settings.PAYMENT_DEBTOR_NAME = "Dienst Uitvoering Subsidies"
    settings.PAYMENT_DEBTOR_IBAN = "NL02ABNA0123456789"
    settings.PAYMENT_DEBTOR_BIC = "ABNANL2A"
    assert check_payment_debtor() == []
    settings.PAYMENT_DEBTOR_IBAN = "NL03ABNA0123456789"  # wrong check digits
    assert [e.obj for e in check_payment_debtor()] == ["PAYMENT_DEBTOR_IBAN"]
    settings.ENVIRONMENT = "test"
    settings.PAYMENT_DEBTOR_IBAN = "NL91ABNA0417164300"
    assert check_payment_debtor() == []


def test_r48_grants_of_other_statuses_and_periods_get_nothing(client_for, reviewer):
    period = PeriodFactory()
    app = granted_application(period=period, registrations=(A,))
    granted_application(period=PeriodFactory(), registrations=(A,))
    Application.objects.filter(pk=app.pk).update(status="lapsed")
    body = propose(client_for(reviewer), period).json()
    assert body["lines"] == []
    assert AdvanceRun.objects.get(pk=body["id"]).total == 0
