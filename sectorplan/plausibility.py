"""Plausibility of dates people enter (issue 16, item 5): a typo such as 2099 or 0001 is refused with a 400 naming
the field, instead of being stored and silently steering the rules (an advice dated 2099 would be "the latest" for
ever and block a region's release).

The checks that depend on a period's windows (deadlines and extensions) are
``budgets.models.deadline_plausibility_error``; these are the ones that depend on today only.
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from .api.errors import DomainError

#: The scheme started in 2017 (domain.md §3); nothing it records predates this year.
EARLIEST_YEAR = 2015
#: The furthest ahead an office user may push a date (reopening accountability).
MAX_YEARS_AHEAD = 5


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _fmt(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def check_past_date(day: date, *, field: str) -> None:
    """A date something happened (an advice was given, an objection was received): not in the future, not before
    :data:`EARLIEST_YEAR`."""
    today = timezone.localdate()
    earliest = date(EARLIEST_YEAR, 1, 1)
    if day > today:
        raise DomainError(field=field, code="in_future", message=_("The date %(date)s lies in the future.") % {
            "date": _fmt(day)})
    if day < earliest:
        raise DomainError(field=field, code="implausible", message=_("The date %(date)s lies before %(earliest)s.") % {
            "date": _fmt(day), "earliest": _fmt(earliest)})


def check_future_date(day: date, *, field: str, years: int = MAX_YEARS_AHEAD) -> None:
    """A date something is allowed until: not in the past and at most ``years`` years from today."""
    today = timezone.localdate()
    latest = _years_later(today, years)
    if day < today:
        raise DomainError(field=field, code="in_past", message=_("The date %(date)s lies in the past.") % {
            "date": _fmt(day)})
    if day > latest:
        raise DomainError(field=field, code="implausible", message=_(
            "The date %(date)s lies more than %(years)d years ahead (after %(latest)s).") % {
            "date": _fmt(day), "years": years, "latest": _fmt(latest)})
