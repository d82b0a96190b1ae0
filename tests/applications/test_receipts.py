"""R42: the acknowledgement of receipt of a submission (Awb 4:3a, 2:17)."""

import hashlib
import io
from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from applications import mail as member_mail
from applications import receipts, services
from applications.constants import ApplicationStatus
from applications.models import Application, ProcessingLogEntry, Receipt
from tests.applications.conftest import INSIDE_WINDOW, plan_row
from tests.applications.factories import ApplicationFactory, EmployerFactory, MembershipFactory, UserFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db

#: Inside the window, with seconds and microseconds: the receipt states the exact moment.
RECEIVED = INSIDE_WINDOW + timedelta(seconds=7, microseconds=123456)


@pytest.fixture
def filled(application, contact):
    services.plan_lines_add(
        application=application, rows=[plan_row(count=2), plan_row(focus="new_intake", count=1)], by=contact
    )
    return application


@pytest.fixture
def submitted(filled, contact, at_time):
    at_time(RECEIVED)
    return services.application_submit(application=filled, by=contact)


def test_submission_writes_a_receipt_at_the_exact_server_time_with_the_pdf_and_its_sha256_R42(submitted):
    receipt = Receipt.objects.get(application=submitted)
    assert receipt.received_at == RECEIVED == submitted.submitted_at
    content = receipt.file.open("rb").read()
    assert content.startswith(b"%PDF")
    assert receipt.sha256 == hashlib.sha256(content).hexdigest()


def test_receipt_states_reference_time_with_seconds_employer_kvk_period_and_what_was_submitted_R42(submitted):
    html = receipts.receipt_html(application=submitted, received_at=submitted.submitted_at)
    assert submitted.reference in html
    assert "10 december 2025 om 12:00:07 uur" in html  # Europe/Amsterdam, with seconds (Awb 2:17)
    assert submitted.employer.kvk_number in html and submitted.employer.name in html
    assert f'<td class="period">{submitted.period.number}</td>' in html
    # What was submitted, per activity type x focus: two upskilling trajectories, one new intake.
    assert "A: mbo beroepsbegeleidende leerweg (bbl) – Opscholing</td><td>2</td><td>€ 10.000,00" in html
    assert "A: mbo beroepsbegeleidende leerweg (bbl) – Nieuwe instroom</td><td>1</td><td>€ 5.000,00" in html
    assert "Visser" not in html  # a summary, no names (a plan names no one)


def test_receipt_pdf_text_has_reference_and_time_of_receipt_R42(submitted):
    receipt = Receipt.objects.get(application=submitted)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.file.open("rb").read())).pages)
    assert "Ontvangstbevestiging" in text
    assert submitted.reference in text
    assert "12:00:07" in text


def test_a_receipt_that_cannot_be_rendered_leaves_the_application_a_draft_R42(filled, contact, at_time, monkeypatch):
    at_time(RECEIVED)

    def broken(html):
        raise RuntimeError("no pango")

    monkeypatch.setattr(receipts, "html_to_pdf", broken)
    with pytest.raises(RuntimeError):
        services.application_submit(application=filled, by=contact)
    assert Application.objects.get(pk=filled.pk).status == ApplicationStatus.DRAFT
    assert not Receipt.objects.exists()


def test_members_are_mailed_on_commit_that_the_receipt_is_there_without_personal_data_R42(
    filled, contact, officer, at_time, django_capture_on_commit_callbacks
):
    at_time(RECEIVED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_submit(application=filled, by=contact)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([contact.email, officer.email])
    for message in mail.outbox:  # one mail per member: nobody sees another member's address (R40)
        assert len(message.to) == 1
        assert filled.reference in message.subject and "ontvangstbevestiging" in message.body.lower()
        assert "Visser" not in message.body and "1990" not in message.body


def test_submit_answer_carries_the_time_of_receipt_and_the_receipt_R42(client_for, contact, filled, at_time):
    at_time(RECEIVED)
    body = client_for(contact).post(f"/api/v2/applications/{filled.pk}/submit", {}, format="json").json()
    receipt = Receipt.objects.get(application=filled)
    assert body["status"] == "submitted"
    assert body["receivedAt"] == "2025-12-10T11:00:07.123456Z"  # 12:00:07 in Amsterdam, RFC 3339 in UTC (api.md)
    assert body["receipt"]["id"] == receipt.pk and body["receipt"]["sha256"] == receipt.sha256
    detail = client_for(contact).get(f"/api/v2/applications/{filled.pk}").json()
    assert detail["receipt"]["sha256"] == receipt.sha256 and detail["receivedAt"] == body["receivedAt"]


def test_receipt_pdf_for_members_and_office_and_404_for_anyone_else_R42(
    client_for, submitted, contact, officer, reviewer, outsider, ministry_user
):
    receipt = Receipt.objects.get(application=submitted)
    url = f"/api/v2/receipts/{receipt.pk}/pdf"
    for user in (contact, officer, reviewer):
        response = client_for(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-SHA256"] == receipt.sha256
    for user in (outsider, ministry_user):
        assert client_for(user).get(url).status_code == 404, user
    assert client_for(contact).get(f"/api/v2/receipts/{receipt.pk + 999}/pdf").status_code == 404


def test_portal_shows_the_receipt_on_the_application_page_after_submitting_R42(client, filled, contact, at_time):
    at_time(RECEIVED)
    login_verified(client, contact)
    response = client.post(reverse("portal:application_submit", args=[filled.pk]), {"confirm": "on"}, follow=True)
    assert response.status_code == 200
    receipt = Receipt.objects.get(application=filled)
    page = response.content.decode()
    assert receipt.sha256 in page
    assert "10-12-2025 12:00:07" in page
    assert reverse("portal:receipt_download", args=[filled.pk]) in page
    download = client.get(reverse("portal:receipt_download", args=[filled.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_portal_receipt_download_is_404_for_another_employer_R42(client, submitted, outsider):
    login_verified(client, outsider)
    assert client.get(reverse("portal:receipt_download", args=[submitted.pk])).status_code == 404


def test_draft_has_no_receipt_R42(client_for, contact, application):
    detail = client_for(contact).get(f"/api/v2/applications/{application.pk}").json()
    assert detail["receipt"] is None and detail["receivedAt"] is None


def test_receipts_visible_to_lists_only_the_members_employers_R42(submitted, at_time):
    other = ApplicationFactory(employer=EmployerFactory(), period=submitted.period)
    member = MembershipFactory(employer=other.employer, user=UserFactory(username="other-contact")).user
    services.plan_lines_add(application=other, rows=[plan_row()], by=member)
    services.application_submit(application=other, by=member)
    assert list(receipts.receipts_visible_to(member).values_list("application_id", flat=True)) == [other.pk]


def test_an_office_download_of_a_receipt_is_in_the_processing_log_and_a_members_is_not_R54(
    client, client_for, submitted, contact, reviewer
):
    receipt = Receipt.objects.get(application=submitted)
    assert client_for(contact).get(f"/api/v2/receipts/{receipt.pk}/pdf").status_code == 200
    assert not ProcessingLogEntry.objects.exists()
    assert client_for(reviewer).get(f"/api/v2/receipts/{receipt.pk}/pdf").status_code == 200
    login_verified(client, reviewer)
    assert client.get(reverse("portal:receipt_download", args=[submitted.pk])).status_code == 200
    entries = list(ProcessingLogEntry.objects.order_by("id"))
    assert [(e.user, e.object_type, e.object_ids, e.purpose) for e in entries] == [
        (reviewer, "applications.receipt", [receipt.pk], "assessment")
    ] * 2


def test_a_failed_receipt_mail_logs_no_address_R40(submitted, contact, monkeypatch, caplog):
    def refuse(datatuple, **kwargs):
        raise SMTPRecipientsRefused({contact.email: (550, b"mailbox unavailable")})

    monkeypatch.setattr(member_mail, "send_mass_mail", refuse)
    assert receipts.receipt_mail(receipt_id=Receipt.objects.get(application=submitted).pk) == 0
    assert "notification mail failed (SMTPRecipientsRefused)" in caplog.text
    assert contact.email not in caplog.text
