from datetime import date

import pytest

from accounting.deadlines import atw_holidays, is_past, objection_deadline
from tests.budgets.factories import amsterdam


def test_objection_term_is_six_weeks_from_the_day_after_the_letter_R33():
    # Letter on Monday 2 February 2026: the term runs from 3 February and ends Monday 16 March.
    assert objection_deadline(date(2026, 2, 2)) == date(2026, 3, 16)


def test_objection_deadline_on_a_saturday_moves_to_monday_R33():
    # Letter Saturday 7 Feb 2026 -> six weeks later is Saturday 21 March -> Monday 23 March.
    assert objection_deadline(date(2026, 2, 7)) == date(2026, 3, 23)


def test_objection_deadline_on_a_sunday_moves_to_monday_R33():
    assert objection_deadline(date(2026, 2, 8)) == date(2026, 3, 23)


def test_objection_deadline_on_kings_day_moves_to_the_next_working_day_R33():
    # 27 April 2026 (Monday) is King's Day: letter of 16 March 2026 -> 27 April -> 28 April.
    assert objection_deadline(date(2026, 3, 16)) == date(2026, 4, 28)


def test_kings_day_on_a_sunday_is_celebrated_on_the_26th_R33():
    # 2025: 27 April is a Sunday; King's Day is Saturday 26 April. Both move to Monday 28 April.
    assert date(2025, 4, 26) in atw_holidays(2025)
    assert objection_deadline(date(2025, 3, 15)) == date(2025, 4, 28)


def test_objection_deadline_over_christmas_moves_past_both_christmas_days_R33():
    # Letter Friday 13 November 2026 -> Friday 25 December -> Saturday 26 (Boxing Day), Sunday 27 -> Monday 28.
    assert objection_deadline(date(2026, 11, 13)) == date(2026, 12, 28)


def test_liberation_day_counts_every_year_under_the_atw_R33():
    # 5 May 2026 is a Tuesday; holidays.Netherlands lists it only in lustrum years, the Atw every year.
    assert objection_deadline(date(2026, 3, 24)) == date(2026, 5, 6)


def test_good_friday_is_not_an_atw_holiday_R33():
    # Good Friday 3 April 2026: a deadline on it stays.
    assert objection_deadline(date(2026, 2, 20)) == date(2026, 4, 3)


@pytest.mark.parametrize(
    ("letter", "expected"),
    [
        (date(2026, 2, 23), date(2026, 4, 7)),  # 6 April is Easter Monday
        (date(2026, 4, 2), date(2026, 5, 15)),  # 14 May is Ascension Day
        (date(2026, 4, 13), date(2026, 5, 26)),  # 25 May is Whit Monday
        (date(2026, 11, 20), date(2027, 1, 4)),  # 1 January 2027 is New Year's Day (Friday)
    ],
)
def test_objection_deadline_skips_other_atw_holidays_R33(letter, expected):
    assert objection_deadline(letter) == expected


def test_accountability_deadline_ends_at_midnight_amsterdam_R32():
    deadline = date(2028, 7, 1)
    assert not is_past(deadline, amsterdam(2028, 7, 1, 23, 59, 59))
    assert is_past(deadline, amsterdam(2028, 7, 2, 0, 0, 0))
