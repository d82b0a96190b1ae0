"""Browser test: an account of two employers switches between them and reports on a granted application.

An account linked to employers A and B logs in, chooses A, switches to B (the header always names the acting
employer, R2), opens B's granted application (decisions and their letters are listed), opens the
accountability report, first submits it incomplete (an error per registration, nothing saved), then completes
it and sees it accepted (R29).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounting.models import AccountabilityReport
from applications.constants import LetterStatus, MembershipRole
from applications.models import Letter
from tests.accounting.factories import granted_application
from tests.applications.factories import ApplicationFactory, EmployerFactory, MembershipFactory, UserFactory
from tests.budgets.factories import PeriodFactory


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_account_of_a_and_b_switches_to_b_and_files_the_accountability_report_R2_R29(
    live_server, browser_page, shot, log_in
):
    now = timezone.now()
    period = PeriodFactory(  # the application window has closed; accountability is still open
        number=41, application_opens=now - timedelta(days=60), application_closes=now - timedelta(days=30),
        accountability_deadline=timezone.localdate() + timedelta(days=90),
    )
    user = UserFactory(username="tweewerkgevers")
    a = EmployerFactory(name="Alfa Zorg", kvk_number="11112222")
    b = EmployerFactory(name="Beta Welzijn", kvk_number="33334444")
    MembershipFactory(user=user, employer=a, role=MembershipRole.CONTACT)
    MembershipFactory(user=user, employer=b, role=MembershipRole.ACCOUNTABILITY_OFFICER)
    ApplicationFactory(employer=a, period=period, submitted=True)
    application = granted_application(employer=b, period=period, registrations=[("A", None), ("C", Decimal("1500.00"))])
    decision = application.decisions.get()
    Letter.objects.create(decision=decision, version=1, status=LetterStatus.DONE, sha256="0" * 64,
                          file="letters/test.pdf")
    first, second = application.registrations.order_by("pk")
    page = browser_page

    log_in(page, "tweewerkgevers")
    # Two employers: the portal asks whom the account acts for.
    assert page.locator("h1").inner_text() == "Choose the employer you act for"
    page.get_by_label("Alfa Zorg").check()
    page.get_by_role("button", name="Continue").click()
    acting = page.locator(".acting-for")
    assert "Alfa Zorg" in acting.inner_text() and "11112222" in acting.inner_text()
    assert application.reference not in page.locator("main").inner_text()  # only A's applications
    shot(page, "employer-list")

    acting.get_by_role("link", name="Switch employer").click()
    page.get_by_label("Beta Welzijn").check()
    page.get_by_role("button", name="Continue").click()
    assert "Beta Welzijn" in page.locator(".acting-for").inner_text()
    assert "Alfa Zorg" not in page.locator(".acting-for").inner_text()

    page.get_by_role("link", name=application.reference).click()
    assert page.locator("h1").inner_text() == f"Application {application.reference}"
    decisions = page.locator("table.decisions tbody tr")
    assert decisions.count() == 1
    assert "Grant" in decisions.first.inner_text() and "Done" in decisions.first.inner_text()
    assert decisions.first.get_by_role("link", name="Download letter").get_attribute("href") == (
        f"/brieven/{decision.letters.get().pk}/pdf/"
    )
    shot(page, "detail-decisions")

    page.get_by_role("link", name="Accountability report").click()
    assert page.locator("h1").inner_text() == f"Accountability report for {application.reference}"
    assert "Beta Welzijn" in page.locator(".acting-for").inner_text()
    page.get_by_label(f"Started: {first.surname}").select_option("yes")
    page.get_by_label(f"Outcome: {first.surname}").select_option("completed")
    page.get_by_label(f"Started: {second.surname}").select_option("yes")
    page.get_by_label(f"Outcome: {second.surname}").select_option("ongoing")
    page.get_by_role("button", name="Submit report").click()  # the actual cost of the C trajectory is missing
    assert page.locator(".error-summary").is_visible()
    assert page.locator("tr.row--error").count() == 1
    assert not AccountabilityReport.objects.filter(application=application, submitted_at__isnull=False).exists()
    shot(page, "report-error")

    page.get_by_label(f"Actual cost: {second.surname}").fill("1234,50")
    page.get_by_role("button", name="Submit report").click()
    assert "Your accountability report has been received." in page.locator(".messages").inner_text()
    assert "Received" in page.locator("#report-status").inner_text()
    shot(page, "report-received")
    second.refresh_from_db()
    assert (second.outcome, second.actual_cost) == ("ongoing", Decimal("1234.50"))

    page.get_by_role("link", name="Accountability", exact=True).first.click()
    row = page.locator("table tbody tr", has_text=application.reference)
    assert "Submitted" in row.inner_text()
    shot(page, "due-list")
