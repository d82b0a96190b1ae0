"""The one table reader (sectorplan/tabular.py): limits (api.md "Uploads", issue 16 item 1) and strictness
(R13, R38, issue 16 item 4)."""

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from sectorplan import tabular
from sectorplan.api.errors import DomainError

COLUMNS = ("activity_type", "focus", "count", "planned_cost")


def read(content: bytes, name="plan.csv"):
    return tabular.read_table(SimpleUploadedFile(name, content), columns=COLUMNS, optional=frozenset({"planned_cost"}))


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def errors_of(exc) -> set[tuple]:
    return {(e.get("line"), e["field"], e["code"]) for e in exc.errors}


# --- strictness (item 4) -----------------------------------------------------------------------------------


def test_r13_unquoted_decimal_comma_in_a_comma_separated_file_is_ambiguous_not_truncated():
    table = read(b"activity_type,focus,count,planned_cost\nC,upskilling,3,1500,75\nC,new_intake,2,\"1500,75\"\n")
    assert [(e["line"], e["field"], e["code"]) for e in table.errors] == [(2, "planned_cost", "ambiguous_separator")]
    assert "1500,75" in table.errors[0]["message"]  # the reason says how to write it, not the row's value
    assert [line for line, _raw in table.rows] == [3]  # the quoted amount is one cell
    assert table.rows[0][1]["planned_cost"] == "1500,75"


def test_r13_a_row_with_more_cells_than_the_header_is_refused_with_its_line():
    table = read(b"activity_type;focus;count;planned_cost\nA;upskilling;3;;surplus\nA;new_intake;3;;\n")
    assert [(e["line"], e["code"]) for e in table.errors] == [(2, "extra_cells")]
    assert [line for line, _raw in table.rows] == [3]  # trailing empty cells (Excel) are not extra


def test_r13_a_duplicated_header_column_is_refused_not_silently_winning():
    with pytest.raises(DomainError) as exc:
        read(b"activity_type,focus,count,count\nA,upskilling,3,5\n")
    assert errors_of(exc.value) == {(1, "count", "duplicate_column")}


def test_r13_duplicate_header_in_xlsx_too():
    with pytest.raises(DomainError) as exc:
        read(xlsx([["focus", "activity_type", "count", "Focus"], ["upskilling", "A", 1, "retention"]]), name="p.xlsx")
    assert errors_of(exc.value) == {(1, "focus", "duplicate_column")}


def test_r13_xlsx_extra_cell_is_refused():
    table = read(xlsx([list(COLUMNS), ["A", "upskilling", 1, None, "x"]]), name="p.xlsx")
    assert [(e["line"], e["code"]) for e in table.errors] == [(2, "extra_cells")]


# --- limits (item 1) -------------------------------------------------------------------------------------


def test_r13_more_than_10_mb_is_a_413_and_reads_at_most_one_byte_over():
    class Upload(io.BytesIO):
        size = None
        read_sizes: list = []

        def read(self, n=-1):
            self.read_sizes.append(n)
            return super().read(n)

    upload = Upload(b"x" * (tabular.MAX_FILE_BYTES + 100))
    with pytest.raises(tabular.FileTooLarge) as exc:
        tabular.read_bytes(upload)
    assert exc.value.status_code == 413 and exc.value.limit_code == "file_too_large"
    assert upload.read_sizes == [tabular.MAX_FILE_BYTES + 1]


def test_r13_more_than_20000_rows_is_a_413():
    content = b"activity_type,focus,count\n" + b"A,upskilling,1\n" * (tabular.MAX_ROWS + 1)
    with pytest.raises(tabular.FileTooLarge) as exc:
        read(content)
    assert exc.value.limit_code == "too_many_rows"
    assert len(read(b"activity_type,focus,count\n" + b"A,upskilling,1\n" * tabular.MAX_ROWS).rows) == tabular.MAX_ROWS


def _bomb(unpacked: int) -> bytes:
    """A valid workbook plus a shared-strings member that unpacks to ``unpacked`` bytes (deflated zeros)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx([list(COLUMNS), ["A", "upskilling", 1]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in base.infolist():
            if info.filename != "xl/sharedStrings.xml":
                bomb.writestr(info, base.read(info.filename))
        with bomb.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            chunk = b"<si><t>" + b"A" * (1 << 20) + b"</t></si>"
            written = 0
            while written < unpacked:
                member.write(chunk)
                written += len(chunk)
    return out.getvalue()


def test_r13_xlsx_bomb_of_1_45_gb_shared_strings_is_refused_quickly_with_small_memory():
    data = _bomb(1_450 * 1024 * 1024)
    assert len(data) < 5 * 1024 * 1024  # a few MB on the wire
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(tabular.FileTooLarge) as exc:
            read(data, name="bomb.xlsx")
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert exc.value.limit_code == "unpacked_too_large"
    assert elapsed < 1.0
    assert peak < 20 * 1024 * 1024  # the file itself (a few MB) and not much more


def test_r13_xlsx_just_over_50_mb_unpacked_is_refused_and_a_normal_workbook_is_read():
    with pytest.raises(tabular.FileTooLarge):
        read(_bomb(tabular.MAX_UNPACKED_BYTES + 1), name="p.xlsx")
    assert len(read(xlsx([list(COLUMNS), ["A", "upskilling", 1, None]]), name="p.xlsx").rows) == 1


def _blank_rows_xlsx(n: int, *, cells: bool = True) -> bytes:
    """A sheet with a header and ``n`` empty rows, written straight as XML (as the issue's 7.4 MB attack)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx([list(COLUMNS)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in base.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, base.read(info.filename))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>activity_type</t>'
                b'</is></c><c r="B1" t="inlineStr"><is><t>focus</t></is></c><c r="C1" t="inlineStr"><is><t>count'
                b"</t></is></c></row>"
            )
            for start in range(2, n + 2, 10_000):
                rows = range(start, min(start + 10_000, n + 2))
                if cells:
                    sheet.write(b"".join(b'<row r="%d"><c r="A%d"/></row>' % (i, i) for i in rows))
                else:
                    sheet.write(b"".join(b'<row r="%d"/>' % i for i in rows))
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_r13_an_xlsx_of_blank_rows_is_refused_early_not_read_to_the_end():
    data = _blank_rows_xlsx(200_000)
    started = time.monotonic()
    with pytest.raises(tabular.FileTooLarge) as exc:
        read(data, name="blank.xlsx")  # counted before parsing
    assert exc.value.limit_code == "too_many_rows"
    assert time.monotonic() - started < 3.0
    with pytest.raises(tabular.FileTooLarge) as exc:
        read(_blank_rows_xlsx(5_000), name="blank.xlsx")  # few enough to parse: the blank rows stop it
    assert exc.value.limit_code == "too_many_blank_rows"


def test_r13_three_million_blank_rows_are_refused_before_parsing():
    data = _blank_rows_xlsx(3_000_000, cells=False)
    assert len(data) < tabular.MAX_FILE_BYTES  # under the byte limit, like the audit's 7.4 MB file
    started = time.monotonic()
    with pytest.raises(tabular.FileTooLarge) as exc:
        read(data, name="blank.xlsx")
    assert exc.value.limit_code == "unpacked_too_large"  # 3M rows unpack beyond 50 MB: refused unread
    assert time.monotonic() - started < 1.0


def test_r13_zip_that_is_no_workbook_is_a_400():
    with pytest.raises(DomainError) as exc:
        read(b"PK\x03\x04garbage", name="x.xlsx")
    assert exc.value.errors[0]["code"] == "invalid_xlsx"


def test_r13_cell_less_rows_under_the_unpacked_limit_are_counted_before_parsing():
    data = _blank_rows_xlsx(500_000, cells=False)
    started = time.monotonic()
    with pytest.raises(tabular.FileTooLarge) as exc:
        read(data, name="blank.xlsx")
    assert exc.value.limit_code == "too_many_rows"
    assert time.monotonic() - started < 1.0
