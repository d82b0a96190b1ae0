"""Pure registration rules (R9-R12), no database."""

from datetime import date
from decimal import Decimal

import pytest

from applications import rules
from applications.constants import AgeBand
from budgets import reference

START = date(2026, 3, 1)


def period_rules(**overrides) -> rules.PeriodRules:
    values = {
        "training_start_from": date(2026, 1, 1),
        "training_start_until": date(2026, 12, 31),
        "retention_allowed": False,
        "retention_max_percent": Decimal("50.00"),
        "rates": {r["activity_type"]: rules.Rate(
            r["activity_type"], r["method"], r["amount"], r["reduced_amount"], r["min_contract_hours"]
        ) for r in reference.ACTIVITY_RATES},
    }
    values.update(overrides)
    return rules.PeriodRules(**values)


def registration(**overrides) -> dict:
    values = {
        "initials": "A.B.",
        "surname": "Visser",
        "date_of_birth": date(1990, 5, 17),
        "focus": "upskilling",
        "activity_type": "A",
        "start_date": START,
        "end_date": date(2026, 12, 31),
        "contract_hours": Decimal("32"),
        "employed_since": date(2015, 1, 1),
        "cost": None,
    }
    values.update(overrides)
    return values


def codes(errors):
    return {(e["field"], e["code"]) for e in errors}


# --- R10 age bands ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "birthday_age,before,on",
    [(25, AgeBand.UNDER_25, AgeBand.FROM_25_TO_45), (45, AgeBand.FROM_25_TO_45, AgeBand.FROM_45_TO_55),
     (55, AgeBand.FROM_45_TO_55, AgeBand.FROM_55)],
)
def test_age_band_changes_on_the_birthday_not_the_day_before_R10(birthday_age, before, on):
    start = date(2026, 6, 15)
    dob = date(2026 - birthday_age, 6, 15)
    assert rules.age_band(dob, start) == on
    assert rules.age_band(dob, date(2026, 6, 14)) == before


def test_age_band_on_25th_birthday_is_25_45_R10():
    assert rules.age_band(date(2001, 3, 1), date(2026, 3, 1)) == "25-45"


def test_age_band_day_before_25th_birthday_is_under_25_R10():
    assert rules.age_band(date(2001, 3, 2), date(2026, 3, 1)) == "<25"


def test_age_band_day_before_45th_birthday_is_25_45_R10():
    assert rules.age_band(date(1981, 3, 2), date(2026, 3, 1)) == "25-45"


def test_age_band_on_45th_birthday_is_45_55_R10():
    assert rules.age_band(date(1981, 3, 1), date(2026, 3, 1)) == "45-55"


def test_age_band_day_before_55th_birthday_is_45_55_R10():
    assert rules.age_band(date(1971, 3, 2), date(2026, 3, 1)) == "45-55"


def test_age_band_on_55th_birthday_is_55_plus_R10():
    assert rules.age_band(date(1971, 3, 1), date(2026, 3, 1)) == "55+"


def test_born_29_february_turns_25_on_1_march_in_a_non_leap_year_R10():
    dob = date(2000, 2, 29)
    assert rules.age_on(dob, date(2025, 2, 28)) == 24
    assert rules.age_band(dob, date(2025, 2, 28)) == "<25"
    assert rules.age_band(dob, date(2025, 3, 1)) == "25-45"


def test_born_29_february_turns_older_on_29_february_in_a_leap_year_R10():
    dob = date(2004, 2, 29)
    assert rules.age_on(dob, date(2028, 2, 28)) == 23
    assert rules.age_on(dob, date(2028, 2, 29)) == 24


@pytest.mark.parametrize("dob", [date(2011, 3, 2), date(1950, 2, 28)])
def test_implausible_age_is_refused_R10(dob):
    errors, derived = rules.validate_registration(registration(date_of_birth=dob), period_rules())
    assert ("date_of_birth", "implausible_age") in codes(errors)
    assert derived == {}


@pytest.mark.parametrize("dob", [date(2011, 3, 1), date(1950, 3, 2)])
def test_ages_15_and_75_are_plausible_R10(dob):
    errors, derived = rules.validate_registration(registration(date_of_birth=dob), period_rules())
    assert errors == []
    assert derived["age_band"] in {"<25", "55+"}


# --- R11 dates --------------------------------------------------------------------------------


def test_start_outside_training_window_is_refused_R11():
    errors, _ = rules.validate_registration(
        registration(start_date=date(2025, 12, 31), end_date=date(2026, 6, 1)), period_rules()
    )
    assert ("start_date", "outside_training_window") in codes(errors)


def test_end_before_start_is_refused_R11():
    errors, _ = rules.validate_registration(registration(end_date=date(2026, 2, 28)), period_rules())
    assert ("end_date", "end_before_start") in codes(errors)


# --- R12 amounts ------------------------------------------------------------------------------


def test_fixed_type_gets_full_amount_at_24_contract_hours_R12():
    _, derived = rules.validate_registration(registration(contract_hours=Decimal("24")), period_rules())
    assert derived["amount"] == Decimal("5000.00")


def test_fixed_type_gets_reduced_amount_below_24_contract_hours_R12():
    _, derived = rules.validate_registration(registration(contract_hours=Decimal("23.9")), period_rules())
    assert derived["amount"] == Decimal("2000.00")


def test_hbo_dual_type_b_follows_the_contract_hours_rule_R12():
    _, full = rules.validate_registration(registration(activity_type="B"), period_rules())
    _, reduced = rules.validate_registration(registration(activity_type="B", contract_hours=Decimal("16")), period_rules())
    assert (full["amount"], reduced["amount"]) == (Decimal("5000.00"), Decimal("2000.00"))


@pytest.mark.parametrize(
    "activity,cost,expected",
    [("C", "1500.50", "1500.50"), ("C", "2500.00", "2000.00"), ("D", "1000.01", "1000.00"),
     ("E", "499.99", "499.99"), ("E", "800", "500.00")],
)
def test_actual_cost_types_get_planned_cost_capped_R12(activity, cost, expected):
    errors, derived = rules.validate_registration(
        registration(activity_type=activity, cost=Decimal(cost)), period_rules()
    )
    assert errors == []
    assert derived["amount"] == Decimal(expected)


def test_actual_cost_type_requires_planned_cost_R12():
    errors, _ = rules.validate_registration(registration(activity_type="C", cost=None), period_rules())
    assert ("cost", "required") in codes(errors)


def test_requested_amount_is_rounded_half_up_to_the_cent_R12():
    rate = rules.Rate("C", "actual_cost", Decimal("2000.00"), None, None)
    assert rules.requested_amount(rate=rate, contract_hours=Decimal(32), planned_cost=Decimal("10.005")) == Decimal("10.01")


# --- R9 focuses -------------------------------------------------------------------------------


def test_retention_refused_in_period_that_does_not_allow_it_R9():
    errors, _ = rules.validate_registration(registration(focus="retention"), period_rules())
    assert ("focus", "retention_not_allowed") in codes(errors)


def test_retention_allowed_in_period_that_allows_it_R9():
    errors, _ = rules.validate_registration(registration(focus="retention"), period_rules(retention_allowed=True))
    assert errors == []


def test_retention_share_at_most_the_maximum_R9():
    assert rules.retention_within_share(
        retention_total=Decimal("5000.00"), application_total=Decimal("10000.00"), max_percent=Decimal("50")
    )
    assert not rules.retention_within_share(
        retention_total=Decimal("5000.01"), application_total=Decimal("10000.00"), max_percent=Decimal("50")
    )


def test_new_intake_employed_exactly_one_year_is_allowed_R9():
    errors, _ = rules.validate_registration(
        registration(focus="new_intake", employed_since=date(2025, 3, 1)), period_rules()
    )
    assert errors == []


def test_new_intake_employed_more_than_one_year_is_refused_R9():
    errors, _ = rules.validate_registration(
        registration(focus="new_intake", employed_since=date(2025, 2, 28)), period_rules()
    )
    assert ("employed_since", "not_new_intake") in codes(errors)


def test_unknown_focus_is_refused_R9():
    errors, _ = rules.validate_registration(registration(focus="cooking"), period_rules())
    assert ("focus", "invalid_choice") in codes(errors)


def test_missing_field_is_reported_as_required_R8():
    errors, derived = rules.validate_registration(registration(contract_hours=None, surname=""), period_rules())
    assert codes(errors) == {("contract_hours", "required"), ("surname", "required")}
    assert derived == {}


def test_same_person_key_ignores_case_and_spacing_R13():
    assert rules.person_key(registration(initials="a. b.", surname=" visser")) == rules.person_key(registration())


def test_error_messages_carry_no_personal_data_R40():
    errors, _ = rules.validate_registration(
        registration(surname="Geheimnaam", date_of_birth=date(2020, 1, 1), end_date=date(2020, 1, 1)), period_rules()
    )
    text = " ".join(e["message"] for e in errors)
    assert errors and "Geheimnaam" not in text and "2020" not in text
