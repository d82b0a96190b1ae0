"""Bulk import of plan lines and registrations from CSV or XLSX (R13): parse once, validate in memory, insert.

Interface used by the API and the portal:

    import_plan_lines(*, application, uploaded_file, by) -> list[PlanLine]
    import_registrations(*, application, uploaded_file, by) -> list[Registration]

raises ``DomainError`` listing every bad row (``line``, ``field``, ``code``, ``message``) and saves
nothing when any row is bad. Line 1 is the header row; the first data row is line 2. Messages name
the field and the reason, never the value (R40: no personal data in errors).

A CSV file is UTF-8 (a byte-order mark is allowed), separated by commas or semicolons (Dutch Excel
exports use semicolons). Dates and numbers are read by ``sectorplan.parsing`` (``31-12-1980`` or ISO;
``1.234,56``, ``1234,56`` or ``1234.56``; ambiguous ``1.234`` is a row error). An ``.xlsx`` file is read
from its first sheet, with the same header row.
"""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from sectorplan.api.errors import DomainError
from sectorplan.parsing import ParseError

from . import registrations, rules, services
from .models import Application, PlanLine, Registration

#: Refuse files larger than this (10,000 rows of CSV are about 1.2 MB).
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Refuse files with more data rows than this.
MAX_ROWS = 20_000

COLUMNS = rules.REGISTRATION_FIELDS
XLSX_MAGIC = b"PK\x03\x04"


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


def _convert(raw: dict, line: int, errors: list[dict], inputs: dict[str, rules.InputRule]) -> dict | None:
    """Turn one row's raw cells into typed values with the fields' one definition (``rules.clean_input``),
    appending an error per bad field."""
    values: dict = {}
    row_errors: list[dict] = []
    for field, rule in inputs.items():
        value = raw.get(field)
        if _blank(value):
            if rule.required:
                row_errors.append(
                    {"line": line, "field": field, "code": "required", "message": str(_("This field is required."))}
                )
            else:
                values[field] = None
            continue
        try:
            values[field] = rules.clean_input(rule, value)
        except ParseError as exc:
            row_errors.append({"line": line, "field": field, "code": exc.code, "message": exc.message})
    if row_errors:
        errors.extend(row_errors)
        return None
    return values


def parse_registration_file(uploaded_file) -> tuple[list[dict], list[int], list[dict]]:
    """Parse a registration file once: ``(typed rows, their line numbers, parse errors)``."""
    return parse_file(uploaded_file, inputs=rules.REGISTRATION_INPUT, no_rows=_("The file has no registration rows."))


def parse_plan_line_file(uploaded_file) -> tuple[list[dict], list[int], list[dict]]:
    """Parse a plan-line file once (header ``activity_type;focus;count;planned_cost``, or the Dutch names of
    ``rules.PLAN_LINE_ALIASES``): ``(typed rows, their line numbers, parse errors)``."""
    return parse_file(
        uploaded_file, inputs=rules.PLAN_LINE_INPUT, aliases=rules.PLAN_LINE_ALIASES,
        no_rows=_("The file has no plan lines."),
    )


def parse_file(
    uploaded_file, *, inputs: dict[str, rules.InputRule], no_rows, aliases: dict[str, str] | None = None
) -> tuple[list[dict], list[int], list[dict]]:
    """Parse a file of ``inputs`` rows once: ``(typed rows, their line numbers, parse errors)``."""
    columns = tuple(inputs)
    optional = frozenset(name for name, rule in inputs.items() if not rule.required)
    aliases = aliases or {}
    data = _read_bytes(uploaded_file)
    if not data.strip():
        raise _file_error("empty_file", _("The file is empty."))
    reader = _xlsx_rows(data) if _is_xlsx(uploaded_file, data) else _csv_rows(data)
    header = next(reader, None)
    if not header or all(_blank(h) for h in header):
        raise _file_error("missing_header", _("The first line must name the columns."), line=1)
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    names = [aliases.get(" ".join(n.split()), n) for n in names]
    header_errors = []
    for column in columns:
        if column not in names and column not in optional:
            header_errors.append({"line": 1, "field": column, "code": "missing_column",
                                  "message": _("The column is missing from the header row.")})
    for name in names:
        if name and name not in columns:
            header_errors.append({"line": 1, "field": name[:50], "code": "unknown_column",
                                  "message": _("Unknown column; the columns are: %(c)s.") % {"c": ", ".join(columns)}})
    if header_errors:
        raise DomainError(header_errors)
    positions = [(i, n) for i, n in enumerate(names) if n in columns]

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
        values = _convert(raw, line, errors, inputs)
        if values is not None:
            rows.append(values)
            lines.append(line)
    if count == 0:
        raise _file_error("no_rows", no_rows)
    return rows, lines, errors


def import_registrations(*, application: Application, uploaded_file, by) -> list[Registration]:
    """Import every row of ``uploaded_file`` into ``application`` (granted), or nothing at all."""
    registrations.require_granted(application)
    rows, lines, parse_errors = parse_registration_file(uploaded_file)
    if parse_errors:
        # Also check the rows that did parse, so the answer lists every bad row at once.
        rule_errors = registrations.registrations_validate(application=application, rows=rows, line_numbers=lines)
        errors = sorted(parse_errors + rule_errors, key=lambda e: e["line"])
        raise DomainError(errors)
    return registrations.registrations_add(application=application, rows=rows, by=by, line_numbers=lines)


def import_plan_lines(*, application: Application, uploaded_file, by) -> list[PlanLine]:
    """Import every plan line of ``uploaded_file`` into ``application`` (a draft), or nothing at all (R13)."""
    services.require_draft(application)
    rows, lines, parse_errors = parse_plan_line_file(uploaded_file)
    if parse_errors:
        rule_errors = services.plan_lines_validate(application=application, rows=rows, line_numbers=lines)
        raise DomainError(sorted(parse_errors + rule_errors, key=lambda e: e["line"]))
    return services.plan_lines_add(application=application, rows=rows, by=by, line_numbers=lines)
