"""Browser tests: Playwright driving Debian's Chromium, headless, against the live server.

The employer logs in, creates an application, fills in the plan as a matrix (a cell with an error first, shown on
the cell with its reason and nothing saved), sees the requested amount per line and in total, and submits through
the confirmation step (R6-R8, R12, R38). The office finds the plan in its queue and assesses it per line (R15).
Set PORTAL_SCREENSHOTS=/tmp to keep screenshots of the key pages (/tmp/portal-*.png); see conftest.py.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from applications.constants import ApplicationStatus
from applications.models import Application
from tests.applications.factories import (
    ApplicationFactory,
    EmployerFactory,
    MembershipFactory,
    PlanLineFactory,
    UserFactory,
)
from tests.budgets.factories import PeriodFactory
from tests.support.otp import totp_code, totp_device


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_employer_fills_in_the_plan_matrix_and_submits_R6_R7_R8_R12(live_server, browser_page, shot):
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
    assert page.locator("h1").inner_text().startswith("Plan of application SPP-T8-")

    # The matrix: 2 x A (fixed EUR 5,000) and 3 x C at EUR 1.500,00; the script shows the amounts as one types.
    page.locator("#id_count_A_upskilling").fill("2")
    page.locator("#id_count_C_new_intake").fill("3")
    page.locator("#id_cost_C_new_intake").fill("1.500,00")
    assert page.locator("#plan-total").inner_text().replace("\xa0", " ") == "€ 14.500,00"
    # A cell with a number but no planned cost for an actual-cost type: refused on that cell, nothing saved.
    page.locator("#id_count_D_upskilling").fill("1")
    page.get_by_role("button", name="Save plan").click()
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#id_cost_D_upskilling_error").is_visible()
    shot(page, "plan-errors")
    application = Application.objects.get(employer=employer)
    assert application.plan_lines.count() == 0  # all or nothing

    page.locator("#id_cost_D_upskilling").fill("800")
    page.get_by_role("button", name="Save plan").click()
    assert "The plan has been saved" in page.locator(".messages").inner_text()
    # Computed by the server on save: 10,000 + 4,500 + 800.
    assert page.locator("#plan-total").inner_text().replace("\xa0", " ") == "€ 15.300,00"
    shot(page, "plan")
    application.refresh_from_db()
    assert application.requested_amount == Decimal("15300.00")

    page.get_by_role("button", name="Save and continue to submit").click()
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
def test_reviewer_finds_the_plan_in_the_queue_and_assesses_it_per_line_R15(live_server, browser_page, shot):
    reviewer = UserFactory(username="beoordelaar")
    reviewer.groups.add(Group.objects.get_or_create(name="office_reviewer")[0])
    period = PeriodFactory(number=9)
    application = ApplicationFactory(
        employer=EmployerFactory(name="Verpleeghuis De Linde", kvk_number="55667788"), period=period, submitted=True
    )
    first = PlanLineFactory(application=application, activity_type="A", count=1)
    second = PlanLineFactory(application=application, activity_type="C", count=2, planned_cost=Decimal("1000.00"),
                             amount_per_trajectory=Decimal("1000.00"))
    ApplicationFactory(period=period, submitted=True)
    page = browser_page

    page.goto(f"{live_server.url}/inloggen/")
    page.get_by_label("Username").fill("beoordelaar")
    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_label("Verification code").fill(totp_code(totp_device(reviewer)))  # R41: a real TOTP code
    page.get_by_role("button", name="Log in").click()
    assert page.locator("h1").inner_text() == "What needs doing"  # issue 15: the office lands on its to-do page
    page.get_by_role("link", name="Period 9: 2 plans").click()
    page.get_by_label("Search by reference or KvK number").fill("55667788")
    page.get_by_role("button", name="Search").click()
    assert page.locator("table tbody tr").count() == 1
    shot(page, "office-queue")
    page.get_by_role("link", name=application.reference).click()

    page.locator(f"#eligible_{first.pk}").fill("1")
    page.locator(f"#eligible_{second.pk}").fill("1")
    page.get_by_role("button", name="Save assessment").click()
    assert page.locator(".error-summary").is_visible()  # a reason is required for a lower count
    shot(page, "office-review-error")
    page.locator(f"#reason_{second.pk}").fill("One trajectory is not a qualifying training")
    page.get_by_role("button", name="Save assessment").click()
    assert page.locator("#eligible-amount").inner_text() == "€ 6.000,00"
    shot(page, "office-review")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ASSESSED
    second.refresh_from_db()
    assert second.eligible_count == 1 and second.reason == "One trajectory is not a qualifying training"
