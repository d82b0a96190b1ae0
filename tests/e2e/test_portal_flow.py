"""Browser test (issue #3, point 9): Playwright driving Debian's Chromium, headless, against the live server.

Log in, create an application, upload a CSV with one bad row, see the row error, fix the file, upload it
again and submit through the confirmation step (R6, R7, R13, R38).
Set PORTAL_SCREENSHOTS=/tmp to keep screenshots of the key pages (/tmp/portal-*.png); see conftest.py.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from applications.constants import ApplicationStatus
from applications.models import Application
from tests.applications.factories import MembershipFactory
from tests.budgets.factories import PeriodFactory

HEADER = "initials,surname,date_of_birth,focus,activity_type,start_date,end_date,contract_hours,employed_since,planned_cost\n"
GOOD = "A.,Bakker,1990-03-01,upskilling,A,2027-02-01,2027-12-31,32,2015-01-01,\n"
BAD = "B.,Smit,1990-03-01,upskilling,A,2027-02-01,2026-12-31,32,2015-01-01,\n"  # ends before it starts
FIXED = "B.,Smit,1990-03-01,upskilling,A,2027-02-01,2027-12-31,32,2015-01-01,\n"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_employer_logs_in_uploads_fixes_file_and_submits_R6_R7_R13(live_server, browser_page, shot, tmp_path):
    now = timezone.now()
    PeriodFactory(
        number=8, application_opens=now - timedelta(days=1), application_closes=now + timedelta(days=2),
        training_start_from=date(2027, 1, 1), training_start_until=date(2027, 12, 31),
    )
    employer = MembershipFactory(user__username="werkgever", employer__name="Zorggroep Oost").employer
    page = browser_page

    page.goto(f"{live_server.url}/inloggen/")
    shot(page, "login")
    page.get_by_label("Username").fill("werkgever")
    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_role("button", name="Log in").click()
    assert "Zorggroep Oost" in page.locator(".acting-for").inner_text()
    assert employer.kvk_number in page.locator(".acting-for").inner_text()

    page.get_by_role("link", name="New application").click()
    shot(page, "create")
    page.get_by_role("button", name="Create application").click()
    assert page.locator("h1").inner_text().startswith("Application SPP-T8-")

    page.get_by_role("link", name="Upload participant file").click()
    bad_file = tmp_path / "deelnemers.csv"
    bad_file.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    page.get_by_label("Participant file").set_input_files(str(bad_file))
    page.get_by_role("button", name="Upload").click()
    errors = page.locator("table.errors-table tbody tr")
    assert errors.count() == 1
    assert errors.first.locator("td").first.inner_text() == "3"
    assert page.locator(".error-summary").is_visible()
    shot(page, "upload-errors")
    application = Application.objects.get(employer=employer)
    assert application.participants.count() == 0  # all or nothing

    fixed_file = tmp_path / "deelnemers-fixed.csv"
    fixed_file.write_text(HEADER + GOOD + FIXED, encoding="utf-8")
    page.get_by_label("Participant file").set_input_files(str(fixed_file))
    page.get_by_role("button", name="Upload").click()
    assert "2 participants have been imported" in page.locator(".messages").inner_text()
    assert "€ 10.000,00" in page.locator("table.matrix tfoot").inner_text()
    shot(page, "detail")

    page.get_by_role("link", name="Submit application").click()
    assert "Submitting is final." in page.content()
    page.get_by_role("button", name="Submit application").click()  # without confirming: an error
    assert page.locator(".error-summary").is_visible()
    shot(page, "submit-error")
    page.get_by_label("I understand and confirm").check()
    page.get_by_role("button", name="Submit application").click()
    assert "has been submitted" in page.locator(".messages").inner_text()
    shot(page, "submitted")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_reviewer_finds_application_in_queue_and_assesses_it_R15(live_server, browser_page, shot):
    from decimal import Decimal

    from django.contrib.auth.models import Group

    from tests.applications.factories import ApplicationFactory, EmployerFactory, ParticipantFactory, UserFactory

    reviewer = UserFactory(username="beoordelaar")
    reviewer.groups.add(Group.objects.get_or_create(name="office_reviewer")[0])
    period = PeriodFactory(number=9)
    application = ApplicationFactory(
        employer=EmployerFactory(name="Verpleeghuis De Linde", kvk_number="55667788"), period=period, submitted=True
    )
    first = ParticipantFactory(application=application, requested_amount=Decimal("5000.00"))
    second = ParticipantFactory(application=application, requested_amount=Decimal("2000.00"))
    ApplicationFactory(period=period, submitted=True)
    page = browser_page

    page.goto(f"{live_server.url}/inloggen/")
    page.get_by_label("Username").fill("beoordelaar")
    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Search by reference or KvK number").fill("55667788")
    page.get_by_role("button", name="Search").click()
    assert page.locator("table tbody tr").count() == 1
    shot(page, "office-queue")
    page.get_by_role("link", name=application.reference).click()

    page.locator(f"#eligible_{first.pk}_yes").check()
    page.locator(f"#eligible_{second.pk}_no").check()
    page.get_by_role("button", name="Save assessment").click()
    assert page.locator(".error-summary").is_visible()  # a reason is required for "not eligible"
    shot(page, "office-review-error")
    page.locator(f"#reason_{second.pk}").fill("Not employed by the applicant")
    page.get_by_role("button", name="Save assessment").click()
    assert page.locator("#eligible-amount").inner_text() == "€ 5.000,00"
    shot(page, "office-review")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ASSESSED
