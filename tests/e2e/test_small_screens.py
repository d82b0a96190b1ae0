"""Issue 15 item 4: the portal at 320 px (WCAG 1.4.10 reflow). On the employer's main pages the page never scrolls
sideways, "Uitloggen" stays on screen, and a wide table scrolls inside a region a keyboard can reach. The pages are
in Dutch (Accept-Language nl) and styled by the NL Design System CSS that `make static-assets` builds."""

import os
from datetime import date, timedelta

import pytest
from django.db import connections
from django.utils import timezone

from applications.constants import ApplicationStatus
from tests.applications.factories import ApplicationFactory, MembershipFactory, PlanLineFactory
from tests.budgets.factories import PeriodFactory
from tests.e2e.conftest import ARGS, CHROMIUM, PASSWORD

PAGES = ["/", "/aanvragen/", "/aanvragen/{pk}/", "/aanvragen/{pk}/plan/", "/aanvragen/nieuw/", "/account/",
         "/toegankelijkheid/", "/contact/"]


@pytest.fixture
def small_page():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 320, "height": 640}, locale="nl-NL")
        try:
            yield page
        finally:
            browser.close()
            connections.close_all()
    connections.close_all()


def _no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_employer_pages_reflow_at_320_px_with_log_out_on_screen(live_server, small_page, shot):
    now = timezone.now()
    period = PeriodFactory(
        number=8, application_opens=now - timedelta(days=1), application_closes=now + timedelta(days=20),
        training_start_from=date(2027, 1, 1), training_start_until=date(2027, 12, 31),
    )
    membership = MembershipFactory(user__username="werkgever-met-een-heel-lange-gebruikersnaam",
                                   employer__name="Stichting Zorggroep Oost-Nederland en Omstreken")
    application = ApplicationFactory(employer=membership.employer, period=period, status=ApplicationStatus.DRAFT)
    PlanLineFactory(application=application)
    page = small_page

    page.goto(f"{live_server.url}/inloggen/")
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != ""
    # The NL Design System stylesheets are served (built by `make static-assets`), not missing.
    for sheet in ("rhc-tokens", "utrecht-components", "utrecht-html"):
        response = page.request.get(f"{live_server.url}/static/nlds/{sheet}.css")
        assert response.status == 200, f"{sheet}.css is missing: run `make static-assets`"
    assert _no_sideways_scroll(page)
    page.get_by_label("Gebruikersnaam").fill(membership.user.username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    failures = []
    for template in PAGES:
        url = template.format(pk=application.pk)
        page.goto(f"{live_server.url}{url}")
        shot(page, "320" + url.replace("/", "-"))
        logout = page.get_by_role("button", name="Uitloggen")
        box = logout.bounding_box()
        if box is None or box["x"] < 0 or box["x"] + box["width"] > 320:
            failures.append(f"{url}: Uitloggen off screen ({box})")
        if not _no_sideways_scroll(page):
            wide = page.evaluate(
                "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 321)"
                ".slice(0, 3).map(e => e.tagName + '.' + e.className)")
            failures.append(f"{url}: scrolls sideways ({wide})")
        # Every region that scrolls sideways can be reached with the keyboard and has a name.
        unreachable = page.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => e.scrollWidth > e.clientWidth + 1"
            " && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)"
            " && !(e.tabIndex >= 0 && e.getAttribute('aria-label'))).map(e => e.tagName + '.' + e.className)")
        if unreachable:
            failures.append(f"{url}: scroll region without tabindex/aria-label {unreachable}")
    assert not failures, "\n".join(failures)
