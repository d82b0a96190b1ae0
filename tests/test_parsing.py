"""The one parser for numbers and dates as people type them (R13, R38): ``sectorplan.parsing``."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from sectorplan.parsing import ParseError, parse_date, parse_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1234", "1234"),
        ("1.234.567,89", "1234567.89"),
        ("1.234.567", "1234567"),
        ("€ 1.234,50", "1234.50"),
        ("  12 345,5 ", "12345.5"),
        ("1\u00a0234,50", "1234.50"),
        ("-5", "-5"),
        ("+7,5", "7.5"),
        ("0,125", "0.125"),
        ("0.500", "0.500"),
        ("1234.567", "1234.567"),
        ("32,5", "32.5"),
        ("1e20", "1E+20"),
        ("1,5E+3", "1.5E+3"),
    ],
)
def test_dutch_and_plain_notation_are_read_R13(text, expected):
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("value", [Decimal("12.30"), 12, 999.99])
def test_numbers_an_excel_cell_holds_are_taken_exactly_R13(value):
    assert parse_decimal(value) == Decimal(str(value))


@pytest.mark.parametrize("text", ["1.234", "1,234", "12.500", "999,000", "-1.234", "1.234E+2"])
def test_a_separator_followed_by_three_digits_is_refused_as_ambiguous_R38(text):
    with pytest.raises(ParseError) as exc:
        parse_decimal(text)
    assert exc.value.code == "ambiguous_number"
    assert "(1234)" in exc.value.message and "12.500" not in exc.value.message  # a reason, not the value (R40)


@pytest.mark.parametrize(
    "value", ["", " ", "abc", "12a", "1,234.56", "1,234,567", "12.34.56", "1.23,4", "--5", "1,2,3", "€", "NaN",
              "Infinity", None, True, "1e99999"]
)
def test_what_is_not_a_number_is_refused_with_a_reason_R38(value):
    with pytest.raises(ParseError) as exc:
        parse_decimal(value)
    assert exc.value.code == "invalid_number"
    assert exc.value.message


def test_decimals_beyond_the_places_are_refused_and_trailing_zeros_are_not_R38():
    assert parse_decimal("32,50", places=1) == Decimal("32.5")
    assert parse_decimal("1500", places=2) == Decimal("1500.00")
    with pytest.raises(ParseError) as exc:
        parse_decimal("32,55", places=1)
    assert exc.value.code == "too_many_decimals"
    with pytest.raises(ParseError):
        parse_decimal("10,0050", places=2)
    assert parse_decimal("1e20", places=2) == Decimal("1e20")  # huge: left to the field's limit, no crash


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31-12-1980", date(1980, 12, 31)),
        ("1980-12-31", date(1980, 12, 31)),
        ("31/12/1980", date(1980, 12, 31)),
        ("1-2-1980", date(1980, 2, 1)),
        (" 29-02-2024 ", date(2024, 2, 29)),
        (date(1980, 12, 31), date(1980, 12, 31)),
        (datetime(1980, 12, 31, 0, 0), date(1980, 12, 31)),
    ],
)
def test_dutch_and_iso_dates_are_read_R13(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value", ["", "31-02-1980", "29-02-2023", "12-31-1980", "1980/12/31", "31-12-80", "31-12/1980", "yesterday", None,
              32874]
)
def test_what_is_not_a_date_is_refused_with_a_reason_R38(value):
    with pytest.raises(ParseError) as exc:
        parse_date(value)
    assert exc.value.code == "invalid_date"
    assert "31-12-1980" in exc.value.message
