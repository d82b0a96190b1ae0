"""Issue 15 item 5: axe-core on every page of every demo role, a keyboard-only employer flow and a 320 px check.

The demo data (``seed_reference`` + ``seed_demo``, as ``make run`` makes it) is loaded; each demo account logs in
through the login form (office and Commission accounts with their TOTP code, R41) in one browser context, and the
test walks every page that account can reach by following the portal's own links from the home page (same origin,
GET only; downloads, the API, the admin and logging out are not pages of the portal). At most
:data:`PER_PATTERN` pages per URL pattern (digits folded), so 1,000 applications cost as much as two. axe-core
(``axe-playwright-python``, which ships axe-core) runs on each page; any violation of impact ``serious`` or
``critical`` fails the test with the rule, the page and the offending elements.
"""

import os
import re
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import sync_playwright

from accounting.demo import DEMO_PASSWORD
from sectorplan.roles import Role
from sectorplan.second_factor import requires_second_factor
from tests.e2e.conftest import ARGS, CHROMIUM
from tests.support.otp import totp_code, totp_device

ROLES = ["zorgwerkgever", "verantwoorder", "beoordelaar", "beslisser", "commissie", "ministerie"]
PER_PATTERN = 2
MAX_PAGES = 80
BLOCKING = {"serious", "critical"}
#: Not portal pages: the API (JSON/CSV for machines), the admin (Django's own), logging out, files.
#: Not pages: the API, the admin, logging out, static files and downloads (files by extension, evidence and
#: agreement documents by their ``documenten/<id>/`` address).
SKIP = re.compile(r"^/(api/|admin/|uitloggen/|static/|media/)|\.(pdf|xml|csv|xlsx|zip)$|[?&]format=|/documenten/\d+/$")


#: The innermost elements whose right edge lies beyond the viewport (tag.class), for the failure message.
WIDE_ELEMENTS = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1
  && ![...e.children].some(c => c.getBoundingClientRect().right > innerWidth + 1))
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : ''))"""


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path)


@pytest.fixture
def demo_data(db):
    for role in Role:  # the migrations' groups; a transactional test starts from an emptied database
        Group.objects.get_or_create(name=role.value)
    call_command("seed_reference", verbosity=0)
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls while Playwright's loop runs
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            connections.close_all()  # see conftest.browser_page
    connections.close_all()


def _log_in(page, base, username):
    page.goto(f"{base}/inloggen/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    user = User.objects.get(username=username)
    if requires_second_factor(user):
        page.locator("input[name=otp]").fill(totp_code(totp_device(user)))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "/inloggen/" not in page.url, f"{username} could not log in"


def _links(page, base) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href], nav a[href], header a[href]", "els => els.map(e => e.href)")
    host = urlparse(base).netloc
    out = []
    for href in hrefs:
        url = urldefrag(urljoin(page.url, href))[0]
        parsed = urlparse(url)
        if parsed.netloc != host or SKIP.search(parsed.path + ("?" + parsed.query if parsed.query else "")):
            continue
        out.append(url)
    return out


def _crawl_and_check(page, base) -> tuple[list[str], list[str]]:
    axe = Axe()
    queue, seen, per_pattern, visited, problems = [f"{base}/"], set(), {}, [], []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        path = urlparse(url).path
        key = _pattern(path) + ("?" if urlparse(url).query else "")
        if url in seen or per_pattern.get(key, 0) >= PER_PATTERN:
            continue
        seen.add(url)
        per_pattern[key] = per_pattern.get(key, 0) + 1
        response = page.goto(url)
        if response is None or response.status >= 500:
            problems.append(f"{url}: HTTP {response.status if response else '?'}")
            continue
        if "/inloggen/" in page.url:
            continue
        visited.append(page.url)
        result = axe.run(page)
        for violation in result.response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
                problems.append(f"{page.url}: {violation['impact']} {violation['id']} ({violation['help']}): {targets}")
        queue.extend(link for link in _links(page, base) if link not in seen)
    return visited, problems


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", ROLES)
def test_axe_finds_no_serious_or_critical_violation_on_any_page_of_a_demo_role(username, demo_data, live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    try:
        _log_in(page, live_server.url, username)
        visited, problems = _crawl_and_check(page, live_server.url)
    finally:
        context.close()
    print(f"{username}: {len(visited)} pages checked")  # noqa: T201 - shown with -s
    assert len(visited) >= 2, visited  # the home page and at least one page behind it
    assert problems == [], "\n".join(problems)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_office_landing_page_is_what_an_office_user_sees_first(demo_data, live_server, browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    try:
        _log_in(page, live_server.url, "beslisser")
        assert page.url.endswith("/account/start/")
        assert page.locator("h1").inner_text() == "What needs doing"
        assert page.get_by_role("heading", name="Proposals to confirm").is_visible()
    finally:
        context.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_employer_creates_an_application_with_the_keyboard_only(demo_data, live_server, browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    try:
        _log_in(page, live_server.url, "zorgwerkgever")
        if "/werkgever/" in page.url:  # three employers: the chooser comes first (R2)
            page.locator("main button[type=submit]").click()
        page.goto(f"{live_server.url}/aanvragen/")
        # Tab until the link to the create-application form has the focus, then follow it with Enter.
        for _ in range(60):
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.getAttribute('href') || ''")
            if focused.endswith("/aanvragen/nieuw/"):
                break
        else:
            pytest.fail("the create-application link cannot be reached with Tab")
        page.keyboard.press("Enter")
        page.wait_for_url("**/aanvragen/nieuw/")
        # Tab to the form's submit button (through its fields) and press it: the application is created.
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.name === 'region'"):
                page.keyboard.press("End")  # the last region: the demo employer has applications elsewhere
            if page.evaluate("document.activeElement.type === 'submit' && !!document.activeElement.closest('main')"):
                break
        else:
            pytest.fail("the create button cannot be reached with Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/aanvragen/\d+/plan/$"))
        assert "has been created" in page.locator(".messages").inner_text()
        # The plan matrix: Tab to its first count field, type, and save with the keyboard.
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("(document.activeElement.id || '').startsWith('id_count_')"):
                break
        else:
            pytest.fail("the plan's fields cannot be reached with Tab")
        page.keyboard.type("2")
        with page.expect_navigation():
            page.keyboard.press("Enter")  # submits the plan form (its first submit button: save)
        assert "The plan has been saved" in page.locator(".messages").inner_text()
    finally:
        context.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_employer_pages_do_not_scroll_sideways_at_320_px(demo_data, live_server, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="nl-NL")
    page = context.new_page()
    wide = []
    try:
        _log_in(page, live_server.url, "zorgwerkgever")
        if "/werkgever/" in page.url:
            page.locator("main button[type=submit]").click()
        for path in ["/aanvragen/", "/aanvragen/nieuw/", "/account/te-doen/", "/account/", "/berichten/"]:
            page.goto(f"{live_server.url}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                culprits = page.evaluate(WIDE_ELEMENTS)
                wide.append(f"{path}: {width}px ({', '.join(culprits)})")
    finally:
        context.close()
    assert wide == []
