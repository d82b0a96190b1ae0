"""R53: one reading of "the deadline has passed", used by every deadline check."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from accounting.deadlines import is_past
from budgets.selectors import deadline_passed

AMS = ZoneInfo("Europe/Amsterdam")


def test_r53_the_deadline_day_itself_is_included():
    day = date(2027, 3, 1)
    assert not deadline_passed(day, date(2027, 2, 28))
    assert not deadline_passed(day, day)
    assert deadline_passed(day, date(2027, 3, 2))


def test_r53_no_deadline_never_passes():
    assert not deadline_passed(None, date(2099, 1, 1))


def test_r53_a_moment_passes_the_deadline_after_midnight_in_amsterdam():
    day = date(2027, 3, 1)
    assert not is_past(day, datetime(2027, 3, 1, 23, 59, 59, tzinfo=AMS))
    assert is_past(day, datetime(2027, 3, 2, 0, 0, 0, tzinfo=AMS))
    # 23:30 UTC on the deadline day is already the next day in Amsterdam.
    assert is_past(day, datetime(2027, 3, 1, 23, 30, tzinfo=ZoneInfo("UTC")))
