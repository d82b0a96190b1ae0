"""Issue 15 item 4: the admin's period change page (three tabular inlines, split date-time fields) has no
serious or critical axe-core violation; before, its inline fields had no label (axe ``label``, critical).

The staff demo account logs in with its TOTP code (R41) through the login form, as in test_accessibility.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from budgets.models import Period
from tests.e2e.test_accessibility import BLOCKING, _log_in
from tests.e2e.test_accessibility import browser as browser  # noqa: F401 - the shared fixtures
from tests.e2e.test_accessibility import demo_data as demo_data  # noqa: F401


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_axe_finds_no_serious_or_critical_violation_on_the_admin_period_page(demo_data, live_server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    try:
        _log_in(page, live_server.url, "beheerder")
        period = Period.objects.order_by("number").first()
        response = page.goto(f"{live_server.url}/admin/budgets/period/{period.pk}/change/")
        assert response.status == 200
        assert page.locator("html").get_attribute("lang") == "nl"
        assert page.locator("#budget_lines-group input[name$='-ceiling']").count() >= 1  # the inline rows are there
        result = Axe().run(page)
    finally:
        context.close()
    problems = [
        f"{v['impact']} {v['id']} ({v['help']}): " + "; ".join(", ".join(n["target"]) for n in v["nodes"][:5])
        for v in result.response["violations"]
        if v["impact"] in BLOCKING
    ]
    assert problems == [], "\n".join(problems)
