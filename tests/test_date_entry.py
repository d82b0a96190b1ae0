"""A date asked as day, month and year (issue 15 item 4; R13, R38): ``sectorplan.parsing.DateField``.

The NL Design System advises three numeric inputs instead of a native date field (which reads typed digits as
month/day in some browsers). The one parser reads them; a single string (tests, scripts) is still accepted.
"""

from datetime import date

import pytest
from django import forms
from django.utils import translation

from applications.forms import CompletionRequestForm, RegistrationForm
from sectorplan.parsing import DateField, DatePartsWidget, ParseError, parse_date_parts


class BirthForm(forms.Form):
    date_of_birth = DateField(label="Geboortedatum")
    due = DateField(label="Uiterlijk op", required=False)


def parts(day, month, year, name="date_of_birth"):
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def test_r38_three_parts_17_5_1990_are_read_as_17_may_1990():
    form = BirthForm(parts("17", "5", "1990"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"date_of_birth": date(1990, 5, 17), "due": None}


def test_r38_parts_with_spaces_and_leading_zeros_are_read():
    assert parse_date_parts(" 07 ", "05", "1990") == date(1990, 5, 7)


def test_r38_31_2_2020_is_refused_in_dutch_naming_the_field():
    with translation.override("nl"):
        form = BirthForm(parts("31", "2", "2020"))
        assert not form.is_valid()
        assert form.errors["date_of_birth"] == ["Geboortedatum: Die datum bestaat niet; controleer de dag en de maand."]
    assert form.errors.as_data()["date_of_birth"][0].code == "invalid_date"


@pytest.mark.parametrize(
    ("day", "month", "year", "code", "dutch"),
    [
        ("17", "", "1990", "incomplete_date", "Vul de dag, de maand en het jaar in."),
        ("17", "mei", "1990", "invalid_date", "Dag, maand en jaar zijn getallen, bijvoorbeeld 17 5 1990."),
        ("17", "5", "90", "invalid_date", "Schrijf het jaar met vier cijfers, bijvoorbeeld 1990."),
        ("1", "13", "1990", "invalid_date", "Die datum bestaat niet; controleer de dag en de maand."),
        ("١٧", "5", "1990", "invalid_date", "Dag, maand en jaar zijn getallen, bijvoorbeeld 17 5 1990."),
    ],
)
def test_r38_bad_parts_are_refused_with_the_reason_and_the_field(day, month, year, code, dutch):
    with translation.override("nl"):
        form = BirthForm(parts(day, month, year))
        assert not form.is_valid()
        assert form.errors["date_of_birth"] == [f"Geboortedatum: {dutch}"]
    assert form.errors.as_data()["date_of_birth"][0].code == code
    with pytest.raises(ParseError):
        parse_date_parts(day, month, year)


def test_r38_all_parts_empty_is_empty_required_or_not():
    form = BirthForm(parts("", "", ""))
    assert not form.is_valid()
    assert list(form.errors) == ["date_of_birth"]
    assert form.errors.as_data()["date_of_birth"][0].code == "required"


@pytest.mark.parametrize("text", ["17-05-1990", "17/5/1990", "1990-05-17"])
def test_r13_a_single_string_is_still_read_by_the_one_parser(text):
    form = BirthForm({"date_of_birth": text})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == date(1990, 5, 17)


def test_r38_a_bad_single_string_is_refused_naming_the_field():
    with translation.override("nl"):
        form = BirthForm({"date_of_birth": "31-02-2020"})
        assert not form.is_valid()
        assert form.errors["date_of_birth"][0].startswith("Geboortedatum: ")


def test_the_widget_renders_three_labelled_numeric_inputs_with_the_value_as_parts():
    with translation.override("nl"):
        html = BirthForm(initial={"date_of_birth": date(1990, 5, 17)})["date_of_birth"].as_widget()
    assert html.count('inputmode="numeric"') == 3
    assert 'name="date_of_birth_day"' in html and 'name="date_of_birth_month"' in html
    assert 'name="date_of_birth_year"' in html
    # the day carries the field's own id: labels and the error summary's link land in it
    assert '<label for="id_date_of_birth">Dag</label>' in html
    assert '<label for="id_date_of_birth_month">Maand</label>' in html
    assert '<label for="id_date_of_birth_year">Jaar</label>' in html
    assert 'value="17"' in html and 'value="5"' in html and 'value="1990"' in html
    assert 'type="date"' not in html


def test_a_refused_date_is_shown_back_as_typed():
    html = BirthForm(parts("31", "2", "2020"))["date_of_birth"].as_widget()
    assert 'value="31"' in html and 'value="2"' in html and 'value="2020"' in html


def test_date_of_birth_asks_the_browser_for_the_birthday_parts():
    html = RegistrationForm()["date_of_birth"].as_widget()
    assert 'autocomplete="bday-day"' in html and 'autocomplete="bday-year"' in html
    assert "autocomplete" not in RegistrationForm()["start_date"].as_widget()


def test_the_portal_date_fields_all_ask_day_month_and_year():
    for field in ("date_of_birth", "start_date", "end_date", "employed_since"):
        assert isinstance(RegistrationForm.base_fields[field].widget, DatePartsWidget)
    assert isinstance(CompletionRequestForm.base_fields["due_date"].widget, DatePartsWidget)
