"""R49: the office's review page of one registration and the bulk approval from the queue; R47 (the duplicate flag
with the other registration's application), R50 (every evidence version downloadable by the office), R54 (every
office read logged) and R4 (reviewers review, deciders read, scoped users only their regions)."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from applications.constants import RegistrationStatus
from applications.models import (
    OfficeScope,
    ProcessingLogEntry,
    Registration,
    RegistrationDocument,
    RegistrationTransition,
)
from applications.registration_review import BULK_LIMIT
from tests.accounting.factories import granted_application
from tests.applications.factories import MembershipFactory, RegistrationFactory, UserFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
QUEUE = reverse("portal:registration_queue")
BULK = reverse("portal:registration_bulk_approve")


def page_url(registration):
    return reverse("portal:registration_review", args=[registration.pk])


def document(registration, kind="payslip", *, content=PDF, by=None):
    """An evidence document as ``registrations.document_upload`` stores it: the next version of its kind."""
    version = registration.documents.filter(kind=kind).count() + 1
    made = RegistrationDocument(
        registration=registration, kind=kind, version=version, sha256=f"{version:064d}", size=len(content),
        media_type="application/pdf", filename=f"{kind}.pdf", uploaded_by=by or UserFactory(),
    )
    made.file.save(f"{kind}-v{version}.pdf", ContentFile(content), save=False)
    made.save(force_insert=True)
    return made


def submitted(application=None, **kwargs):
    """A registration submitted for review, with its timeline row."""
    application = application or granted_application()
    registration = RegistrationFactory(application=application, status=RegistrationStatus.SUBMITTED, **kwargs)
    RegistrationTransition.objects.create(registration=registration, from_status=RegistrationStatus.DRAFT,
                                          to_status=RegistrationStatus.SUBMITTED, reason="Ter beoordeling ingediend")
    return registration


def main_text(response) -> str:
    return response.content.decode().split("<main", 1)[-1]


@pytest.fixture
def registration(db):
    return submitted(surname="Bakker")


@pytest.fixture
def scoped_reviewer(db):
    return UserFactory(username="scoped-reviewer", roles=["office_reviewer"])


def scope(user, registration):
    """Scope ``user`` to the regional employer organisation of ``registration``'s employer (R4)."""
    application = registration.application
    OfficeScope.objects.create(user=user, employer_organisation=application.employer.region.employer_organisation)


# --- the review page -----------------------------------------------------------------------------------------------


def test_r49_the_page_shows_the_registration_application_evidence_and_timeline_in_dutch(client, reviewer, registration):
    document(registration, "learning_agreement")
    login_verified(client, reviewer)
    response = client.get(page_url(registration))
    assert response.status_code == 200
    html = main_text(response)
    application = registration.application
    for expected in ("Bakker", application.reference, application.employer.name, application.employer.kvk_number,
                     "Praktijkovereenkomst", "Loonstrook", "Tijdlijn", "Ter beoordeling ingediend"):
        assert expected in html, expected
    assert re.search(r"Ontbreekt nog:\s*Loonstrook", html)  # required but missing, beside the decision
    assert 'name="outcome"' in html and "Goedkeuren" in html and "Herstel vragen" in html and "Afkeuren" in html
    assert "Review" not in html and "Approve" not in html  # Dutch, not the English source strings


def test_r49_a_reviewer_approves_and_it_is_on_the_timeline(client, reviewer, registration):
    login_verified(client, reviewer)
    response = client.post(page_url(registration), {"outcome": "approved", "reason": ""})
    assert response.status_code == 302 and response["Location"] == page_url(registration)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED
    last = registration.transitions.last()
    assert (last.from_status, last.to_status, last.actor) == ("submitted", "approved", reviewer)
    after = client.get(page_url(registration))
    assert 'name="outcome"' not in main_text(after)  # approved registrations are final


def test_r49_a_repair_request_names_what_to_repair(client, reviewer, registration):
    login_verified(client, reviewer)
    response = client.post(page_url(registration), {"outcome": "repair_requested", "reason": "Loonstrook van 2024"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REPAIR_REQUESTED
    assert registration.review_reason == "Loonstrook van 2024"
    assert "Loonstrook van 2024" in main_text(client.get(page_url(registration)))


def test_r49_a_rejection_without_a_reason_is_a_400_with_the_error_summary_and_nothing_saved(
    client, reviewer, registration
):
    login_verified(client, reviewer)
    for outcome, message in (("rejected", "reden"), ("repair_requested", "herstel")):
        response = client.post(page_url(registration), {"outcome": outcome, "reason": "  "})
        assert response.status_code == 400
        html = main_text(response)
        assert 'id="error-summary"' in html and 'href="#id_reason"' in html and message in html.lower()
    missing = client.post(page_url(registration), {"reason": "x"})
    assert missing.status_code == 400 and 'href="#id_outcome_0"' in main_text(missing)
    bad = client.post(page_url(registration), {"outcome": "granted", "reason": "x\x00"})
    assert bad.status_code == 400
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.SUBMITTED and registration.transitions.count() == 1


def test_r49_a_registration_someone_else_just_reviewed_is_refused_without_a_500(client, reviewer, registration):
    login_verified(client, reviewer)
    assert client.post(page_url(registration), {"outcome": "approved"}).status_code == 302
    again = client.post(page_url(registration), {"outcome": "rejected", "reason": "Toch niet"})
    assert again.status_code == 400
    assert "ingediend" in main_text(again).lower()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED


def test_r4_a_decider_reads_the_page_without_the_form_and_may_not_review(client, decider, registration):
    login_verified(client, decider)
    response = client.get(page_url(registration))
    assert response.status_code == 200 and 'name="outcome"' not in main_text(response)
    assert client.post(page_url(registration), {"outcome": "approved"}).status_code == 403
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.SUBMITTED


def test_r4_members_and_other_roles_get_a_403_and_drafts_are_not_on_the_office_pages(client, reviewer, registration):
    member = MembershipFactory(employer=registration.application.employer).user
    for user in (member, UserFactory(roles=["ministry"]), UserFactory(roles=["commission"])):
        login_verified(client, user)
        assert client.get(page_url(registration)).status_code == 403
    draft = RegistrationFactory(application=registration.application, status=RegistrationStatus.DRAFT)
    login_verified(client, reviewer)
    assert client.get(page_url(draft)).status_code == 404
    assert client.get(reverse("portal:registration_review", args=[999999])).status_code == 404


def test_r4_a_scoped_reviewer_opens_and_reviews_only_their_regions(client, scoped_reviewer, registration):
    own = submitted()
    scope(scoped_reviewer, own)
    doc = document(registration)
    login_verified(client, scoped_reviewer)
    assert client.get(page_url(registration)).status_code == 404
    assert client.post(page_url(registration), {"outcome": "approved"}).status_code == 404
    url = reverse("portal:registration_review_document", args=[registration.pk, doc.pk])
    assert client.get(url).status_code == 404
    assert client.get(page_url(own)).status_code == 200
    assert client.post(page_url(own), {"outcome": "approved"}).status_code == 302
    registration.refresh_from_db()
    own.refresh_from_db()
    assert (registration.status, own.status) == ("submitted", "approved")


# --- evidence (R50) and the processing log (R54) -------------------------------------------------------------------


def test_r50_every_version_is_listed_and_downloadable_by_the_office(client, decider, registration):
    first = document(registration, content=PDF + b"% eerste\n")
    second = document(registration, content=PDF + b"% tweede\n")
    login_verified(client, decider)
    html = main_text(client.get(page_url(registration)))
    for doc in (first, second):
        url = reverse("portal:registration_review_document", args=[registration.pk, doc.pk])
        assert f'href="{url}"' in html
        response = client.get(url)
        assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == doc.file.open("rb").read()
        assert "Loonstrook-v" in response["Content-Disposition"]  # a Dutch file name
    other = submitted()
    foreign = document(other)
    mixed = reverse("portal:registration_review_document", args=[registration.pk, foreign.pk])
    assert client.get(mixed).status_code == 404  # a document of another registration is not reached this way


def test_r54_the_page_and_every_document_read_are_logged(client, reviewer, registration):
    doc = document(registration)
    login_verified(client, reviewer)
    client.get(page_url(registration))
    client.get(reverse("portal:registration_review_document", args=[registration.pk, doc.pk]))
    logged = list(ProcessingLogEntry.objects.order_by("id").values_list(
        "user__username", "object_type", "object_ids", "purpose", "application_id", "employer_id"))
    application = registration.application
    assert logged == [
        ("reviewer", "applications.registration", [registration.pk], "review", application.pk, application.employer_id),
        ("reviewer", "applications.registrationdocument", [doc.pk], "review", application.pk,
         application.employer_id),
    ]


# --- the duplicate flag (R47) --------------------------------------------------------------------------------------


def test_r47_the_flag_names_the_other_registrations_application_and_links_both_ways(client, reviewer):
    earlier = submitted(surname="Visser")
    later = submitted(surname="Visser", duplicate_of=earlier)
    login_verified(client, reviewer)
    html = main_text(client.get(page_url(later)))
    assert 'id="duplicate-flag"' in html
    assert earlier.application.reference in html and f'href="{page_url(earlier)}"' in html
    assert f"registratie {earlier.pk}" in html
    back = main_text(client.get(page_url(earlier)))
    assert 'id="duplicate-flag"' not in back and f'href="{page_url(later)}"' in back
    plain = main_text(client.get(page_url(submitted())))
    assert 'id="duplicate-flag"' not in plain


def test_r47_r4_a_scoped_reviewer_sees_the_flag_but_not_another_regions_application(client, scoped_reviewer):
    earlier = submitted(surname="Visser")
    later = submitted(surname="Visser", duplicate_of=earlier)
    scope(scoped_reviewer, later)
    login_verified(client, scoped_reviewer)
    html = main_text(client.get(page_url(later)))
    assert 'id="duplicate-flag"' in html and "buiten uw regio" in html
    assert earlier.application.reference not in html and earlier.application.employer.name not in html


# --- the queue links to the page and offers bulk approval ----------------------------------------------------------


def test_r49_each_queue_row_links_to_its_review_page_and_reviewers_get_checkboxes(client, reviewer, decider,
                                                                                 registration):
    login_verified(client, reviewer)
    html = main_text(client.get(QUEUE))
    assert f'href="{page_url(registration)}"' in html
    assert f'name="registration" value="{registration.pk}"' in html and f'action="{BULK}"' in html
    assert f'<label for="select-{registration.pk}"' in html  # every checkbox has a label
    assert 'name="registration"' not in main_text(client.get(QUEUE, {"status": "approved"}))
    login_verified(client, decider)
    html = main_text(client.get(QUEUE))
    assert f'href="{page_url(registration)}"' in html and 'name="registration"' not in html


def test_r49_bulk_approval_shows_a_confirmation_page_first_and_changes_nothing(client, reviewer):
    first, second = submitted(surname="Smit"), submitted(surname="Mulder")
    login_verified(client, reviewer)
    response = client.post(BULK, {"registration": [first.pk, second.pk], "querystring": "status=submitted"})
    assert response.status_code == 200
    html = main_text(response)
    assert "Smit" in html and "Mulder" in html and 'name="step" value="confirm"' in html
    assert "2 registraties goedkeuren" in html
    assert set(Registration.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"submitted"}
    # R54: the confirmation page lists names: one log row per application.
    assert ProcessingLogEntry.objects.filter(user=reviewer, object_type="applications.registration").count() == 2


def test_r49_bulk_approval_approves_each_through_the_service_and_names_each_failure(client, reviewer, scoped_reviewer):
    first, second, third = submitted(surname="Smit"), submitted(surname="Mulder"), submitted(surname="Bos")
    second.status = RegistrationStatus.APPROVED  # reviewed by a colleague between the two pages
    second.save()
    login_verified(client, reviewer)
    ids = [first.pk, second.pk, third.pk, 999999]
    response = client.post(BULK, {"registration": ids, "step": "confirm", "querystring": "status=submitted&page=2"},
                           follow=True)
    assert response.redirect_chain[-1][0] == f"{QUEUE}?status=submitted"
    html = main_text(response)
    assert "2 registraties zijn goedgekeurd" in html
    assert f"Mulder (registratie {second.pk})" in html and "Registratie 999999: niet gevonden" in html
    for registration in (first, third):
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.APPROVED
        assert registration.transitions.filter(to_status="approved", actor=reviewer).count() == 1
    assert not second.transitions.filter(to_status="approved").exists()


def test_r4_bulk_approval_never_reaches_another_region_or_a_decider(client, decider, scoped_reviewer):
    own, other = submitted(), submitted()
    scope(scoped_reviewer, own)
    login_verified(client, scoped_reviewer)
    confirm = client.post(BULK, {"registration": [own.pk, other.pk]})
    html = main_text(confirm)
    assert confirm.status_code == 200 and other.application.reference not in html and other.surname not in html
    client.post(BULK, {"registration": [own.pk, other.pk], "step": "confirm"})
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.status, other.status) == ("approved", "submitted")
    login_verified(client, decider)
    assert client.post(BULK, {"registration": [other.pk], "step": "confirm"}).status_code == 403
    other.refresh_from_db()
    assert other.status == "submitted"


def test_r49_bulk_approval_refuses_an_empty_or_broken_selection_with_a_400(client, reviewer, registration):
    login_verified(client, reviewer)
    empty = client.post(BULK, {"querystring": ""})
    assert empty.status_code == 400 and "Selecteer ten minste één registratie" in main_text(empty)
    assert client.post(BULK, {"registration": ["abc"]}).status_code == 400
    assert client.post(BULK, {"registration": [str(n) for n in range(1, BULK_LIMIT + 2)]}).status_code == 400
    assert client.get(BULK).status_code == 405
    approved = submitted()
    approved.status = RegistrationStatus.APPROVED
    approved.save()
    nothing = client.post(BULK, {"registration": [approved.pk]})
    assert nothing.status_code == 400 and "status is Goedgekeurd" in main_text(nothing)
    registration.refresh_from_db()
    assert registration.status == "submitted"


def test_bulk_approval_returns_only_to_the_queue(client, reviewer, registration):
    login_verified(client, reviewer)
    response = client.post(BULK, {"registration": [registration.pk], "step": "confirm",
                                  "querystring": "next=https://evil.example/&status=submitted"})
    assert response.status_code == 302 and response["Location"].startswith(f"{QUEUE}?")


def test_r49_a_registration_rejected_by_the_repair_expiry_shows_its_timeline_without_an_actor(client, decider):
    expired = submitted(surname="Dekker")
    expired.status = RegistrationStatus.REJECTED
    expired.save()
    RegistrationTransition.objects.create(registration=expired, from_status=RegistrationStatus.REPAIR_REQUESTED,
                                          to_status=RegistrationStatus.REJECTED, actor=None,
                                          reason="Niet hersteld voor de hersteltermijn")
    login_verified(client, decider)
    response = client.get(page_url(expired))
    assert response.status_code == 200
    html = main_text(response)
    assert "Niet hersteld voor de hersteltermijn" in html and "<td>—</td>" in html and 'name="outcome"' not in html
