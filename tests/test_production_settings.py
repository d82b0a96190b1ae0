"""Issue 16, item 7: production refuses what would leak or lie, and `check --deploy` has nothing to say."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: A production environment that is complete: every test below takes one thing away or adds one.
REAL_ENV = {
    "DJANGO_SETTINGS_MODULE": "sectorplan.settings.production",
    "SECRET_KEY": "k3J#9vQ!xZ2@pL7$wR4^tY8&uN1*mB6(cV5)eH0-gF3+dS9=aQ2_zX7",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
    "EMAIL_URL": "smtp://mail.sectorplanplus.nl:587",
    "LETTER_OFFICE_NAME": "Uitvoeringsorganisatie SectorplanPlus",
    "LETTER_OFFICE_DEPARTMENT": "Afdeling Subsidieverlening",
    "LETTER_OFFICE_POSTBUS": "Postbus 1234",
    "LETTER_OFFICE_POSTAL_CODE": "3500 AB",
    "LETTER_OFFICE_CITY": "Utrecht",
    "LETTER_OFFICE_PHONE": "030 123 45 67",
    "LETTER_OFFICE_EMAIL": "info@sectorplanplus.nl",
    "LETTER_OFFICE_WEBSITE": "www.sectorplanplus.nl",
    "LETTER_SIGNATORY_NAME": "J. Jansen",
    "LETTER_SIGNATORY_FUNCTION": "hoofd van de Uitvoeringsorganisatie",
    "LETTER_OBJECTION_ADDRESSEE": "de Minister van Volksgezondheid, Welzijn en Sport",
    "LETTER_DEBTOR_IBAN": "NL91 ABNA 0417 1643 00",
}


def _run(args, **overrides):
    # Not the test run's own settings (nor pytest-playwright's DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy flags).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LETTER_", "EMAIL_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"))}
    env.update(REAL_ENV)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _settings(**overrides):
    return _run(["-c", "import django; django.setup()"], **overrides)


def test_complete_production_configuration_starts():
    result = _settings()
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("email_url", [None, "consolemail://", "memorymail://", "dummymail://"])
def test_production_refuses_a_mail_backend_that_sends_nothing(email_url):
    result = _settings(EMAIL_URL=email_url)
    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr


def test_production_refuses_placeholder_letter_settings_R27():
    result = _settings(LETTER_OFFICE_POSTBUS="Postbus 0000", LETTER_DEBTOR_IBAN=None)
    assert result.returncode != 0
    assert "LETTER_OFFICE_POSTBUS" in result.stderr and "LETTER_DEBTOR_IBAN" in result.stderr


def test_check_deploy_reports_no_warning_under_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout


def test_production_security_settings():
    probe = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD,"
        " s.SECURE_SSL_REDIRECT, all(db['CONN_HEALTH_CHECKS'] for db in s.DATABASES.values()),"
        " [r.rsplit('.', 1)[1] for r in s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES']])"
    )
    result = _run(["-c", probe])
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "True True True True True ['CamelCaseJSONRenderer']"


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_and_a_permissions_policy(client):
    response = client.get("/inloggen/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
