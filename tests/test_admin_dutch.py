"""Issue 15 item 4: the Django admin speaks Dutch.

Every registered model's changelist and (for a row of the demo data) change page, rendered for a staff user
under Dutch, shows no "X object (4)" (every model has a readable ``__str__``) and none of the English labels of
its fields or its name (every verbose name is marked for translation and has a Dutch msgstr), nor the labels the
issue quoted ("Created by"). The period form's inline fields carry an ``aria-label`` (axe ``label``; the browser
check is in tests/e2e/test_admin_accessibility.py).
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

import sectorplan.urls  # noqa: F401 - loads every app's admin module into the registry
from applications.models import ApplicationTransition
from budgets.models import Period
from sectorplan.roles import Role
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db

#: Django's name for a model without ``__str__``: "ApplicationTransition object (4)".
OBJECT_N = re.compile(r"\w+ object \(\d+\)")
#: Labels the issue saw in English.
KNOWN_ENGLISH = ["Created by", "Created at", "Actor", "Decided by", "Recorded by", "Uploaded by", "Confirmed by"]
#: Models whose field labels are plain English strings in their package (not marked for translation, so no
#: catalogue can translate them); their pages are still checked for "object (" and a 200.
THIRD_PARTY_ENGLISH = {TOTPDevice}
#: Words that are the same in Dutch (a label equal in both languages is not an untranslated label).
SAME_IN_DUTCH = {"status", "code", "factor", "iban", "sha-256", "object", "token", "tokens", "interval", "crontab",
                 "crontabs", "id", "e-mail", "kvk-nummer"}


@pytest.fixture(scope="module")
def registry():
    return dict(admin.site._registry)


@pytest.fixture
def demo_data(db):
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    call_command("seed_reference", verbosity=0)
    call_command("seed_demo", verbosity=0)


def _english_labels(model) -> set[str]:
    """The model's names and field labels as English shows them, where Dutch differs."""
    labels = set()
    texts = [model._meta.verbose_name, model._meta.verbose_name_plural]
    texts += [f.verbose_name for f in model._meta.get_fields() if hasattr(f, "verbose_name") and f.name != "id"]
    for text in texts:
        with translation.override("en"):
            english = str(text)
        with translation.override("nl"):
            dutch = str(text)
        if english.lower() not in SAME_IN_DUTCH and english.lower() != dutch.lower():
            labels.add(english[:1].upper() + english[1:])
    return labels


def _shown_labels(html: str) -> set[str]:
    """The texts of the page's labels, column headers and headings (tags stripped)."""
    found = re.findall(r"<(label|th|h1|h2|a)\b[^>]*>(.*?)</\1>", html, flags=re.S)
    return {re.sub(r"<[^>]+>|:$", "", text).strip() for _, text in found}


def test_every_registered_model_reads_dutch_in_the_admin(client, staff_user, demo_data, registry):
    login_verified(client, staff_user)
    request = RequestFactory().get("/admin/")
    request.user = staff_user
    checked_changes, problems = 0, []
    for model, model_admin in registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        pages = [reverse(f"admin:{info}_changelist")]
        obj = model_admin.get_queryset(request).first()
        if obj is not None:
            pages.append(reverse(f"admin:{info}_change", args=[obj.pk]))
            checked_changes += 1
        english = set() if model in THIRD_PARTY_ENGLISH else _english_labels(model) | set(KNOWN_ENGLISH)
        for inline in model_admin.inlines:
            english |= _english_labels(inline.model)
        for url in pages:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
            if response.status_code != 200:
                problems.append(f"{url}: HTTP {response.status_code}")
                continue
            html = response.content.decode()
            assert 'lang="nl"' in html, url
            unnamed = OBJECT_N.search(html)
            if unnamed:
                problems.append(f"{url}: {unnamed[0]}")
            shown = _shown_labels(html) & english
            if shown:
                problems.append(f"{url}: English {sorted(shown)}")
    assert checked_changes >= 20, checked_changes  # the demo data fills most models
    assert problems == [], "\n".join(problems)


def test_a_status_change_reads_as_its_application_and_statuses(client, staff_user, demo_data):
    """The issue's "ApplicationTransition object (4)": the inline row names the application and the statuses."""
    login_verified(client, staff_user)
    transition = ApplicationTransition.objects.exclude(from_status="").select_related("application").first()
    with translation.override("nl"):
        name = str(transition)
    assert str(transition.application) in name and transition.get_to_status_display() in name
    url = reverse("admin:applications_application_change", args=[transition.application_id])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "object (" not in html
    assert name.replace("→", "&rarr;") in html or name in html


def test_the_period_inline_fields_are_labelled(client, staff_user, demo_data):
    """axe ``label`` (critical): every visible input of the period form has a label or an aria-label."""
    login_verified(client, staff_user)
    period = Period.objects.order_by("number").first()
    html = client.get(reverse("admin:budgets_period_change", args=[period.pk]), HTTP_ACCEPT_LANGUAGE="nl").content
    html = html.decode()
    labelled_ids = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    unlabelled = []
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if re.search(r'type="(hidden|submit|button)"', tag):
            continue
        element_id = re.search(r'\bid="([^"]+)"', tag)
        if "aria-label=" in tag or (element_id and element_id[1] in labelled_ids):
            continue
        unlabelled.append(tag)
    assert unlabelled == [], unlabelled
    assert 'aria-label="Subsidieplafond (regel 1)"' in html
    assert re.search(r'aria-label="[^"]+ \(datum\)"', html) and re.search(r'aria-label="[^"]+ \(tijd\)"', html)
