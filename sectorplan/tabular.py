"""The one reader of uploaded tables (CSV and ``.xlsx``) for every import: plan lines, registrations (later
registrations) and the accountability report. It bounds the work before it is done and reads strictly, so a file
is either read as its author meant it or refused with a line, a field and a reason.

Limits (api.md "Uploads"), every one a ``413`` (:class:`FileTooLarge`), checked before the work they bound:

- **bytes**: at most :data:`MAX_FILE_BYTES` (10 MB); never more than one byte over is read;
- **rows**: at most :data:`MAX_ROWS` (20,000) data rows, and at most :data:`MAX_BLANK_ROWS` blank rows besides
  (a sheet of 3,000,000 empty rows is refused after 21,000, not read to the end; the sheet's ``<row`` elements
  are counted on the decompressed stream before openpyxl parses it, because openpyxl skips cell-less rows);
- **unpacked** (``.xlsx``): the sum of the zip members' uncompressed sizes at most :data:`MAX_UNPACKED_BYTES`
  (50 MB), read from the zip directory before anything is decompressed (a 3 MB file whose shared strings unpack
  to 1.45 GB is refused in milliseconds). ``zipfile`` never returns more than a member's declared size (it cuts
  the stream there and a lying size fails the CRC), so the check also holds while reading;
- **columns**: at most :data:`MAX_COLUMNS`; cells beyond them are not read.

Strictness (R13, R38), every one a ``400`` listing each problem with ``line``, ``field``, ``code``, ``message``:

- the header row names every column once (``duplicate_column``), only known columns (``unknown_column``) and
  every required one (``missing_column``);
- a row has no more cells than the header (``extra_cells``); in a comma-separated file a row with one cell too
  many where an amount could have been split at its decimal comma (unquoted ``1500,75``) is
  ``ambiguous_separator``: quote it or separate with semicolons;
- CSV is UTF-8 (a byte-order mark allowed), separated by semicolons (Dutch Excel) or commas, as the header row
  shows; ``.xlsx`` is read from its first sheet.

Values stay raw here (text, or what an Excel cell holds): the caller's input rules type them.
"""

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .api.errors import DomainError, PayloadTooLarge

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_BLANK_ROWS = 1_000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 64
#: Imports of more data rows than this run in the background (a Celery task); smaller ones in the request.
ASYNC_ROWS = 1_000

XLSX_MAGIC = b"PK\x03\x04"
_INTEGER = re.compile(r"\s*-?\d+\s*")
_DECIMALS = re.compile(r"\s*\d{1,2}\s*")


class FileTooLarge(PayloadTooLarge):
    """413: an uploaded table over one of the limits; ``detail`` says which."""

    def __init__(self, detail, code: str):
        super().__init__(detail=detail, code=code)
        self.limit_code = code


@dataclass
class Table:
    """A table read from a file: the header's column names (normalised, aliases applied) and the data rows as
    ``(line, {column: raw value})``; line 1 is the header row. Blank rows are left out."""

    columns: list[str]
    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def error(code: str, message, *, line: int | None = None, field: str = "file") -> dict:
    out = {"field": field, "code": code, "message": str(message)}
    if line is not None:
        out["line"] = line
    return out


def read_bytes(uploaded_file) -> bytes:
    """The file's content, at most :data:`MAX_FILE_BYTES` (413 beyond; never more than one byte over is read)."""
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise too_large_bytes()
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(MAX_FILE_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise too_large_bytes()
    return data


def too_large_bytes() -> FileTooLarge:
    return FileTooLarge(
        _("The file is larger than %(mb)s MB. Split it into smaller files.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
        "file_too_large",
    )


def too_many_rows() -> FileTooLarge:
    return FileTooLarge(
        _("The file has more than %(n)s rows. Split it into smaller files.") % {"n": f"{MAX_ROWS:,}".replace(",", ".")},
        "too_many_rows",
    )


def too_many_blank_rows() -> FileTooLarge:
    return FileTooLarge(
        _("The file has more than %(n)s empty rows. Remove them and upload the file again.") % {"n": f"{MAX_BLANK_ROWS:,}".replace(",", ".")},
        "too_many_blank_rows",
    )


def too_large_unpacked() -> FileTooLarge:
    return FileTooLarge(
        _("The Excel file unpacks to more than %(mb)s MB. Save it again without unused rows, or as CSV.")
        % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)},
        "unpacked_too_large",
    )


def is_xlsx(data: bytes, name: str = "") -> bool:
    return data[:4] == XLSX_MAGIC or name.lower().endswith(".xlsx")


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- raw rows ----------------------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> tuple[str, Iterator[list]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError([error("invalid_encoding", _("The file is not valid UTF-8 text. Save it as CSV UTF-8."))]) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","

    def rows():
        try:
            yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        except csv.Error as exc:
            raise DomainError([error("invalid_csv", _("The file is not a valid CSV file."))]) from exc

    return delimiter, rows()


def check_unpacked(data: bytes) -> None:
    """413 when the zip's members declare more than :data:`MAX_UNPACKED_BYTES` together; 400 when it is no zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DomainError([error("invalid_xlsx", _("The file is not a readable Excel (.xlsx) file."))]) from exc
    if total > MAX_UNPACKED_BYTES:
        raise too_large_unpacked()


def _check_row_tags(data: bytes) -> None:
    """413 when a worksheet's XML holds more ``<row`` elements than the limits allow, counted on the decompressed
    stream in 1 MB chunks before openpyxl opens the workbook: openpyxl skips cell-less rows silently, and its
    read-only load already scans a sheet without a ``<dimension>`` element to its end (every sheet, so every
    sheet is bounded)."""
    limit = MAX_ROWS + MAX_BLANK_ROWS + 1
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            count, tail = 0, b""
            with archive.open(name) as source:
                while chunk := source.read(1 << 20):
                    window = tail + chunk
                    count += window.count(b"<row ") + window.count(b"<row>")
                    tail = window[-5:]
                    count -= tail.count(b"<row ") + tail.count(b"<row>")
                    if count > limit:
                        raise too_many_rows()


def _xlsx_rows(data: bytes) -> Iterator[list]:
    check_unpacked(data)
    try:
        _check_row_tags(data)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError, ValueError) as exc:
        raise DomainError([error("invalid_xlsx", _("The file is not a readable Excel (.xlsx) file."))]) from exc
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is bad input, not a 500
        raise DomainError([error("invalid_xlsx", _("The file is not a readable Excel (.xlsx) file."))]) from exc
    try:
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield list(row)
    except zipfile.BadZipFile as exc:  # a member larger than it declared fails its CRC check
        raise DomainError([error("invalid_xlsx", _("The file is not a readable Excel (.xlsx) file."))]) from exc
    except (DomainError, FileTooLarge):
        raise
    except Exception as exc:  # noqa: BLE001 - malformed sheet XML is bad input
        raise DomainError([error("invalid_xlsx", _("The file is not a readable Excel (.xlsx) file."))]) from exc
    finally:
        workbook.close()


# --- the table -----------------------------------------------------------------------------------------------


def _split_decimal(cells: list, width: int) -> int | None:
    """Where this comma-separated row of one cell too many could be an amount split at its decimal comma (the
    index of the integer part), or None."""
    if len([c for c in cells[width:] if not blank(c)]) != 1:
        return None
    for index, (a, b) in enumerate(zip(cells, cells[1:], strict=False)):
        if isinstance(a, str) and isinstance(b, str) and _INTEGER.fullmatch(a) and _DECIMALS.fullmatch(b):
            return index
    return None


def read_table(
    uploaded_file, *, columns: tuple[str, ...], optional: frozenset[str] = frozenset(),
    aliases: dict[str, str] | None = None, no_rows=None, data: bytes | None = None,
) -> Table:
    """Read ``uploaded_file`` (or ``data``) as a table of ``columns`` within the limits, strictly.

    Raises :class:`FileTooLarge` (413) over a limit and :class:`DomainError` (400) for a file that cannot be read
    as such a table (no header, bad header, bad encoding); row problems (``extra_cells``,
    ``ambiguous_separator``) are collected in ``Table.errors`` so the caller can list them with its own.
    """
    aliases = aliases or {}
    if data is None:
        data = read_bytes(uploaded_file)
    if not data.strip():
        raise DomainError([error("empty_file", _("The file is empty."))])
    delimiter = None
    if is_xlsx(data, getattr(uploaded_file, "name", "") or ""):
        reader = _xlsx_rows(data)
    else:
        delimiter, reader = _csv_rows(data)
    header = next(reader, None)
    if not header or all(blank(h) for h in header):
        raise DomainError([error("missing_header", _("The first line must name the columns."), line=1)])
    header = header[:MAX_COLUMNS]
    while header and blank(header[-1]):
        header.pop()
    names = [" ".join(str(h).strip().lower().split()) if h is not None else "" for h in header]
    names = [aliases.get(n, n) for n in names]
    problems = []
    for column in columns:
        if column not in names and column not in optional:
            problems.append(error("missing_column", _("The column is missing from the header row."), line=1, field=column))
    seen: set[str] = set()
    for index, name in enumerate(names):
        if not name:
            problems.append(error("unnamed_column", _("Column %(n)s has no name in the header row.") % {"n": index + 1},
                                  line=1, field=f"column {index + 1}"))
        elif name not in columns:
            problems.append(error("unknown_column", _("Unknown column; the columns are: %(c)s.") % {"c": ", ".join(columns)},
                                  line=1, field=name[:50]))
        elif name in seen:
            problems.append(error("duplicate_column", _("The column appears more than once in the header row."),
                                  line=1, field=name))
        seen.add(name)
    if problems:
        raise DomainError(problems)

    width = len(names)
    table = Table(columns=names)
    blank_rows = 0
    for line, cells in enumerate(reader, start=2):
        if not cells or all(blank(c) for c in cells):
            blank_rows += 1
            if blank_rows > MAX_BLANK_ROWS:
                raise too_many_blank_rows()
            continue
        if len(table.rows) >= MAX_ROWS:
            raise too_many_rows()
        if len(cells) > width and any(not blank(c) for c in cells[width:]):
            split = _split_decimal(cells, width) if delimiter == "," else None
            if split is not None:
                table.errors.append(error(
                    "ambiguous_separator",
                    _("This row has one cell more than the header row: an amount with a decimal comma (1500,75) "
                      "splits in two in a comma-separated file. Put the amount between quotes (\"1500,75\") or "
                      "separate the columns with semicolons."),
                    line=line, field=names[min(split, width - 1)],
                ))
            else:
                table.errors.append(error(
                    "extra_cells",
                    _("This row has more cells than the header row has columns (%(n)s).") % {"n": width},
                    line=line, field=f"column {width + 1}",
                ))
            continue
        table.rows.append((line, {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(names)}))
    if not table.rows and not table.errors:
        raise DomainError([error("no_rows", no_rows or _("The file has no rows."))])
    return table
