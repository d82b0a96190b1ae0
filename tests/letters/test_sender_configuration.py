"""The sender of the letters is configuration, and production refuses placeholders (R27, issue 14 item 2)."""

from django.core import checks
from django.test import override_settings

from applications.system_checks import LETTER_SETTINGS, check_letter_sender

REAL = {
    "LETTER_OFFICE_NAME": "Uitvoeringsorganisatie SectorplanPlus",
    "LETTER_OFFICE_DEPARTMENT": "Afdeling Subsidieverlening",
    "LETTER_OFFICE_POSTBUS": "Postbus 20350",
    "LETTER_OFFICE_POSTAL_CODE": "2500 EJ",
    "LETTER_OFFICE_CITY": "Den Haag",
    "LETTER_OFFICE_PHONE": "070 340 79 11",
    "LETTER_OFFICE_EMAIL": "info@sectorplanplus.nl",
    "LETTER_OFFICE_WEBSITE": "www.sectorplanplus.nl",
    "LETTER_SIGNATORY_NAME": "mr. J.A. de Vries",
    "LETTER_SIGNATORY_FUNCTION": "directeur Subsidieverlening",
    "LETTER_OBJECTION_ADDRESSEE": "de Minister van Volksgezondheid, Welzijn en Sport",
    "LETTER_DEBTOR_IBAN": "NL91 ABNA 0417 1643 00",
}


def _flagged(errors):
    assert all(e.id == "applications.E001" and e.level == checks.ERROR for e in errors)
    return {e.obj for e in errors}


@override_settings(ENVIRONMENT="production")
def test_production_refuses_every_development_placeholder_R27():
    """The development defaults (Postbus 0000, 0000 AA, .example, NL00 ...) are each an Error in production."""
    flagged = _flagged(check_letter_sender())
    for name in ("LETTER_OFFICE_POSTBUS", "LETTER_OFFICE_POSTAL_CODE", "LETTER_OFFICE_PHONE", "LETTER_OFFICE_EMAIL",
                 "LETTER_OFFICE_WEBSITE", "LETTER_SIGNATORY_NAME", "LETTER_DEBTOR_IBAN"):
        assert name in flagged


@override_settings(ENVIRONMENT="production", **{**REAL, "LETTER_SIGNATORY_NAME": ""})
def test_production_refuses_an_empty_signatory_R27():
    assert _flagged(check_letter_sender()) == {"LETTER_SIGNATORY_NAME"}


@override_settings(ENVIRONMENT="production", **REAL)
def test_production_accepts_real_configuration_R27():
    assert check_letter_sender() == []
    assert set(REAL) == set(LETTER_SETTINGS)


@override_settings(ENVIRONMENT="development")
def test_development_runs_on_the_placeholders_R27():
    assert check_letter_sender() == []


@override_settings(ENVIRONMENT="production", **{**REAL, "LETTER_OFFICE_POSTBUS": "Postbus 0000"})
def test_the_check_is_registered_with_django_R27():
    errors = checks.run_checks()
    assert any(e.id == "applications.E001" and e.obj == "LETTER_OFFICE_POSTBUS" for e in errors)
