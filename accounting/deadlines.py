"""Deadlines of the objection term (R33) and the accountability deadline (R29, R32).

Objection term (Algemene wet bestuursrecht, art. 6:7 and 6:8): six weeks, starting on the day after the
date of the decision's letter. The term's last day is therefore the letter date plus 42 days (the same
weekday as the letter, six weeks later).

Algemene termijnenwet (Atw), art. 1: a statutory term that ends on a Saturday, a Sunday or a generally
recognised holiday is extended to the next day that is none of these. Art. 3 lists the holidays:
New Year's Day, Easter Monday, Whit Monday, Christmas Day and Boxing Day, Ascension Day, the day on which
the King's birthday is celebrated, and 5 May (every year, not only in lustrum years). We take the dates
from the ``holidays`` package (``holidays.Netherlands``: it moves King's Day to 26 April when 27 April is
a Sunday), drop Good Friday (it is not an Atw holiday), and add 5 May for every year. Easter Sunday and
Whit Sunday are Sundays anyway. Days the government designates ad hoc under art. 3(2) are not covered.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from budgets.selectors import deadline_passed

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
OBJECTION_TERM_DAYS = 42  # six weeks (Awb 6:7)
#: Dates in ``holidays.Netherlands`` that are NOT Atw holidays.
NOT_ATW = {"Good Friday"}


@lru_cache(maxsize=64)
def atw_holidays(year: int) -> frozenset[date]:
    """The generally recognised holidays of Atw art. 3 in ``year``."""
    days = {day for day, name in holidays.Netherlands(years=year, language="en_US").items() if name not in NOT_ATW}
    days.add(date(year, 5, 5))
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in atw_holidays(day.year)


def next_working_day_from(day: date) -> date:
    """``day`` itself if it is a working day, otherwise the first working day after it (Atw art. 1)."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def objection_deadline(letter_date: date) -> date:
    """The last day on which an objection to a decision dated ``letter_date`` is in time (R27, R33)."""
    return next_working_day_from(letter_date + timedelta(days=OBJECTION_TERM_DAYS))


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in Europe/Amsterdam: deadlines are inclusive."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=AMSTERDAM) - timedelta(microseconds=1)


def is_past(deadline: date, now: datetime) -> bool:
    """True once ``now`` is after the end of ``deadline`` (Europe/Amsterdam): ``budgets.selectors.deadline_passed``
    on the day ``now`` falls on there."""
    return deadline_passed(deadline, now.astimezone(AMSTERDAM).date())
