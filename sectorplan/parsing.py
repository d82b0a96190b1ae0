"""The one parser for numbers and dates as people type them (R13, R38): portal forms, CSV and Excel files.

Numbers in Dutch notation and in plain decimal notation are accepted; what could be read two ways is refused
with the reason, never guessed:

- ``1.234,56``, ``1234,56``, ``1234.56``, ``1234``, ``€ 1.234``, ``-5``, and ``1,5E+3`` as Excel writes it;
- ``1.234`` and ``1,234`` are refused: one separator followed by exactly three digits is a thousands separator
  to some and a decimal separator to others;
- ``1,234.56`` and ``1,234,567`` (English thousands) and badly grouped ``12.34.56`` are refused.

Dates are ``31-12-1980`` (also ``31/12/1980`` and ``1-2-1980``) or ISO ``1980-12-31``; cells an Excel file
already holds as a date are taken as they are.

The API reads JSON (money as ``"1234.56"``, dates ``YYYY-MM-DD``) with its serializers, not with this module.
Messages name the reason and never echo the value (R40: a value may be personal data).
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _

_PLAIN = re.compile(r"\d+([.,]\d+)?")
_DUTCH_GROUPED = re.compile(r"[1-9]\d{0,2}(\.\d{3})+(,\d+)?")
_AMBIGUOUS = re.compile(r"[1-9]\d{0,2}[.,]\d{3}")
_EXPONENT = re.compile(r"(?P<mantissa>[^eE]+)[eE](?P<exponent>[+-]?\d{1,4})")
_ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")
_DUTCH_DATE = re.compile(r"(?P<day>\d{1,2})([-/])(?P<month>\d{1,2})\2(?P<year>\d{4})")
#: Beyond this many digits before the point a number is only checked against its limit, never quantized.
_QUANTIZE_LIMIT = 20


class ParseError(ValueError):
    """Input that is not a number or date. ``code`` is machine-readable, ``message`` says why."""

    def __init__(self, code: str, message):
        self.code = code
        self.message = str(message)
        super().__init__(self.message)


def _invalid_number() -> ParseError:
    return ParseError("invalid_number", _("Not a number; write for example 1234,56 or 1.234,56."))


def _digits(text: str) -> Decimal:
    """A sign and the unsigned Dutch or plain notation of ``text``, without exponent, as a Decimal."""
    sign = ""
    if text[:1] in "+-":
        sign, text = text[:1].replace("+", ""), text[1:]
    if _AMBIGUOUS.fullmatch(text):
        raise ParseError(
            "ambiguous_number",
            _(
                "Unclear number: a point or comma followed by exactly three digits can separate thousands or "
                "decimals. Write thousands without a separator (1234) or with a decimal comma (1.234,00)."
            ),
        )
    if _DUTCH_GROUPED.fullmatch(text):
        text = text.replace(".", "").replace(",", ".")
    elif _PLAIN.fullmatch(text):
        text = text.replace(",", ".")
    else:
        raise _invalid_number()
    return Decimal(sign + text)


def parse_decimal(value, *, places: int | None = None) -> Decimal:
    """``value`` (text as typed, or a number an Excel cell holds) as a Decimal.

    With ``places``, more decimals than that (other than trailing zeros) are refused, and the result has exactly
    ``places`` decimals. Raises :class:`ParseError` (codes ``invalid_number``, ``ambiguous_number``,
    ``too_many_decimals``).
    """
    if isinstance(value, bool) or value is None:
        raise _invalid_number()
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = "".join(str(value).split()).removeprefix("€").removeprefix("EUR")  # also no-break spaces
        if not text:
            raise _invalid_number()
        match = _EXPONENT.fullmatch(text) if "e" in text or "E" in text else None
        try:
            if match:
                number = _digits(match["mantissa"]).scaleb(int(match["exponent"]))
            else:
                number = _digits(text)
        except InvalidOperation:
            raise _invalid_number() from None
    if not number.is_finite():
        raise _invalid_number()
    if places is not None:
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < -places:
            raise ParseError(
                "too_many_decimals",
                _("At most %(places)s decimals.") % {"places": places} if places else _("A whole number, please."),
            )
        if number.adjusted() < _QUANTIZE_LIMIT:
            number = number.quantize(Decimal(1).scaleb(-places))
    return number


def parse_date(value) -> date:
    """``value`` (``31-12-1980``, ``31/12/1980``, ``1980-12-31`` or an Excel date cell) as a date.

    Raises :class:`ParseError` with code ``invalid_date``.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip() if value is not None else ""
    if len(text) == 10 and text[4] == text[7] == "-" and text.isascii():
        try:
            return date.fromisoformat(text)  # the common case, fast: 10,000 rows have 40,000 dates
        except ValueError:
            pass
    match = _ISO_DATE.fullmatch(text) or _DUTCH_DATE.fullmatch(text)
    if match:
        try:
            return date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            pass
    raise ParseError("invalid_date", _("Not a valid date; write for example 31-12-1980."))


# --- form fields that parse with the functions above ---------------------------------------------------


class DecimalField(forms.DecimalField):
    """A Django ``DecimalField`` that reads its input with :func:`parse_decimal` (Dutch or plain notation)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_decimal(value, places=self.decimal_places)
        except ParseError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


class DateField(forms.DateField):
    """A Django ``DateField`` that reads its input with :func:`parse_date` (``31-12-1980`` or ISO)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_date(value)
        except ParseError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
