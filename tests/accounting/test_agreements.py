"""The project agreement (R45) and the lapse of grants without an approved one (R46)."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounting import agreements
from accounting import services as account_services
from accounting.models import AgreementDocument, AgreementEvent, AgreementStatus, ProjectAgreement
from applications.constants import ApplicationStatus, DecisionKind
from applications.decisions.amounts import application_amounts
from applications.decisions.checks import ledger_violations
from applications.decisions.rendering import letter_html
from applications.models import ApplicationTransition, Decision, Letter
from budgets import reference_services
from budgets import selectors as budget_selectors
from sectorplan.api.errors import DomainError, StateConflict
from sectorplan.records import PermanentRecordError
from tests.accounting.factories import booked_release, granted_application
from tests.applications.factories import MembershipFactory
from tests.budgets.factories import PeriodFactory
from tests.support.otp import login_verified

PDF = b"%PDF-1.4\n% a tiny test document\n%%EOF\n"
PAST_DEADLINE = date(2026, 6, 1)
FUTURE_DEADLINE = date(2099, 6, 1)


def pdf(name="doc.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def period(db):
    return PeriodFactory(deadlines={"agreement": PAST_DEADLINE})


@pytest.fixture
def app(period):
    return granted_application(period=period)


@pytest.fixture
def member(app):
    return MembershipFactory(employer=app.employer).user


def upload(client, app, *, signed=None, kvk=None, kvk_date=None):
    kvk_date = kvk_date or timezone.localdate() - timedelta(days=10)
    return client.post(
        f"/api/v2/applications/{app.pk}/agreement/documents",
        {"signedAgreement": signed or pdf("signed.pdf"), "kvkExtract": kvk or pdf("kvk.pdf"),
         "kvkExtractDate": kvk_date.isoformat()},
        format="multipart",
    )


# --- R45: the agreement -----------------------------------------------------------------------------------------


def test_agreement_is_open_with_the_periods_agreement_deadline_as_due_date_R45(client_for, app, member):
    response = client_for(member).get(f"/api/v2/applications/{app.pk}/agreement")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "open"
    assert body["dueDate"] == PAST_DEADLINE.isoformat()
    assert body["documents"] == []
    assert not ProjectAgreement.objects.exists()  # a read writes nothing


def test_upload_submits_the_agreement_with_sha256_and_versions_never_overwritten_R45(client_for, app, member):
    client = client_for(member)
    first = upload(client, app)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "submitted"
    second = upload(client, app, signed=pdf("signed2.pdf", PDF + b"v2"))
    assert second.status_code == 201, second.content
    docs = AgreementDocument.objects.filter(kind="signed_agreement").order_by("version")
    assert [d.version for d in docs] == [1, 2]
    assert docs[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert docs[1].sha256 == hashlib.sha256(PDF + b"v2").hexdigest()
    assert docs[0].file.read() == PDF  # version 1 is still there, unchanged
    assert AgreementDocument.objects.get(kind="kvk_extract", version=1).issue_date is not None
    with pytest.raises(PermanentRecordError):
        docs[0].delete()
    with pytest.raises(PermanentRecordError):
        AgreementDocument.objects.all().delete()
    with pytest.raises(PermanentRecordError):
        ProjectAgreement.objects.get().delete()
    assert AgreementEvent.objects.filter(to_status="submitted").count() == 2


def test_a_file_that_is_not_a_pdf_by_content_is_refused_whatever_its_name_R45(client_for, app, member):
    response = upload(client_for(member), app, kvk=pdf("kvk.pdf", b"GIF89a not a pdf"))
    assert response.status_code == 400
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert names == {"kvkExtract"}
    assert not AgreementDocument.objects.exists()


def test_a_file_over_10_mb_is_413_R45(client_for, app, member):
    big = PDF + b"0" * (agreements.MAX_DOCUMENT_BYTES - len(PDF) + 1)
    response = upload(client_for(member), app, signed=pdf("big.pdf", big))
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/problem+json")
    assert not AgreementDocument.objects.exists()


def test_kvk_extract_at_most_six_months_old_and_not_in_the_future_R45():
    today = date(2026, 8, 31)
    agreements.check_kvk_date(date(2026, 2, 28), today=today)  # six months back (31 Feb -> 28 Feb)
    agreements.check_kvk_date(today, today=today)
    with pytest.raises(DomainError) as old:
        agreements.check_kvk_date(date(2026, 2, 27), today=today)
    assert old.value.errors[0]["code"] == "too_old"
    with pytest.raises(DomainError) as future:
        agreements.check_kvk_date(today + timedelta(days=1), today=today)
    assert future.value.errors[0]["code"] == "future"


def test_kvk_extract_too_old_through_the_api_is_400_naming_the_date_R45(client_for, app, member):
    response = upload(client_for(member), app, kvk_date=timezone.localdate() - timedelta(days=200))
    assert response.status_code == 400
    assert [p["name"] for p in response.json()["invalidParams"]] == ["kvkExtractDate"]


def test_another_employers_agreement_is_404_and_the_office_may_not_upload_R45(client_for, app, reviewer):
    outsider = client_for(MembershipFactory().user)
    for path in ("agreement", "agreement/pdf"):
        assert outsider.get(f"/api/v2/applications/{app.pk}/{path}").status_code == 404
    assert upload(outsider, app).status_code == 404
    assert outsider.post(f"/api/v2/applications/{app.pk}/agreement/review", {"approved": True},
                         format="json").status_code == 404
    assert upload(client_for(reviewer), app).status_code == 403


def test_review_rejects_with_reason_the_employer_uploads_again_and_is_approved_R45(
    client_for, app, member, reviewer, decider
):
    upload(client_for(member), app)
    path = f"/api/v2/applications/{app.pk}/agreement/review"
    assert client_for(decider).post(path, {"approved": True}, format="json").status_code == 403
    assert client_for(member).post(path, {"approved": True}, format="json").status_code == 403
    no_reason = client_for(reviewer).post(path, {"approved": False}, format="json")
    assert no_reason.status_code == 400
    rejected = client_for(reviewer).post(path, {"approved": False, "reason": "Niet ondertekend."}, format="json")
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "Niet ondertekend."
    assert client_for(reviewer).post(path, {"approved": True}, format="json").status_code == 409  # not submitted
    assert upload(client_for(member), app).status_code == 201
    approved = client_for(reviewer).post(path, {"approved": True}, format="json")
    assert approved.json()["status"] == "approved"
    assert upload(client_for(member), app).status_code == 409  # approved is final
    timeline = [(e["fromStatus"], e["toStatus"]) for e in approved.json()["timeline"]]
    assert timeline == [("open", "submitted"), ("submitted", "rejected"), ("rejected", "submitted"),
                        ("submitted", "approved")]


def test_agreement_pdf_states_parties_reservation_and_conditions_R45(client_for, period, member_and_held_app):
    app, member = member_and_held_app
    html = agreements.agreement_html(app)
    for text in (app.employer.name, app.employer.kvk_number, "Minister van Volksgezondheid", "€ 1.000,00",
                 "€ 250,00", "1 juni 2026", "Algemene voorwaarden", "Persoonsgegevens", "terugvorderen",
                 "Controle en verantwoording", app.reference):
        assert text in html, text
    response = client_for(member).get(f"/api/v2/applications/{app.pk}/agreement/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


@pytest.fixture
def member_and_held_app(period):
    app = granted_application(period=period, granted=Decimal("1000.00"), held=Decimal("250.00"))
    return app, MembershipFactory(employer=app.employer).user


def test_no_agreement_before_a_grant_R45(client_for, period):
    app = granted_application(period=period)
    app.status = ApplicationStatus.ASSESSED
    app.save(update_fields=["status"])
    member = MembershipFactory(employer=app.employer).user
    assert client_for(member).get(f"/api/v2/applications/{app.pk}/agreement").status_code == 404


# --- R46: the lapse ---------------------------------------------------------------------------------------------


def approve(app, member, reviewer):
    agreements.agreement_upload(application=app, by=member, signed_agreement=pdf(), kvk_extract=pdf(),
                                kvk_extract_date=timezone.localdate())
    agreements.agreement_review(application=app, approved=True, reason="", by=reviewer)


def test_lapse_before_the_agreement_deadline_is_409_R46(client_for, decider, db):
    period = PeriodFactory(deadlines={"agreement": FUTURE_DEADLINE})
    app = granted_application(period=period)
    response = client_for(decider).post(f"/api/v2/periods/{period.number}/lapses")
    assert response.status_code == 409
    assert response.json()["code"] == "deadline_not_passed"
    with pytest.raises(StateConflict):  # on the deadline day itself it is not yet "after"
        agreements.lapse_run(period=period, by=decider, today=FUTURE_DEADLINE)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.GRANTED


def test_lapse_returns_every_grant_without_an_approved_agreement_to_available_R46(
    client_for, period, decider, reviewer
):
    approved = granted_application(period=period, granted=Decimal("3000.00"))
    lapsing = granted_application(period=period, granted=Decimal("4000.00"), held=Decimal("1000.00"))
    released = granted_application(period=period, granted=Decimal("2000.00"), held=Decimal("500.00"))
    booked_release(released, released=Decimal("500.00"))
    submitted_only = granted_application(period=period, granted=Decimal("1000.00"))
    member = MembershipFactory(employer=approved.employer).user
    approve(approved, member, reviewer)
    agreements.agreement_upload(application=submitted_only, by=MembershipFactory(employer=submitted_only.employer).user,
                                signed_agreement=pdf(), kvk_extract=pdf(), kvk_extract_date=timezone.localdate())
    before = budget_selectors.line_balances(period=period)

    assert client_for(reviewer).post(f"/api/v2/periods/{period.number}/lapses").status_code == 403
    response = client_for(decider).post(f"/api/v2/periods/{period.number}/lapses")
    assert response.status_code == 200, response.content
    assert response.json() == {"lapsed": 3}

    for app in (lapsing, released, submitted_only):
        app.refresh_from_db()
        assert app.status == ApplicationStatus.LAPSED
        assert application_amounts(app)["reserved"] == 0
        decision = Decision.objects.get(application=app, kind=DecisionKind.LAPSE)
        assert Letter.objects.filter(decision=decision, version=1).exists()
        assert ApplicationTransition.objects.filter(application=app, to_status="lapsed").exclude(reason="").exists()
    approved.refresh_from_db()
    assert approved.status == ApplicationStatus.GRANTED
    assert application_amounts(approved)["reserved"] == Decimal("3000.00")
    lapse = Decision.objects.get(application=released, kind=DecisionKind.LAPSE)
    assert (lapse.granted_amount, lapse.held_amount, lapse.released_amount) == (
        Decimal("2000.00"), Decimal("0.00"), Decimal("500.00"))
    after = budget_selectors.line_balances(period=period)
    freed = sum(b["available"] for b in after.values()) - sum(b["available"] for b in before.values())
    assert freed == Decimal("7000.00")  # 4000 + 2000 + 1000: the whole reservations
    assert ledger_violations() == []
    # Twice: nothing left to lapse; a lapsed application's agreement cannot be reviewed any more.
    assert client_for(decider).post(f"/api/v2/periods/{period.number}/lapses").json() == {"lapsed": 0}
    with pytest.raises(StateConflict):
        agreements.agreement_review(application=submitted_only, approved=True, reason="", by=reviewer)


def test_lapse_letter_states_the_reservation_and_the_objection_clause_R46(period, decider):
    app = granted_application(period=period, granted=Decimal("4000.00"), held=Decimal("1000.00"))
    [decision] = agreements.lapse_run(period=period, by=decider)
    html = letter_html(letter=Letter.objects.get(decision=decision))
    for text in ("vervalt", "€ 4.000,00", "€ 1.000,00", "1 juni 2026", "Bezwaar maken", "4:48", app.reference):
        assert text in html, text


@pytest.mark.parametrize(
    ("granted", "held", "released"),
    [("100.00", "0.00", "0.00"), ("100.00", "25.00", "0.00"), ("100.00", "25.00", "25.00"),
     ("99999.99", "25000.00", "12500.00"), ("0.03", "0.01", "0.01")],
)
def test_lapse_leaves_the_ledger_coherent_for_any_split_R46(period, decider, granted, held, released):
    """Property: whatever the split of a reservation over unconditional, held and released, a lapse returns all
    of it to available, the period's states still add up to the ceiling and check_ledger stays clean."""
    granted, held, released = Decimal(granted), Decimal(held), Decimal(released)
    app = granted_application(period=period, granted=granted, held=held)
    if released:
        booked_release(app, released=released)
    ceiling_total = sum(b["ceiling"] for b in budget_selectors.line_balances(period=period).values())
    agreements.lapse_run(period=period, by=decider)
    balances = budget_selectors.line_balances(period=period)
    assert sum(b["available"] for b in balances.values()) == ceiling_total
    assert all(b["unconditional"] == b["held"] == b["released"] == 0 for b in balances.values())
    assert application_amounts(app) | {"earmark": None} == application_amounts(app) | {
        "earmark": None, "unconditional": 0, "held": 0, "released": 0, "reserved": 0}
    assert ledger_violations() == []


def test_agreement_status_values_match_api_md_R45():
    assert set(AgreementStatus.values) == {"open", "submitted", "approved", "rejected"}


def test_budget_table_counts_a_lapsed_grant_as_no_longer_granted_R46_R35(period, decider):
    granted_application(period=period, granted=Decimal("4000.00"), held=Decimal("1000.00"))
    before = {r["earmark"]: r for r in budget_selectors.budget_table(periods=[period.number])}
    agreements.lapse_run(period=period, by=decider)
    after = {r["earmark"]: r for r in budget_selectors.budget_table(periods=[period.number])}
    assert sum(r["granted"] for r in before.values()) == Decimal("4000.00")
    assert sum(r["granted"] for r in after.values()) == 0
    assert all(r["available"] == r["ceiling"] for r in after.values())


def test_admin_shows_agreements_read_only_R39(client, staff_user, period, reviewer):
    app = granted_application(period=period)
    member = MembershipFactory(employer=app.employer).user
    agreements.agreement_upload(application=app, by=member, signed_agreement=pdf(), kvk_extract=pdf(),
                                kvk_extract_date=timezone.localdate())
    agreement = ProjectAgreement.objects.get()
    login_verified(client, staff_user)
    assert client.get(f"/admin/accounting/projectagreement/{agreement.pk}/change/").status_code == 200
    assert client.post(f"/admin/accounting/projectagreement/{agreement.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ProjectAgreement.objects.filter(pk=agreement.pk).exists()


def test_lapse_spares_an_employer_whose_own_agreement_deadline_was_extended_R46_R53(period, decider):
    extended = granted_application(period=period, granted=Decimal("3000.00"))
    lapsing = granted_application(period=period, granted=Decimal("2000.00"))
    reference_services.deadline_extend(
        period=period, kind="agreement", date=timezone.localdate() + timedelta(days=30),
        reason="Ondertekening vertraagd door bestuurswisseling.", employer=extended.employer, by=decider,
    )
    decisions = agreements.lapse_run(period=period, by=decider)
    assert [d.application_id for d in decisions] == [lapsing.pk]
    extended.refresh_from_db()
    assert extended.status == ApplicationStatus.GRANTED and application_amounts(extended)["reserved"] == Decimal("3000.00")
    assert ledger_violations() == []


def test_no_agreement_reminder_once_the_agreement_is_approved_R32_R45(reviewer):
    deadline = timezone.localdate() + timedelta(days=7)
    period = PeriodFactory(deadlines={"agreement": deadline})
    done, pending = granted_application(period=period), granted_application(period=period)
    approve(done, MembershipFactory(employer=done.employer).user, reviewer)
    due = {(a.pk, kind) for a, kind, _day, _reminder in account_services.reminders_due(today=timezone.localdate())}
    assert (pending.pk, "agreement") in due
    assert (done.pk, "agreement") not in due


def test_budget_table_reports_the_lapsed_reservation_as_a_flow_R35_R46(client_for, ministry_user, period, decider):
    granted_application(period=period, granted=Decimal("4000.00"), held=Decimal("1000.00"))
    agreements.lapse_run(period=period, by=decider)
    rows = client_for(ministry_user).get("/api/v2/statistics/budgets", {"period": period.number}).json()["rows"]
    assert sum(Decimal(r["lapsed"]) for r in rows) == Decimal("4000.00")
    assert all(Decimal(r["unconditional"]) == 0 for r in rows)
