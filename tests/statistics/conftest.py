from datetime import date
from decimal import Decimal
from itertools import count

import pytest

from applications.models import Registration
from tests.applications.factories import ApplicationFactory, EmployerFactory, UserFactory
from tests.budgets.factories import PeriodFactory, RegionFactory

_seq = count()


def add_registrations(application, n, *, focus, band, started=None, outcome="", surname=None, initials="J.",
                     date_of_birth=date(1990, 5, 17), status="approved", review_reason=""):
    """Bulk-create ``n`` registrations of one focus and age band (the statistics only read these fields)."""
    start = application.period.training_start_from
    Registration.objects.bulk_create(
        Registration(
            application=application, initials=initials, surname=surname or f"Deelnemer{next(_seq)}",
            date_of_birth=date_of_birth, focus=focus, activity_type="A", start_date=start,
            end_date=date(start.year, 12, 31), contract_hours=Decimal("32.0"), employed_since=date(2015, 1, 1),
            age_band=band, amount=Decimal("5000.00"), started=started, outcome=outcome, status=status,
            review_reason=review_reason,
        )
        for _ in range(n)
    )


def application(employer, period, status):
    extra = {}
    if status != "draft" and status != "withdrawn":
        extra["submitted_at"] = period.application_opens
    if status in ("assessed", "granted", "rejected", "settled", "lapsed"):
        extra["eligible_amount"] = Decimal("0.00")
    return ApplicationFactory(employer=employer, period=period, status=status, **extra)


@pytest.fixture
def dataset(db):
    """The known data set of the registrations table tests (expected figures in test_registrations_api.py).

    Registrations live on granted applications; what the table counts is decided by each registration's own
    status (R34, R49): ``registered`` = submitted, repair_requested or approved.
    """
    p1, p2 = PeriodFactory(number=1), PeriodFactory(number=2)
    PeriodFactory(number=3)
    rijnmond = RegionFactory(code="rijnmond", name="Rijnmond")
    twente = RegionFactory(code="twente", name="Twente")
    ea1 = EmployerFactory(region=rijnmond, earmark="other")
    eb1 = EmployerFactory(region=twente, earmark="nursing_home")
    eb2 = EmployerFactory(region=twente, earmark="nursing_home")
    eb3 = EmployerFactory(region=twente, earmark="other")

    app1 = application(ea1, p1, "granted")
    add_registrations(app1, 1, focus="new_intake", band="<25", status="submitted")
    add_registrations(app1, 2, focus="new_intake", band="25-45", status="repair_requested")
    add_registrations(app1, 7, focus="upskilling", band="25-45")
    add_registrations(app1, 1, focus="upskilling", band="45-55")

    app2 = application(eb1, p2, "granted")
    add_registrations(app2, 1, focus="practice_supervisor", band="55+", started=True, outcome="completed")
    add_registrations(app2, 1, focus="practice_supervisor", band="55+", started=True, outcome="dropped_out")
    add_registrations(app2, 1, focus="redundancy_risk", band="25-45", started=False)

    app5 = application(eb3, p2, "settled")
    add_registrations(app5, 1, focus="upskilling", band="55+", started=True, outcome="completed")

    # Not counted under any status: drafts and rejected registrations.
    app3 = application(eb2, p1, "granted")
    add_registrations(app3, 5, focus="new_intake", band="<25", status="draft")
    add_registrations(app3, 4, focus="retention", band="45-55", status="rejected", review_reason="Geen bewijs.")
    app4 = application(EmployerFactory(region=rijnmond), p2, "granted")
    add_registrations(app4, 3, focus="retention", band="45-55", status="draft")
    return {"periods": (p1, p2), "regions": (rijnmond, twente)}


@pytest.fixture
def ministry(db):
    return UserFactory(username="ministry-reader", roles=["ministry"])
