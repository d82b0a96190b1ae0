"""R13/R38: values the database cannot hold are a row error with line, field and reason, never a 500."""

import pytest

from tests.applications.test_import import csv_file, url
from tests.problems import problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(granted):
    """v2: registrations (proto-registrations) are imported into a granted application."""
    return granted

ROW = "B.,{surname},1970-01-02,redundancy_risk,C,2026-04-01,2026-10-01,24.5,2010-01-01,{cost}"


@pytest.mark.parametrize("cost", ["1e20", "10000000000000", "99999999999999.99"])
def test_planned_cost_too_large_for_the_column_is_a_row_error_not_a_500_R13_R38(client_for, contact, application, cost):
    file = csv_file([ROW.format(surname="Bakker", cost=cost)])
    response = client_for(contact).post(url(application), {"file": file}, format="multipart")
    assert response.status_code == 400
    assert problems(response) == [
        {"line": 2, "field": "cost", "code": "max_value", "message": problems(response)[0]["message"]}
    ]
    assert not application.registrations.exists()


def test_largest_planned_cost_the_column_holds_is_imported_R13(client_for, contact, application):
    file = csv_file([ROW.format(surname="Bakker", cost="999999999999.99")])
    response = client_for(contact).post(url(application), {"file": file}, format="multipart")
    assert response.status_code == 201, response.json()


def test_nul_character_in_a_name_is_a_row_error_not_a_500_R13_R38(client_for, contact, application):
    file = csv_file([ROW.format(surname="Bak\x00ker", cost="500")])
    response = client_for(contact).post(url(application), {"file": file}, format="multipart")
    assert response.status_code == 400
    error = problems(response)[0]
    assert (error["line"], error["field"], error["code"]) == (2, "surname", "null_characters_not_allowed")
    assert "Bak" not in error["message"]  # R40: the value is never echoed
