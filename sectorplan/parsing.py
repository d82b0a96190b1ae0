"""The one parser for numbers and dates as people type them (R13, R38): portal forms, CSV and Excel files.

Numbers in Dutch notation and in plain decimal notation are accepted; what could be read two ways is refused
with the reason, never guessed:

- ``1.234,56``, ``1234,56``, ``1234.56``, ``1234``, ``€ 1.234``, ``-5``, and ``1,5E+3`` as Excel writes it;
- ``1.234`` and ``1,234`` are refused: one separator followed by exactly three digits is a thousands separator
  to some and a decimal separator to others;
- ``1,234.56`` and ``1,234,567`` (English thousands) and badly grouped ``12.34.56`` are refused.

Dates are ``31-12-1980`` (also ``31/12/1980`` and ``1-2-1980``) or ISO ``1980-12-31``; cells an Excel file
already holds as a date are taken as they are. Portal forms ask a date as three numbers, day, month and year, as
the NL Design System advises (a native date field reads typed digits as month/day in some browsers); those parts
are read by :func:`parse_date_parts`.

The API reads JSON (money as ``"1234.56"``, dates ``YYYY-MM-DD``) with its serializers, not with this module.
Messages name the reason and never echo the value (R40: a value may be personal data).
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_PLAIN = re.compile(r"\d+([.,]\d+)?")
_DUTCH_GROUPED = re.compile(r"[1-9]\d{0,2}(\.\d{3})+(,\d+)?")
_AMBIGUOUS = re.compile(r"[1-9]\d{0,2}[.,]\d{3}")
_EXPONENT = re.compile(r"(?P<mantissa>[^eE]+)[eE](?P<exponent>[+-]?\d{1,4})")
_ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")
_DATE_PART = re.compile(r"\d{1,4}")
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


def parse_date_parts(day, month, year) -> date:
    """A date given as three typed numbers (day, month, year), as a portal form asks it.

    Raises :class:`ParseError`: ``incomplete_date`` (a part is empty), ``invalid_date`` (a part is not a number,
    the year has not four digits, or the date does not exist, such as 31 February).
    """
    parts = ["".join(str(part).split()) if part is not None else "" for part in (day, month, year)]
    if not all(parts):
        raise ParseError("incomplete_date", _("Fill in the day, the month and the year."))
    if not all(_DATE_PART.fullmatch(part) and part.isascii() for part in parts):
        raise ParseError("invalid_date", _("Day, month and year are numbers, for example 17 5 1990."))
    if len(parts[2]) != 4:
        raise ParseError("invalid_date", _("Write the year with four digits, for example 1990."))
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise ParseError("invalid_date", _("That date does not exist; check the day and the month.")) from None


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


#: The three inputs of a date, in the order Dutch readers write it: (suffix of the input's name, label, size).
DATE_PARTS = (
    ("day", gettext_lazy("Day"), 2),
    ("month", gettext_lazy("Month"), 2),
    ("year", gettext_lazy("Year"), 4),
)


class DatePartsWidget(forms.MultiWidget):
    """Three labelled numeric inputs, day, month and year (NL Design System), named ``<name>_day`` and so on.

    The portal's ``_field.html`` puts them in a fieldset whose legend is the field's label. A post with the single
    field ``<name>`` (``31-12-1980`` or ISO, as tests and scripts send) is still read, as that one string.
    ``autocomplete`` (e.g. ``bday``) gives the parts ``bday-day``, ``bday-month`` and ``bday-year``.
    """

    def __init__(self, attrs=None, *, autocomplete: str | None = None):
        widgets = {}
        for suffix, _label, size in DATE_PARTS:
            part_attrs = {"inputmode": "numeric", "maxlength": size, "size": size, "class": f"date-part-{suffix}"}
            if autocomplete:
                part_attrs["autocomplete"] = f"{autocomplete}-{suffix}"
            widgets[suffix] = forms.TextInput(attrs=part_attrs)
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = parse_date(value)
            except ParseError:
                return [None, None, value]  # shown back as typed, so the user sees what was refused
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        id_ = context["widget"]["attrs"].get("id")
        if id_:  # the day carries the field's own id, so the error summary's link (#id_…) lands in it
            for sub, (suffix, _label, _size) in zip(context["widget"]["subwidgets"], DATE_PARTS, strict=True):
                sub["attrs"]["id"] = id_ if suffix == "day" else f"{id_}_{suffix}"
        return context

    def id_for_label(self, id_):
        return id_

    def value_from_datadict(self, data, files, name):
        if name in data:
            return data.get(name)
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)

    def render(self, name, value, attrs=None, renderer=None):
        subwidgets = self.get_context(name, value, attrs)["widget"]["subwidgets"]
        return format_html(
            '<div class="date-parts">{}</div>',
            format_html_join(
                "",
                '<div class="date-part"><label for="{}">{}</label>{}</div>',
                (
                    (sub["attrs"].get("id", ""), label, widget.render(sub["name"], sub["value"], sub["attrs"], renderer))
                    for widget, sub, (_suffix, label, _size) in zip(self.widgets, subwidgets, DATE_PARTS, strict=True)
                ),
            ),
        )


class DateField(forms.DateField):
    """A Django ``DateField`` asked as day, month and year (:class:`DatePartsWidget`), read by this module.

    Three parts go through :func:`parse_date_parts`, one string (``31-12-1980`` or ISO) through
    :func:`parse_date`. A refused date is named in the message: the field's label, then the reason.
    """

    widget = DatePartsWidget

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            if all(part in self.empty_values for part in value):
                return None
            try:
                return parse_date_parts(*value)
            except ParseError as exc:
                raise forms.ValidationError(self._named(exc.message), code=exc.code) from None
        if value in self.empty_values:
            return None
        try:
            return parse_date(value)
        except ParseError as exc:
            raise forms.ValidationError(self._named(exc.message), code=exc.code) from None

    def _named(self, reason: str) -> str:
        label = self.label or _("Date")
        return _("%(field)s: %(reason)s") % {"field": label, "reason": reason}
