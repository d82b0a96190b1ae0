"""Registrations through the public API (R47, R49, R50, R29, R46, R54, R2): members of either role register on a
granted application, upload evidence, submit once the agreement is approved; the office reviewer reviews; repairs
expire after the repair deadline; progress until the accountability deadline."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications import registrations
from applications.constants import MembershipRole, RegistrationStatus
from applications.models import ProcessingLogEntry, Registration, RegistrationDocument, RegistrationTransition
from applications.tasks import expire_repairs
from budgets.constants import DeadlineKind
from budgets.models import Deadline, DeadlineExtension
from sectorplan.records import PermanentRecordError
from sectorplan.uploads import MAX_DOCUMENT_BYTES
from tests.applications.conftest import registration_payload
from tests.applications.factories import ApplicationFactory, EmployerFactory, MembershipFactory, UserFactory
from tests.problems import problems
from tests.support.otp import login_verified
from tests.test_uploads import EICAR, FakeClamd

pytestmark = pytest.mark.django_db

BASE = "/api/v2"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63"
                    "f8cfc0f01f0005000201a2d4a3a40000000049454e44ae426082")


def pdf(name="bewijs.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def agreed(granted):
    """A granted application whose project agreement is approved (R46)."""
    registrations.agreement_approval_record(application=granted, at=timezone.now())
    granted.refresh_from_db()
    return granted


def create(client, application, **overrides):
    response = client.post(f"{BASE}/applications/{application.pk}/registrations", registration_payload(**overrides),
                           format="json")
    assert response.status_code == 201, response.content
    return response.json()[0]


def upload(client, registration_id, kind, file=None):
    return client.post(f"{BASE}/registrations/{registration_id}/documents", {"kind": kind, "file": file or pdf()},
                       format="multipart")


def evidence(client, registration_id, kinds=("learning_agreement", "payslip")):
    for kind in kinds:
        assert upload(client, registration_id, kind).status_code == 201


def codes(response):
    return {(e["field"], e["code"]) for e in problems(response)}


# --- R47: who registers, duplicates -----------------------------------------------------------------------


def test_r47_members_of_either_role_register_and_the_draft_starts_its_timeline(client_for, officer, contact, granted):
    made = create(client_for(officer), granted)
    assert made["status"] == "draft" and made["ageBand"] == "25-45" and made["amount"] == "5000.00"
    create(client_for(contact), granted, surname="Bakker")
    (row,) = RegistrationTransition.objects.filter(registration_id=made["id"])
    assert (row.from_status, row.to_status, row.actor) == ("", "draft", officer)


def test_r47_registrations_only_on_a_granted_application(client_for, contact, application):
    response = client_for(contact).post(f"{BASE}/applications/{application.pk}/registrations",
                                        registration_payload(), format="json")
    assert response.status_code == 409


def test_r47_the_same_person_twice_in_one_application_is_an_error(client_for, contact, granted):
    create(client_for(contact), granted)
    response = client_for(contact).post(f"{BASE}/applications/{granted.pk}/registrations",
                                        registration_payload(initials="a.b."), format="json")
    assert response.status_code == 400 and ("surname", "duplicate_registration") in codes(response)


def test_r47_the_same_person_at_another_employer_is_flagged_to_the_reviewer_only(
    client_for, contact, granted, period, reviewer
):
    other = ApplicationFactory(employer=EmployerFactory(), period=period, status="granted",
                               submitted_at=period.application_opens, eligible_amount=Decimal("0.00"))
    other_contact = MembershipFactory(employer=other.employer, role=MembershipRole.CONTACT).user
    first = create(client_for(other_contact), other)
    second = create(client_for(contact), granted, initials="a.b.", surname="VISSER")
    assert Registration.objects.get(pk=second["id"]).duplicate_of_id == first["id"]
    assert Registration.objects.get(pk=first["id"]).duplicate_of_id is None
    assert client_for(reviewer).get(f"{BASE}/registrations/{second['id']}").json()["duplicateOf"] == first["id"]
    # the other employer's registration is its data (R40): members see no flag
    assert client_for(contact).get(f"{BASE}/registrations/{second['id']}").json()["duplicateOf"] is None
    # another start date is another trajectory
    third = create(client_for(contact), granted, surname="Visser", start_date="2026-04-01")
    assert Registration.objects.get(pk=third["id"]).duplicate_of_id is None


def test_r47_patch_while_draft_or_repair_requested_only(client_for, contact, agreed, reviewer):
    made = create(client_for(contact), agreed)
    path = f"{BASE}/registrations/{made['id']}"
    response = client_for(contact).patch(path, {"contractHours": "20.0"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == "2000.00"  # R12 derived again: below 24 hours the reduced amount
    assert "Gewijzigd" in response.json()["timeline"][-1]["reason"]  # on the timeline, in Dutch
    assert_error_field(client_for(contact).patch(path, {"startDate": "2031-01-01"}, format="json"), 400, "startDate")
    evidence(client_for(contact), made["id"])
    assert client_for(contact).post(f"{path}/submit", format="json").status_code == 200
    assert client_for(contact).patch(path, {"contractHours": "30.0"}, format="json").status_code == 409
    assert client_for(reviewer).patch(path, {"contractHours": "30.0"}, format="json").status_code == 403


def assert_error_field(response, status, field):
    assert response.status_code == status, response.content
    assert field in {e["field"] for e in problems(response)}


def test_r47_import_by_an_accountability_officer(client_for, officer, granted):
    content = (b"initials,surname,date_of_birth,focus,activity_type,start_date,end_date,contract_hours,employed_since,"
               b"cost\nA.,Jong,1980-01-01,upskilling,A,2026-03-01,2026-12-31,32,2012-01-01,\n")
    response = client_for(officer).post(f"{BASE}/applications/{granted.pk}/registrations/import",
                                        {"file": SimpleUploadedFile("r.csv", content, "text/csv")}, format="multipart")
    assert response.status_code == 201, response.content
    (registration,) = Registration.objects.filter(application=granted)
    first = registration.transitions.get()
    assert (first.from_status, first.to_status, first.actor) == ("", "draft", officer)


def test_list_filters_on_status_and_refuses_an_unknown_one(client_for, contact, granted):
    create(client_for(contact), granted)
    url = f"{BASE}/applications/{granted.pk}/registrations"
    assert client_for(contact).get(f"{url}?status=draft").json()["count"] == 1
    assert client_for(contact).get(f"{url}?status=approved").json()["count"] == 0
    assert_error_field(client_for(contact).get(f"{url}?status=nonsense"), 400, "status")


# --- R50: evidence -------------------------------------------------------------------------------------------


def test_r50_documents_are_versioned_with_sha256_and_never_overwritten(client_for, contact, granted):
    made = create(client_for(contact), granted)
    first = upload(client_for(contact), made["id"], "payslip")
    second = upload(client_for(contact), made["id"], "payslip", SimpleUploadedFile("loon.png", PNG, "image/png"))
    assert first.status_code == second.status_code == 201, second.content
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    assert len(first.json()["sha256"]) == 64 and first.json()["sha256"] != second.json()["sha256"]
    document = RegistrationDocument.objects.get(pk=first.json()["id"])
    with pytest.raises(PermanentRecordError):
        document.delete()
    with pytest.raises(PermanentRecordError):
        RegistrationDocument.objects.filter(pk=document.pk).update(sha256="0" * 64)
    response = client_for(contact).get(f"{BASE}/documents/{document.pk}")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_r50_type_by_content_size_limit_and_kind(client_for, contact, granted):
    made = create(client_for(contact), granted)
    text = SimpleUploadedFile("bewijs.pdf", b"just text, not a pdf", "application/pdf")
    assert ("file", "invalid_type") in codes(upload(client_for(contact), made["id"], "payslip", text))
    big = SimpleUploadedFile("groot.pdf", PDF + b"0" * MAX_DOCUMENT_BYTES, "application/pdf")
    assert upload(client_for(contact), made["id"], "payslip", big).status_code == 413
    assert_error_field(upload(client_for(contact), made["id"], "selfie"), 400, "kind")
    assert_error_field(client_for(contact).post(f"{BASE}/registrations/{made['id']}/documents", {"kind": "payslip"},
                                                format="multipart"), 400, "file")
    assert not RegistrationDocument.objects.exists()


def test_r50_the_eicar_test_file_is_refused_by_the_configured_scanner(client_for, contact, granted, settings, tmp_path):
    fake = FakeClamd(str(tmp_path / "clamd.ctl"))
    settings.CLAMD_SOCKET = fake.path
    try:
        made = create(client_for(contact), granted)
        response = upload(client_for(contact), made["id"], "payslip", pdf(content=PDF + EICAR))
        assert response.status_code == 400 and ("file", "virus_found") in codes(response)
        clean = upload(client_for(contact), made["id"], "payslip")
        assert clean.status_code == 201 and clean.json()["scanned"] is True
        assert fake.scanned == [PDF + EICAR, PDF]
    finally:
        fake.close()
    assert RegistrationDocument.objects.count() == 1


def test_r50_submit_names_every_missing_document(client_for, contact, agreed):
    made = create(client_for(contact), agreed, activity_type="D", cost="800.00")
    upload(client_for(contact), made["id"], "invoice")
    response = client_for(contact).post(f"{BASE}/registrations/{made['id']}/submit", format="json")
    assert response.status_code == 400
    assert {e["field"] for e in problems(response)} == {"documents"}
    text = " ".join(e["reason"] for e in response.json()["invalidParams"])
    assert "proof_of_payment" in text and "attendance_list" in text and "invoice" not in text
    assert Registration.objects.get(pk=made["id"]).status == "draft"


def test_r50_required_documents_are_period_data_and_small_applications_need_a_completion_statement(
    client_for, contact, period, employer
):
    rate = period.activity_rates.get(activity_type="E")
    assert rate.required_documents == ["invoice", "proof_of_payment", "attendance_list"]
    rate.required_documents = ["attendance_list"]
    rate.save()
    small = ApplicationFactory(employer=employer, period=period, status="granted", small=True,
                               submitted_at=period.application_opens, eligible_amount=Decimal("0.00"))
    made = create(client_for(contact), small, activity_type="E", cost="300.00")
    detail = client_for(contact).get(f"{BASE}/registrations/{made['id']}").json()
    assert detail["requiredDocuments"] == ["attendance_list", "completion_statement"]
    period_api = client_for(contact).get(f"{BASE}/periods/{period.number}").json()
    assert {r["activityType"]: r["requiredDocuments"] for r in period_api["activityRates"]}["E"] == ["attendance_list"]


# --- R46, R49: submit, review, repair -------------------------------------------------------------------------


def test_r46_submit_waits_for_the_approved_agreement(client_for, contact, granted):
    made = create(client_for(contact), granted)
    evidence(client_for(contact), made["id"])
    response = client_for(contact).post(f"{BASE}/registrations/{made['id']}/submit", format="json")
    assert response.status_code == 409 and response.json()["code"] == "agreement_not_approved"


def test_r49_review_repair_resubmit_approve_on_the_timeline(client_for, contact, officer, agreed, reviewer, decider):
    made = create(client_for(contact), agreed)
    path = f"{BASE}/registrations/{made['id']}"
    evidence(client_for(contact), made["id"])
    assert client_for(officer).post(f"{path}/submit", format="json").json() == {"status": "submitted"}
    assert client_for(contact).post(f"{path}/submit", format="json").status_code == 409
    assert client_for(decider).post(f"{path}/review", {"outcome": "approved"}, format="json").status_code == 403
    assert client_for(contact).post(f"{path}/review", {"outcome": "approved"}, format="json").status_code == 403
    assert_error_field(client_for(reviewer).post(f"{path}/review", {"outcome": "repair_requested"}, format="json"),
                       400, "reason")
    response = client_for(reviewer).post(f"{path}/review", {"outcome": "repair_requested",
                                                            "reason": "Loonstrook is onleesbaar."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "repair_requested"
    assert response.json()["reviewReason"] == "Loonstrook is onleesbaar."
    assert upload(client_for(contact), made["id"], "payslip").json()["version"] == 2
    assert client_for(contact).post(f"{path}/submit", format="json").status_code == 200
    response = client_for(reviewer).post(f"{path}/review", {"outcome": "approved"}, format="json")
    assert response.json()["status"] == "approved"
    assert client_for(reviewer).post(f"{path}/review", {"outcome": "rejected", "reason": "x"},
                                     format="json").status_code == 409  # approved is final
    timeline = client_for(contact).get(path).json()["timeline"]
    moves = [(t["from"], t["to"]) for t in timeline if t["from"] != t["to"]]
    assert moves == [(None, "draft"), ("draft", "submitted"), ("submitted", "repair_requested"),
                     ("repair_requested", "submitted"), ("submitted", "approved")]
    assert {t["actor"] for t in timeline} >= {"contact", "officer", "reviewer"}


def test_r49_rejection_needs_a_reason(client_for, contact, agreed, reviewer):
    made = create(client_for(contact), agreed)
    evidence(client_for(contact), made["id"])
    client_for(contact).post(f"{BASE}/registrations/{made['id']}/submit", format="json")
    path = f"{BASE}/registrations/{made['id']}/review"
    assert_error_field(client_for(reviewer).post(path, {"outcome": "rejected"}, format="json"), 400, "reason")
    assert_error_field(client_for(reviewer).post(path, {"outcome": "draft"}, format="json"), 400, "outcome")
    response = client_for(reviewer).post(path, {"outcome": "rejected", "reason": "Geen BBL."}, format="json")
    assert response.json()["status"] == "rejected"


def _awaiting_repair(client_for, contact, agreed, reviewer):
    made = create(client_for(contact), agreed)
    evidence(client_for(contact), made["id"])
    client_for(contact).post(f"{BASE}/registrations/{made['id']}/submit", format="json")
    client_for(reviewer).post(f"{BASE}/registrations/{made['id']}/review",
                              {"outcome": "repair_requested", "reason": "Handtekening ontbreekt."}, format="json")
    return Registration.objects.get(pk=made["id"])


def test_r49_no_resubmission_after_the_repair_deadline_unless_extended(client_for, contact, agreed, reviewer, decider):
    registration = _awaiting_repair(client_for, contact, agreed, reviewer)
    yesterday = timezone.localdate() - timedelta(days=1)
    Deadline.objects.update_or_create(period=agreed.period, kind=DeadlineKind.REPAIR, defaults={"date": yesterday})
    response = client_for(contact).post(f"{BASE}/registrations/{registration.pk}/submit", format="json")
    assert response.status_code == 409 and response.json()["code"] == "repair_deadline_passed"
    DeadlineExtension.objects.create(period=agreed.period, kind=DeadlineKind.REPAIR, date=timezone.localdate(),
                                     reason="Storing", employer=agreed.employer, created_by=decider)
    assert client_for(contact).post(f"{BASE}/registrations/{registration.pk}/submit", format="json").status_code == 200


def test_r49_the_beat_task_rejects_what_still_awaits_repair_after_the_deadline(
    client_for, contact, agreed, reviewer, settings
):
    assert settings.CELERY_BEAT_SCHEDULE["expire-repairs"]["task"] == "applications.tasks.expire_repairs"
    registration = _awaiting_repair(client_for, contact, agreed, reviewer)
    Deadline.objects.update_or_create(period=agreed.period, kind=DeadlineKind.REPAIR,
                                      defaults={"date": timezone.localdate()})
    assert expire_repairs.run() == 0  # the deadline day itself still counts
    Deadline.objects.filter(period=agreed.period, kind=DeadlineKind.REPAIR).update(
        date=timezone.localdate() - timedelta(days=1))
    assert expire_repairs.run() == 1
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REJECTED
    last = registration.transitions.last()
    assert (last.from_status, last.to_status, last.actor) == ("repair_requested", "rejected", None)
    assert expire_repairs.run() == 0  # idempotent


# --- R29: progress -------------------------------------------------------------------------------------------


def _approved(client_for, contact, agreed, reviewer, **overrides):
    made = create(client_for(contact), agreed, **overrides)
    kinds = ("invoice", "proof_of_payment", "attendance_list") if overrides.get("activity_type") == "D" else (
        "learning_agreement", "payslip")
    evidence(client_for(contact), made["id"], kinds)
    client_for(contact).post(f"{BASE}/registrations/{made['id']}/submit", format="json")
    client_for(reviewer).post(f"{BASE}/registrations/{made['id']}/review", {"outcome": "approved"}, format="json")
    return made["id"]


def test_r29_progress_on_approved_registrations_and_a_not_started_one_has_no_outcome(
    client_for, contact, officer, agreed, reviewer
):
    draft = create(client_for(contact), agreed, surname="Draft")
    assert client_for(contact).post(f"{BASE}/registrations/{draft['id']}/progress", {"started": False},
                                    format="json").status_code == 409
    pk = _approved(client_for, contact, agreed, reviewer, activity_type="D", cost="800.00")
    path = f"{BASE}/registrations/{pk}/progress"
    assert_error_field(client_for(officer).post(path, {"started": False, "outcome": "completed"}, format="json"),
                       400, "outcome")
    assert_error_field(client_for(officer).post(path, {"started": True}, format="json"), 400, "outcome")
    assert_error_field(client_for(officer).post(path, {"started": True, "outcome": "completed"}, format="json"),
                       400, "actualCost")
    response = client_for(officer).post(path, {"started": True, "outcome": "dropped_out", "actualCost": "650.00"},
                                        format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["started"], body["outcome"], body["actualCost"]) == (True, "dropped_out", "650.00")
    assert client_for(reviewer).post(path, {"started": False}, format="json").status_code == 403


def test_r29_progress_is_refused_after_the_accountability_deadline_unless_extended(
    client_for, contact, agreed, reviewer, decider
):
    pk = _approved(client_for, contact, agreed, reviewer)
    period = agreed.period
    past = timezone.localdate() - timedelta(days=1)
    period.accountability_deadline = past
    period.save(update_fields=["accountability_deadline"])
    Deadline.objects.update_or_create(period=period, kind=DeadlineKind.ACCOUNTABILITY, defaults={"date": past})
    path = f"{BASE}/registrations/{pk}/progress"
    response = client_for(contact).post(path, {"started": False}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "deadline_passed"
    DeadlineExtension.objects.create(period=period, kind=DeadlineKind.ACCOUNTABILITY, date=date.today() + timedelta(1),
                                     reason="Coronamaatregelen", created_by=decider)
    response = client_for(contact).post(path, {"started": False}, format="json")
    assert response.status_code == 200 and response.json()["outcome"] == ""


# --- R2, R54: who reads -----------------------------------------------------------------------------------------


def test_r2_another_employers_registration_and_document_are_404(client_for, contact, granted, outsider, ministry_user):
    made = create(client_for(contact), granted)
    document = upload(client_for(contact), made["id"], "payslip").json()
    for client in (client_for(outsider), client_for(ministry_user)):
        assert client.get(f"{BASE}/registrations/{made['id']}").status_code in (403, 404)
        assert client.get(f"{BASE}/documents/{document['id']}").status_code in (403, 404)
    assert client_for(outsider).get(f"{BASE}/registrations/{made['id']}").status_code == 404
    assert client_for(outsider).get(f"{BASE}/documents/{document['id']}").status_code == 404
    assert client_for(outsider).post(f"{BASE}/registrations/{made['id']}/submit", format="json").status_code == 404


def test_r54_office_reads_of_a_registration_and_a_document_are_logged_members_not(
    client_for, contact, granted, reviewer
):
    made = create(client_for(contact), granted)
    document = upload(client_for(contact), made["id"], "payslip").json()
    client_for(contact).get(f"{BASE}/registrations/{made['id']}")
    client_for(contact).get(f"{BASE}/documents/{document['id']}")
    assert not ProcessingLogEntry.objects.exists()
    assert client_for(reviewer).get(f"{BASE}/registrations/{made['id']}").status_code == 200
    assert client_for(reviewer).get(f"{BASE}/documents/{document['id']}").status_code == 200
    logged = list(ProcessingLogEntry.objects.order_by("id").values_list("user__username", "object_type", "object_ids"))
    assert logged == [("reviewer", "applications.registration", [made["id"]]),
                      ("reviewer", "applications.registrationdocument", [document["id"]])]


# --- the portal ---------------------------------------------------------------------------------------------------


def test_portal_a_member_uploads_submits_and_reports_progress_in_dutch(client, contact, agreed, reviewer, client_for):
    made = create(client_for(contact), agreed)
    login_verified(client, contact)
    page = reverse("portal:registration_detail", args=[agreed.pk, made["id"]])
    html = client.get(page).content.decode()
    text = html.split("<main", 1)[-1].lower()
    assert "registratie" in text and "loonstrook" in text and ">deelnemer" not in text
    upload_url = reverse("portal:registration_document_upload", args=[agreed.pk, made["id"]])
    bad = client.post(upload_url, {"kind": "payslip", "file": SimpleUploadedFile("x.pdf", b"tekst")})
    assert bad.status_code == 400 and "PDF" in bad.content.decode()
    for kind in ("learning_agreement", "payslip"):
        assert client.post(upload_url, {"kind": kind, "file": pdf()}).status_code == 302
    submit = client.post(reverse("portal:registration_submit", args=[agreed.pk, made["id"]]), follow=True)
    assert "beoordeling" in submit.content.decode()
    assert Registration.objects.get(pk=made["id"]).status == "submitted"
    client_for(reviewer).post(f"{BASE}/registrations/{made['id']}/review", {"outcome": "approved"}, format="json")
    progress = reverse("portal:registration_progress", args=[agreed.pk, made["id"]])
    assert client.post(progress, {"started": "0", "outcome": "completed"}).status_code == 400
    assert client.post(progress, {"started": "1", "outcome": "completed"}).status_code == 302
    assert Registration.objects.get(pk=made["id"]).outcome == "completed"
    other = UserFactory(username="buiten")
    login_verified(client, other)
    assert client.get(page).status_code == 404
