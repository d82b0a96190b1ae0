"""Shared set-up of the browser tests: Playwright driving Debian's Chromium, headless, against the live server.

Set PORTAL_SCREENSHOTS=/tmp to keep screenshots of the key pages (``<dir>/portal-<name>.png``).
"""

import os

import pytest
from django.contrib.auth.models import User
from django.db import connections

from sectorplan.second_factor import requires_second_factor
from tests.support.otp import totp_code, totp_device

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PASSWORD = "secret-pass-123"  # UserFactory's password


@pytest.fixture
def browser_page():
    """A page in English (Accept-Language en-GB) so the tests do not depend on the Dutch catalogue."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
        try:
            yield page
        finally:
            browser.close()
            # ORM calls made by the test while Playwright's event loop runs get a connection of their own
            # (Django keeps connections per asyncio context); close it here, or the test database cannot be
            # dropped at the end of the run ("is being accessed by other users").
            connections.close_all()
    connections.close_all()


@pytest.fixture
def shot():
    """``shot(page, name)`` saves a full-page screenshot when PORTAL_SCREENSHOTS names a directory."""

    def take(page, name):
        directory = os.environ.get("PORTAL_SCREENSHOTS")
        if directory:
            page.screenshot(path=os.path.join(directory, f"portal-{name}.png"), full_page=True)

    return take


@pytest.fixture
def log_in(live_server):
    """``log_in(page, username)`` logs in through the login form."""

    def do(page, username, password=PASSWORD):
        page.goto(f"{live_server.url}/inloggen/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        user = User.objects.filter(username=username).first()
        if user is not None and requires_second_factor(user):  # R41: office, Commission and staff type the code
            page.get_by_label("Verification code").fill(totp_code(totp_device(user)))
        page.get_by_role("button", name="Log in").click()

    return do
