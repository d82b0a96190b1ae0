"""Shared set-up for the allocation, holdback and ledger tests."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.management import call_command

from applications.constants import ApplicationStatus
from tests.applications.factories import ApplicationFactory, EmployerFactory
from tests.budgets.factories import PeriodFactory

AMS = ZoneInfo("Europe/Amsterdam")
CLOSED_OPENS = datetime(2020, 12, 1, 9, 0, tzinfo=AMS)
CLOSED_CLOSES = datetime(2020, 12, 19, 17, 0, tzinfo=AMS)


def closed_period(**kwargs):
    """A period whose application window has closed."""
    kwargs.setdefault("application_opens", CLOSED_OPENS)
    kwargs.setdefault("application_closes", CLOSED_CLOSES)
    return PeriodFactory(**kwargs)


def assessed(period, eligible, *, reviewer=None, earmark="other", region=None, **kwargs):
    employer_kwargs = {"earmark": earmark}
    if region is not None:
        employer_kwargs["region"] = region
    employer = EmployerFactory(**employer_kwargs)
    eligible = Decimal(eligible)
    return ApplicationFactory(
        employer=employer,
        period=period,
        status=ApplicationStatus.ASSESSED,
        submitted_at=period.application_opens,
        requested_amount=eligible,
        eligible_amount=eligible,
        assessed_by=reviewer,
        **kwargs,
    )


def assert_ledger_ok():
    """Run ``manage.py check_ledger``; it raises (exit 1) on any violation."""
    call_command("check_ledger")
