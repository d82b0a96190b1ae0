"""Bulk import of participants from CSV or XLSX (R13): parse once, validate in memory, insert in batches.

Interface used by the API and the portal:

    import_participants(*, application, uploaded_file, by) -> list[Participant]

raises ``DomainError`` listing every bad row (``line``, ``field``, ``code``, ``message``) and saves
nothing when any row is bad. Line 1 is the header row; the first data row is line 2. Messages name
the field and the reason, never the value (R40: no personal data in errors).

A CSV file is UTF-8 (a byte-order mark is allowed), separated by commas or semicolons (Dutch Excel
exports use semicolons). Dates are ``YYYY-MM-DD`` (``DD-MM-YYYY`` is accepted too); decimals use a
point or a comma. An ``.xlsx`` file is read from its first sheet, with the same header row.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from budgets.constants import ActivityType
from sectorplan.api.errors import DomainError
from sectorplan.money import MAX_DIGITS as MONEY_MAX_DIGITS

from . import rules, services
from .constants import Focus
from .models import Application, Participant

#: Refuse files larger than this (10,000 rows of CSV are about 1.2 MB).
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Refuse files with more data rows than this.
MAX_ROWS = 20_000

COLUMNS = rules.PARTICIPANT_FIELDS
OPTIONAL_COLUMNS = frozenset({"planned_cost"})
TEXT_FIELDS = {"initials": 20, "surname": 100}
DATE_FIELDS = ("date_of_birth", "start_date", "end_date", "employed_since")
FOCUS_VALUES = frozenset(Focus.values)
ACTIVITY_VALUES = frozenset(ActivityType.values)
XLSX_MAGIC = b"PK\x03\x04"
#: The first amount a money column (``MoneyField``: 14 digits, 2 decimals) cannot hold.
MAX_AMOUNT = Decimal(10) ** (MONEY_MAX_DIGITS - 2)


def _file_error(code: str, message, line: int | None = None, field: str = "file") -> DomainError:
    error = {"field": field, "code": code, "message": str(message)}
    if line is not None:
        error["line"] = line
    return DomainError([error])


def _read_bytes(uploaded_file) -> bytes:
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise _too_large()
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(MAX_FILE_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise _too_large()
    return data


def _too_large() -> DomainError:
    return _file_error(
        "file_too_large",
        _("The file is larger than %(mb)s MB. Split it into smaller files.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
    )


def _too_many_rows() -> DomainError:
    return _file_error(
        "too_many_rows",
        _("The file has more than %(n)s rows. Split it into smaller files.") % {"n": f"{MAX_ROWS:,}"},
    )


def _csv_rows(data: bytes):
    """Yield the header and then the data rows of a CSV file as lists of strings."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error("invalid_encoding", _("The file is not valid UTF-8 text. Save it as CSV UTF-8.")) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise _file_error("invalid_csv", _("The file is not a valid CSV file.")) from exc


def _xlsx_rows(data: bytes):
    """Yield the header and then the data rows of the first sheet of an XLSX file."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is bad input, not a 500
        raise _file_error("invalid_xlsx", _("The file is not a readable Excel (.xlsx) file.")) from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _is_xlsx(uploaded_file, data: bytes) -> bool:
    name = (getattr(uploaded_file, "name", "") or "").lower()
    return name.endswith(".xlsx") or data[:4] == XLSX_MAGIC


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) == 10 and text[4] == "-":
        return date.fromisoformat(text)
    if len(text) == 10 and text[2] in "-/" and text[5] in "-/":
        return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    raise ValueError(text)


def _parse_decimal(value, places: int) -> Decimal:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = str(value).strip().replace(" ", "").removeprefix("€")
        if "," in text:
            if "." in text:  # 1.234,56 (Dutch thousands) -> 1234.56
                text = text.replace(".", "")
            text = text.replace(",", ".")
        number = Decimal(text)
    if not number.is_finite():
        raise ValueError
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise ValueError
    return number


def _convert(raw: dict, line: int, errors: list[dict]) -> dict | None:
    """Turn one row's raw cells into typed values, appending an error per bad field."""
    values: dict = {}
    row_errors: list[dict] = []

    def bad(field, code, message):
        row_errors.append({"line": line, "field": field, "code": code, "message": str(message)})

    for field in COLUMNS:
        value = raw.get(field)
        if _blank(value):
            if field in OPTIONAL_COLUMNS:
                values[field] = None
            else:
                bad(field, "required", _("This field is required."))
            continue
        if field in TEXT_FIELDS:
            text = str(value).strip()
            if len(text) > TEXT_FIELDS[field]:
                bad(field, "max_length", _("At most %(n)s characters.") % {"n": TEXT_FIELDS[field]})
            elif "\x00" in text:  # PostgreSQL refuses NUL in text: a 500 if it got that far
                bad(field, "null_characters_not_allowed", _("Null characters are not allowed."))
            values[field] = text
        elif field in DATE_FIELDS:
            try:
                values[field] = _parse_date(value)
            except (ValueError, TypeError, IndexError):
                bad(field, "invalid_date", _("Not a valid date; use YYYY-MM-DD."))
        elif field == "contract_hours":
            try:
                values[field] = _parse_decimal(value, 1)
            except (ValueError, InvalidOperation, TypeError):
                bad(field, "invalid_number", _("Not a valid number of hours (at most one decimal)."))
        elif field == "planned_cost":
            try:
                values[field] = _parse_decimal(value, 2)
            except (ValueError, InvalidOperation, TypeError):
                bad(field, "invalid_amount", _("Not a valid amount in euros (at most two decimals)."))
            else:
                if abs(values[field]) >= MAX_AMOUNT:  # would overflow the database column: a 500
                    bad(field, "max_value", _("The amount is too large."))
        elif field == "focus":
            text = str(value).strip().lower()
            if text not in FOCUS_VALUES:
                bad(field, "invalid_choice", _("Unknown training focus; use one of: %(values)s.")
                    % {"values": ", ".join(Focus.values)})
            values[field] = text
        elif field == "activity_type":
            text = str(value).strip().upper()
            if text not in ACTIVITY_VALUES:
                bad(field, "invalid_choice", _("Unknown activity type; use one of: %(values)s.")
                    % {"values": ", ".join(ActivityType.values)})
            values[field] = text
    if row_errors:
        errors.extend(row_errors)
        return None
    return values


def parse_participant_file(uploaded_file) -> tuple[list[dict], list[int], list[dict]]:
    """Parse the file once: ``(typed rows, their line numbers, parse errors)``."""
    data = _read_bytes(uploaded_file)
    if not data.strip():
        raise _file_error("empty_file", _("The file is empty."))
    reader = _xlsx_rows(data) if _is_xlsx(uploaded_file, data) else _csv_rows(data)
    header = next(reader, None)
    if not header or all(_blank(h) for h in header):
        raise _file_error("missing_header", _("The first line must name the columns."), line=1)
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    header_errors = []
    for column in COLUMNS:
        if column not in names and column not in OPTIONAL_COLUMNS:
            header_errors.append({"line": 1, "field": column, "code": "missing_column",
                                  "message": _("The column is missing from the header row.")})
    for name in names:
        if name and name not in COLUMNS:
            header_errors.append({"line": 1, "field": name[:50], "code": "unknown_column",
                                  "message": _("Unknown column; the columns are: %(c)s.") % {"c": ", ".join(COLUMNS)}})
    if header_errors:
        raise DomainError(header_errors)
    positions = [(i, n) for i, n in enumerate(names) if n in COLUMNS]

    rows: list[dict] = []
    lines: list[int] = []
    errors: list[dict] = []
    count = 0
    for line, cells in enumerate(reader, start=2):
        if not cells or all(_blank(c) for c in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise _too_many_rows()
        width = len(cells)
        raw = {name: (cells[i] if i < width else None) for i, name in positions}
        values = _convert(raw, line, errors)
        if values is not None:
            rows.append(values)
            lines.append(line)
    if count == 0:
        raise _file_error("no_rows", _("The file has no participant rows."))
    return rows, lines, errors


def import_participants(*, application: Application, uploaded_file, by) -> list[Participant]:
    """Import every row of ``uploaded_file`` into ``application`` (a draft), or nothing at all."""
    services.require_draft(application)
    rows, lines, parse_errors = parse_participant_file(uploaded_file)
    if parse_errors:
        # Also check the rows that did parse, so the answer lists every bad row at once.
        rule_errors = services.participants_validate(application=application, rows=rows, line_numbers=lines)
        errors = sorted(parse_errors + rule_errors, key=lambda e: e["line"])
        raise DomainError(errors)
    return services.participants_add(application=application, rows=rows, by=by, line_numbers=lines)
