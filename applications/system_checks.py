"""Django system checks of ``applications``: the sender of the letters is real configuration in production (R27).

Registered in :meth:`applications.apps.ApplicationsConfig.ready`. ``applications.E001`` is an Error for every
``LETTER_*`` setting that is empty or still a development placeholder while ``ENVIRONMENT == "production"``;
``manage.py check --deploy`` and every management command refuse to go on.
"""

from django.conf import settings
from django.core import checks
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

#: The letter settings that must be configured, and what the office reads them as.
LETTER_SETTINGS = (
    "LETTER_OFFICE_NAME",
    "LETTER_OFFICE_DEPARTMENT",
    "LETTER_OFFICE_POSTBUS",
    "LETTER_OFFICE_POSTAL_CODE",
    "LETTER_OFFICE_CITY",
    "LETTER_OFFICE_PHONE",
    "LETTER_OFFICE_EMAIL",
    "LETTER_OFFICE_WEBSITE",
    "LETTER_SIGNATORY_NAME",
    "LETTER_SIGNATORY_FUNCTION",
    "LETTER_OBJECTION_ADDRESSEE",
    "LETTER_DEBTOR_IBAN",
)

#: Pieces of the development defaults that no real value contains.
PLACEHOLDER_MARKS = ("0000", "00 00", ".example", "voorbeeld", "placeholder", "NL00", "xxx")


def placeholder_reason(value) -> str | None:
    """Why ``value`` is not real configuration, or None."""
    text = str(value or "").strip()
    if not text:
        return "empty"
    lowered = text.lower()
    for mark in PLACEHOLDER_MARKS:
        if mark.lower() in lowered:
            return f"placeholder ({mark!r})"
    return None


def check_letter_sender(app_configs=None, **kwargs):
    if getattr(settings, "ENVIRONMENT", "") != "production":
        return []
    errors = []
    for name in LETTER_SETTINGS:
        reason = placeholder_reason(getattr(settings, name, ""))
        if reason:
            errors.append(
                checks.Error(
                    f"{name} is {reason}: letters would be sent with it.",
                    hint=f"Set {name} in the environment to the office's real value (R27).",
                    obj=name,
                    id="applications.E001",
                )
            )
    return errors


#: R48: the debtor account of the SEPA payment files.
PAYMENT_SETTINGS = ("PAYMENT_DEBTOR_NAME", "PAYMENT_DEBTOR_IBAN", "PAYMENT_DEBTOR_BIC")
#: The development defaults of the debtor account (a textbook IBAN; a BIC of a bank called TEST).
PAYMENT_PLACEHOLDERS = ("NL91ABNA0417164300", "TESTNL2A")


def payment_debtor_problem(name: str, value) -> str | None:
    """Why the debtor setting ``name`` is not a real, valid value, or None."""
    reason = placeholder_reason(value)
    if reason:
        return reason
    text = str(value).replace(" ", "").upper()
    if text in PAYMENT_PLACEHOLDERS:
        return "a development placeholder"
    try:
        if name == "PAYMENT_DEBTOR_IBAN":
            IBAN(text)
        elif name == "PAYMENT_DEBTOR_BIC":
            BIC(text)
    except SchwiftyException as exc:
        return f"invalid ({type(exc).__name__})"
    return None


def check_payment_debtor(app_configs=None, **kwargs):
    """``applications.E002``: in production the debtor account of the advance payments (R48) is configured and
    valid (IBAN and BIC checked with schwifty), never a development placeholder."""
    if getattr(settings, "ENVIRONMENT", "") != "production":
        return []
    errors = []
    for name in PAYMENT_SETTINGS:
        reason = payment_debtor_problem(name, getattr(settings, name, ""))
        if reason:
            errors.append(
                checks.Error(
                    f"{name} is {reason}: advances would be paid from it.",
                    hint=f"Set {name} in the environment to the office's real paying account (R48).",
                    obj=name,
                    id="applications.E002",
                )
            )
    return errors
