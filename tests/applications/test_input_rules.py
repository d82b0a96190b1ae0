"""One rule, one place: the portal form, the API serializer and the file import read registrations alike
(R8-R13, R38), and "can it be withdrawn" is read from the status map (R7)."""

from decimal import Decimal

import pytest

from applications import importing, rules
from applications.api.serializers import PlanLineInputSerializer, RegistrationInputSerializer
from applications.constants import TRANSITIONS, ApplicationStatus, Focus
from applications.forms import RegistrationForm
from budgets.constants import ActivityType
from sectorplan.parsing import ParseError

FORM_ROW = {
    "initials": "A.B.", "surname": "Visser", "date_of_birth": "1990-05-17", "focus": "upskilling",
    "activity_type": "C", "start_date": "2026-03-01", "end_date": "2026-12-31", "contract_hours": "32",
    "employed_since": "2015-01-01", "cost": "",
}


def _form_error(field, value):
    form = RegistrationForm({**FORM_ROW, field: value})
    form.is_valid()
    return form.errors.get(field)


def _api_error(field, value):
    serializer = RegistrationInputSerializer(data={**FORM_ROW, field: value})
    serializer.is_valid()
    return serializer.errors.get(field)


def _import_error(field, value):
    try:
        rules.clean_input(rules.REGISTRATION_INPUT[field], value)
    except ParseError as exc:
        return exc.code
    return None


def test_form_serializer_and_import_have_the_same_fields_in_the_same_order_R8():
    assert tuple(RegistrationForm.base_fields) == rules.REGISTRATION_FIELDS
    assert tuple(RegistrationInputSerializer().fields) == rules.REGISTRATION_FIELDS
    assert importing.COLUMNS == rules.REGISTRATION_FIELDS
    assert not RegistrationForm.base_fields["cost"].required
    assert not RegistrationInputSerializer().fields["cost"].required


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("999999999999.99", True), ("1000000000000", False), ("99999999999999.99", False)],
)
def test_planned_cost_limit_is_the_same_in_form_serializer_and_import_R8_R38(value, accepted):
    """It was 12 digits in the form, 14 in the serializer and 10**12 in the import."""
    assert (_form_error("cost", value) is None) is accepted
    assert (_api_error("cost", value) is None) is accepted
    assert (_import_error("cost", value) is None) is accepted


@pytest.mark.parametrize(("value", "accepted"), [("80", True), ("37.5", True), ("1000", False), ("32.25", False)])
def test_contract_hours_digits_are_the_same_in_form_serializer_and_import_R8_R38(value, accepted):
    assert (_form_error("contract_hours", value) is None) is accepted
    assert (_api_error("contract_hours", value) is None) is accepted
    assert (_import_error("contract_hours", value) is None) is accepted


@pytest.mark.parametrize(("field", "length"), [("initials", 20), ("surname", 100)])
def test_name_lengths_are_the_columns_in_form_serializer_and_import_R8(field, length):
    for value, accepted in [("x" * length, True), ("x" * (length + 1), False)]:
        assert (_form_error(field, value) is None) is accepted
        assert (_api_error(field, value) is None) is accepted
        assert (_import_error(field, value) is None) is accepted


def test_focus_and_activity_values_are_the_same_everywhere_R9():
    form, api = RegistrationForm(), RegistrationInputSerializer()
    assert [c for c, _label in form.fields["focus"].choices] == Focus.values
    assert list(api.fields["focus"].choices) == Focus.values
    assert [c for c, _label in form.fields["activity_type"].choices] == ActivityType.values
    assert list(api.fields["activity_type"].choices) == ActivityType.values
    assert rules.clean_input(rules.REGISTRATION_INPUT["focus"], " Upskilling ") == "upskilling"
    assert _import_error("focus", "cooking") == "invalid_choice"
    assert _form_error("focus", "cooking") and _api_error("focus", "cooking")


def test_portal_form_reads_dutch_numbers_and_dates_with_the_one_parser_R13():
    form = RegistrationForm({**FORM_ROW, "cost": "1.234,56", "contract_hours": "32,5",
                            "date_of_birth": "17-05-1990"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["cost"] == Decimal("1234.56")
    assert form.cleaned_data["contract_hours"] == Decimal("32.5")
    assert str(form.cleaned_data["date_of_birth"]) == "1990-05-17"


def test_ambiguous_amount_is_refused_with_the_reason_in_form_and_import_R38():
    errors = _form_error("cost", "1.500")
    assert errors and "1234" in errors[0]  # the reason shows how to write it
    assert _import_error("cost", "1.500") == "ambiguous_number"


@pytest.mark.parametrize("status", ApplicationStatus.values)
def test_can_withdraw_until_decided_follows_the_status_map_R7(status):
    expected = status in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.ASSESSED)
    assert rules.can_withdraw(status) is expected
    assert rules.can_withdraw(status) is (ApplicationStatus.WITHDRAWN in TRANSITIONS[status])


def test_plan_line_serializer_matrix_and_import_read_the_same_fields_R8():
    assert tuple(PlanLineInputSerializer().fields) == rules.PLAN_LINE_FIELDS == (
        "activity_type", "focus", "count", "planned_cost"
    )
    assert not PlanLineInputSerializer().fields["planned_cost"].required
    # The import reads the same rule for each column: a Dutch amount in the cost column, a whole number in count.
    assert rules.clean_input(rules.PLAN_LINE_INPUT["planned_cost"], "1.234,56") == Decimal("1234.56")
    assert rules.clean_input(rules.PLAN_LINE_INPUT["count"], "12") == 12
    with pytest.raises(ParseError):
        rules.clean_input(rules.PLAN_LINE_INPUT["count"], "1,5")
