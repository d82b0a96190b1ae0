from datetime import date
from decimal import Decimal
from itertools import count

import pytest

from applications.models import Participant
from tests.applications.factories import ApplicationFactory, EmployerFactory, UserFactory
from tests.budgets.factories import PeriodFactory, RegionFactory

_seq = count()


def add_participants(application, n, *, focus, band, started=None, outcome="", surname=None, initials="J.",
                     date_of_birth=date(1990, 5, 17)):
    """Bulk-create ``n`` participants of one focus and age band (the statistics only read these fields)."""
    start = application.period.training_start_from
    Participant.objects.bulk_create(
        Participant(
            application=application, initials=initials, surname=surname or f"Deelnemer{next(_seq)}",
            date_of_birth=date_of_birth, focus=focus, activity_type="A", start_date=start,
            end_date=date(start.year, 12, 31), contract_hours=Decimal("32.0"), employed_since=date(2015, 1, 1),
            age_band=band, requested_amount=Decimal("5000.00"), started=started, outcome=outcome,
        )
        for _ in range(n)
    )


def application(employer, period, status):
    extra = {}
    if status != "draft" and status != "withdrawn":
        extra["submitted_at"] = period.application_opens
    if status in ("assessed", "granted", "rejected", "settled"):
        extra["eligible_amount"] = Decimal("0.00")
    return ApplicationFactory(employer=employer, period=period, status=status, **extra)


@pytest.fixture
def dataset(db):
    """The known data set of the participants table tests (expected figures in test_participants_api.py)."""
    p1, p2 = PeriodFactory(number=1), PeriodFactory(number=2)
    PeriodFactory(number=3)
    rijnmond = RegionFactory(code="rijnmond", name="Rijnmond")
    twente = RegionFactory(code="twente", name="Twente")
    ea1 = EmployerFactory(region=rijnmond, earmark="other")
    eb1 = EmployerFactory(region=twente, earmark="nursing_home")
    eb2 = EmployerFactory(region=twente, earmark="nursing_home")
    eb3 = EmployerFactory(region=twente, earmark="other")

    app1 = application(ea1, p1, "submitted")
    add_participants(app1, 1, focus="new_intake", band="<25")
    add_participants(app1, 2, focus="new_intake", band="25-45")
    add_participants(app1, 7, focus="upskilling", band="25-45")
    add_participants(app1, 1, focus="upskilling", band="45-55")

    app2 = application(eb1, p2, "granted")
    add_participants(app2, 1, focus="practice_supervisor", band="55+", started=True, outcome="completed")
    add_participants(app2, 1, focus="practice_supervisor", band="55+", started=True, outcome="dropped_out")
    add_participants(app2, 1, focus="redundancy_risk", band="25-45", started=False)

    app5 = application(eb3, p2, "settled")
    add_participants(app5, 1, focus="upskilling", band="55+", started=True, outcome="completed")

    # Not counted: a draft and a withdrawn application.
    draft = application(eb2, p1, "draft")
    add_participants(draft, 5, focus="new_intake", band="<25", started=True, outcome="completed")
    withdrawn = application(EmployerFactory(region=rijnmond), p2, "withdrawn")
    add_participants(withdrawn, 4, focus="retention", band="45-55", started=True, outcome="completed")
    return {"periods": (p1, p2), "regions": (rijnmond, twente)}


@pytest.fixture
def ministry(db):
    return UserFactory(username="ministry-reader", roles=["ministry"])
