"""Bulk import of registrations from CSV and XLSX (R13, R38, R40)."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from applications import importing, registrations
from applications.models import Registration, RegistrationTransition
from sectorplan import tabular
from sectorplan.api.errors import DomainError
from tests.applications.conftest import registration_row
from tests.problems import problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(granted):
    """v2: registrations (proto-registrations) are imported into a granted application."""
    return granted

HEADER = ",".join(registrations.REGISTRATION_FIELDS)
GOOD = [
    "A.,Visser,1990-05-17,upskilling,A,2026-03-01,2026-12-31,32,2015-01-01,",
    "B.,Bakker,1970-01-02,redundancy_risk,C,2026-04-01,2026-10-01,24.5,2010-01-01,1500.50",
    "C.,de Vries,2003-07-07,new_intake,E,2026-05-01,2026-05-02,36,2025-09-01,400",
]


def csv_file(lines, name="deelnemers.csv"):
    return SimpleUploadedFile(name, ("\n".join([HEADER, *lines]) + "\n").encode("utf-8"), content_type="text/csv")


def url(app):
    return f"/api/v2/applications/{app.pk}/registrations/import"


def test_csv_import_creates_every_row_with_derived_fields_R13(client_for, contact, application):
    response = client_for(contact).post(url(application), {"file": csv_file(GOOD)}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 3}
    bands = dict(application.registrations.values_list("surname", "age_band"))
    assert bands == {"Visser": "25-45", "Bakker": "55+", "de Vries": "<25"}
    total = sum(application.registrations.values_list("amount", flat=True))
    assert str(total) == "6900.50"


def test_semicolon_csv_with_bom_and_dutch_decimals_is_accepted_R13(contact, application):
    text = "\ufeff" + HEADER.replace(",", ";") + "\n" + "A.;Visser;17-05-1990;upskilling;a;2026-03-01;2026-12-31;32,5;2015-01-01;\n"
    created = importing.import_registrations(
        application=application, uploaded_file=SimpleUploadedFile("x.csv", text.encode("utf-8")), by=contact
    )
    assert len(created) == 1 and created[0].contract_hours == 32.5 and created[0].activity_type == "A"


def test_xlsx_import_creates_every_row_R13(client_for, contact, application):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(registrations.REGISTRATION_FIELDS))
    from datetime import date
    sheet.append(["A.", "Visser", date(1990, 5, 17), "upskilling", "A", date(2026, 3, 1), date(2026, 12, 31), 32,
                  date(2015, 1, 1), None])
    sheet.append(["B.", "Bakker", "1970-01-02", "upskilling", "D", "2026-04-01", "2026-10-01", 20.5, "2010-01-01",
                  999.99])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("deelnemers.xlsx", buffer.getvalue())
    response = client_for(contact).post(url(application), {"file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 2}
    assert str(application.registrations.get(surname="Bakker").amount) == "999.99"


def test_one_bad_row_rejects_the_file_and_names_line_and_field_R13(client_for, contact, application):
    lines = [*GOOD]
    lines[1] = lines[1].replace("1970-01-02", "1970-02-30")
    response = client_for(contact).post(url(application), {"file": csv_file(lines)}, format="multipart")
    assert response.status_code == 400
    errors = problems(response)
    assert [(e["line"], e["field"], e["code"]) for e in errors] == [(3, "dateOfBirth", "invalid_date")]
    assert Registration.objects.count() == 0


def test_several_bad_rows_are_all_listed_R13_R38(client_for, contact, application):
    lines = [
        GOOD[0].replace("upskilling", "cooking"),                      # line 2: unknown focus
        GOOD[1].replace("1500.50", "12a"),                             # line 3: bad amount
        GOOD[2].replace("2026-05-01", "2027-05-01").replace("2026-05-02", "2027-05-02"),  # line 4: outside window
        "D.,Jansen,1990-01-01,upskilling,,2026-03-01,2026-12-31,32,2015-01-01,",          # line 5: missing type
        "E.,Smit,1990-01-01,upskilling,Z,2026-03-01,2026-12-31,abc,2015-01-01,",         # line 6: two bad fields
        "F.,Mulder,1990-01-01,new_intake,A,2026-03-01,2026-12-31,32,2020-01-01,",        # line 7: not new intake
    ]
    response = client_for(contact).post(url(application), {"file": csv_file(lines)}, format="multipart")
    assert response.status_code == 400
    found = {(e["line"], e["field"], e["code"]) for e in problems(response)}
    assert found == {
        (2, "focus", "invalid_choice"),
        (3, "cost", "invalid_amount"),
        (4, "startDate", "outside_training_window"),
        (4, "employedSince", "not_new_intake"),
        (5, "activityType", "required"),
        (6, "activityType", "invalid_choice"),
        (6, "contractHours", "invalid_number"),
        (7, "employedSince", "not_new_intake"),
    }
    assert [e["line"] for e in problems(response)] == sorted(e["line"] for e in problems(response))
    assert Registration.objects.count() == 0


def test_errors_carry_no_personal_data_R40(client_for, contact, application):
    lines = ["A.,Geheimnaam,1890-05-17,upskilling,A,2026-03-01,2026-12-31,32,2015-01-01,"]
    response = client_for(contact).post(url(application), {"file": csv_file(lines)}, format="multipart")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Geheimnaam" not in body and "1890" not in body


def test_duplicate_person_within_file_is_refused_R13(client_for, contact, application):
    lines = [GOOD[0], GOOD[1], GOOD[0].replace("A.,Visser", "a.,VISSER")]
    response = client_for(contact).post(url(application), {"file": csv_file(lines)}, format="multipart")
    assert response.status_code == 400
    assert [(e["line"], e["code"]) for e in problems(response)] == [(4, "duplicate_registration")]
    assert Registration.objects.count() == 0


def test_duplicate_of_existing_registration_is_refused_R13(client_for, contact, application):
    registrations.registrations_add(application=application, rows=[registration_row(initials="A.", surname="Visser")],
                              by=contact)
    response = client_for(contact).post(url(application), {"file": csv_file(GOOD)}, format="multipart")
    assert response.status_code == 400
    assert [(e["line"], e["code"]) for e in problems(response)] == [(2, "duplicate_registration")]
    assert Registration.objects.count() == 1


def test_missing_and_unknown_columns_are_reported_on_line_1_R13(contact, application):
    text = "initials,surname,shoe_size\nA.,Visser,42\n"
    with pytest.raises(DomainError) as exc:
        importing.import_registrations(application=application, uploaded_file=SimpleUploadedFile("x.csv", text.encode()),
                                      by=contact)
    found = {(e["line"], e["field"], e["code"]) for e in exc.value.errors}
    assert (1, "date_of_birth", "missing_column") in found and (1, "shoe_size", "unknown_column") in found
    assert (1, "cost", "missing_column") not in found


def test_oversized_file_is_refused_with_a_413_R13(contact, application, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 100)
    with pytest.raises(tabular.FileTooLarge) as exc:
        importing.import_registrations(application=application, uploaded_file=csv_file(GOOD), by=contact)
    assert exc.value.limit_code == "file_too_large" and exc.value.status_code == 413


def test_too_many_rows_is_refused_with_a_413_R13(contact, application, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 2)
    with pytest.raises(tabular.FileTooLarge) as exc:
        importing.import_registrations(application=application, uploaded_file=csv_file(GOOD), by=contact)
    assert exc.value.limit_code == "too_many_rows"


@pytest.mark.parametrize("content,code", [(b"", "empty"), (b"\xff\xfe\x00bad", "invalid_encoding"),
                                          (HEADER.encode() + b"\n", "no_rows")])
def test_unusable_files_give_a_400_not_a_500_R38(client_for, contact, application, content, code):
    response = client_for(contact).post(url(application), {"file": SimpleUploadedFile("x.csv", content)},
                                        format="multipart")
    assert response.status_code == 400
    assert problems(response)[0]["code"] == code


def test_broken_xlsx_gives_a_400_R38(client_for, contact, application):
    upload = SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not really a workbook")
    response = client_for(contact).post(url(application), {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert problems(response)[0]["code"] == "invalid_xlsx"


def test_large_import_uses_copy_and_returns_saved_registrations_R13(contact, application):
    from datetime import date, timedelta

    lines = [
        f"X.,Naam{i},1980-01-01,upskilling,{'AC'[i % 2]},{date(2026, 1, 1) + timedelta(days=i % 300):%Y-%m-%d},"
        f"2026-12-31,32,2015-01-01,{'' if i % 2 == 0 else '100.25'}"
        for i in range(registrations.COPY_THRESHOLD + 10)
    ]
    created = importing.import_registrations(application=application, uploaded_file=csv_file(lines), by=contact)
    assert len(created) == len(lines)
    saved = dict(application.registrations.values_list("id", "surname"))
    assert {p.pk: p.surname for p in created} == saved
    n_a = (len(lines) + 1) // 2
    assert sum(application.registrations.values_list("amount", flat=True)) == n_a * 5000 + (len(lines) - n_a) * Decimal("100.25")
    # R49: every imported registration starts its timeline (written with COPY too), with the importer as actor
    starts = RegistrationTransition.objects.filter(registration__application=application)
    assert starts.count() == len(lines)
    assert set(starts.values_list("from_status", "to_status", "actor")) == {("", "draft", contact.pk)}


def test_dutch_excel_notation_and_ambiguous_amounts_R13(contact, application):
    """Semicolons, 31-12-1980 and 1.234,56 as Dutch Excel writes them; 1.500 could be 1500 or 1,5: refused."""
    header = HEADER.replace(",", ";")
    good = "A.;Visser;17-05-1990;upskilling;C;01-03-2026;31-12-2026;32;01-01-2015;1.234,56\n"
    created = importing.import_registrations(
        application=application, uploaded_file=SimpleUploadedFile("x.csv", f"{header}\n{good}".encode()), by=contact
    )
    assert created[0].cost == Decimal("1234.56") and str(created[0].date_of_birth) == "1990-05-17"
    bad = good.replace("A.;Visser", "B.;Smit").replace("1.234,56", "1.500")
    with pytest.raises(DomainError) as exc:
        importing.import_registrations(
            application=application, uploaded_file=SimpleUploadedFile("y.csv", f"{header}\n{bad}".encode()), by=contact
        )
    assert [(e["line"], e["field"], e["code"]) for e in exc.value.errors] == [(2, "cost", "ambiguous_number")]
    assert application.registrations.count() == 1
