"""Portal pages of the project agreement (R45) and the lapse (R46)."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounting import agreements
from accounting.models import AgreementDocument, AgreementStatus, ProjectAgreement
from applications.constants import ApplicationStatus, MembershipRole
from applications.models import ProcessingLogEntry
from tests.accounting.factories import granted_application
from tests.applications.factories import EmployerFactory, MembershipFactory
from tests.budgets.factories import PeriodFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def period():
    return PeriodFactory(deadlines={"agreement": date(2026, 6, 1)})


@pytest.fixture
def app(period):
    return granted_application(period=period)


def files(kvk_date=None):
    return {
        "signed_agreement": SimpleUploadedFile("s.pdf", PDF, content_type="application/pdf"),
        "kvk_extract": SimpleUploadedFile("k.pdf", PDF, content_type="application/pdf"),
        "kvk_extract_date": (kvk_date or timezone.localdate() - timedelta(days=3)).strftime("%d-%m-%Y"),
    }


def test_member_downloads_uploads_and_sees_the_status_on_the_agreement_page_R45(client, app):
    member = MembershipFactory(employer=app.employer, role=MembershipRole.ACCOUNTABILITY_OFFICER).user
    login_verified(client, member)
    detail = client.get(f"/aanvragen/{app.pk}/").content.decode()
    assert f"/account/overeenkomst/{app.pk}/" in detail
    page = client.get(f"/account/overeenkomst/{app.pk}/")
    assert page.status_code == 200
    assert 'name="employer"' in page.content.decode()  # the acting employer travels with the form (R2)
    pdf = client.get(f"/account/overeenkomst/{app.pk}/projectovereenkomst.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    response = client.post(f"/account/overeenkomst/{app.pk}/", {**files(), "employer": app.employer.pk})
    assert response.status_code == 302
    assert ProjectAgreement.objects.get(application=app).status == AgreementStatus.SUBMITTED
    page = client.get(f"/account/overeenkomst/{app.pk}/").content.decode()
    assert "Ingediend" in page or "Submitted" in page


def test_upload_posted_for_another_employer_than_the_session_acts_for_is_refused_R2_R45(client, app, period):
    member = MembershipFactory(employer=app.employer).user
    other = EmployerFactory()
    MembershipFactory(user=member, employer=other)
    login_verified(client, member)
    client.get(f"/account/overeenkomst/{app.pk}/")  # acts for app's employer
    client.get("/aanvragen/")
    response = client.post(f"/account/overeenkomst/{app.pk}/", {**files(), "employer": other.pk})
    assert response.status_code == 409
    assert not ProjectAgreement.objects.exists()


def test_too_old_kvk_extract_is_shown_in_dutch_and_nothing_saved_R45(client, app):
    member = MembershipFactory(employer=app.employer).user
    login_verified(client, member)
    client.get(f"/account/overeenkomst/{app.pk}/")
    response = client.post(f"/account/overeenkomst/{app.pk}/",
                           {**files(timezone.localdate() - timedelta(days=400)), "employer": app.employer.pk})
    assert response.status_code == 400
    assert "ouder dan zes maanden" in response.content.decode()
    assert not ProjectAgreement.objects.exists()


def test_office_reviewer_rejects_with_reason_then_the_member_sees_it_R45(client, app, reviewer, decider):
    member = MembershipFactory(employer=app.employer).user
    login_verified(client, member)
    client.get(f"/account/overeenkomst/{app.pk}/")
    client.post(f"/account/overeenkomst/{app.pk}/", {**files(), "employer": app.employer.pk})
    login_verified(client, decider)
    assert client.get(f"/account/kantoor/overeenkomst/{app.pk}/").status_code == 200
    assert client.post(f"/account/kantoor/overeenkomst/{app.pk}/", {"outcome": "approve"}).status_code == 403
    login_verified(client, reviewer)
    assert f"/account/kantoor/overeenkomst/{app.pk}/" in client.get(f"/kantoor/aanvragen/{app.pk}/").content.decode()
    assert client.post(f"/account/kantoor/overeenkomst/{app.pk}/", {"outcome": "reject"}).status_code == 400
    response = client.post(f"/account/kantoor/overeenkomst/{app.pk}/", {"outcome": "reject", "reason": "KvK onleesbaar"})
    assert response.status_code == 302
    login_verified(client, member)
    assert "KvK onleesbaar" in client.get(f"/account/overeenkomst/{app.pk}/").content.decode()


def test_lapse_has_a_confirmation_step_and_only_a_decider_confirms_R46(client, app, reviewer, decider):
    login_verified(client, reviewer)
    assert client.get(f"/account/kantoor/tijdvak/{app.period.number}/verval/").status_code == 200
    assert client.post(f"/account/kantoor/tijdvak/{app.period.number}/verval/").status_code == 403
    login_verified(client, decider)
    page = client.get(f"/account/kantoor/tijdvak/{app.period.number}/verval/")
    assert 'id="lapse-confirm"' in page.content.decode()
    # Issue 15: the confirmation says what will happen, with the amounts (the whole reservation returns).
    assert app.reference in page.content.decode() and 'id="lapse-rows"' in page.content.decode()
    assert [a.pk for a in page.context["lapsing"]] == [app.pk]
    app.refresh_from_db()
    assert app.status == ApplicationStatus.GRANTED  # the GET changes nothing
    response = client.post(f"/account/kantoor/tijdvak/{app.period.number}/verval/")
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == ApplicationStatus.LAPSED


def test_another_employers_agreement_page_is_404_R2_R45(client, app):
    login_verified(client, MembershipFactory().user)
    assert client.get(f"/account/overeenkomst/{app.pk}/").status_code == 404
    assert client.get(f"/account/overeenkomst/{app.pk}/projectovereenkomst.pdf").status_code == 404


def test_an_office_read_of_an_agreement_document_is_logged_and_a_members_is_not_R54(client, app, reviewer):
    member = MembershipFactory(employer=app.employer).user
    agreements.agreement_upload(application=app, by=member, signed_agreement=files()["signed_agreement"],
                                kvk_extract=files()["kvk_extract"], kvk_extract_date=timezone.localdate())
    document = AgreementDocument.objects.filter(agreement__application=app).first()
    url = f"/account/overeenkomst/{app.pk}/documenten/{document.pk}/"
    login_verified(client, member)
    assert client.get(url).status_code == 200
    assert not ProcessingLogEntry.objects.exists()
    login_verified(client, reviewer)
    assert client.get(url).status_code == 200
    entry = ProcessingLogEntry.objects.get()
    assert (entry.user, entry.object_ids, entry.application) == (reviewer, [document.pk], app)
