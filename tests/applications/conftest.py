from datetime import date
from decimal import Decimal

import pytest

from applications.constants import ApplicationStatus, MembershipRole
from sectorplan.api.errors import camel_field
from tests.applications.factories import ApplicationFactory, EmployerFactory, MembershipFactory, UserFactory
from tests.budgets.factories import PeriodFactory, amsterdam

#: A moment inside the PeriodFactory's application window.
INSIDE_WINDOW = amsterdam(2025, 12, 10, 12, 0)


def registration_payload(**overrides) -> dict:
    """A registration as the API takes it (lowerCamelCase); overrides by the model's field names."""
    payload = {
        "initials": "A.B.",
        "surname": "Visser",
        "dateOfBirth": "1990-05-17",
        "focus": "upskilling",
        "activityType": "A",
        "startDate": "2026-03-01",
        "endDate": "2026-12-31",
        "contractHours": "32.0",
        "employedSince": "2015-01-01",
        "plannedCost": None,
    }
    payload.update({camel_field(key): value for key, value in overrides.items()})
    return payload


def plan_row(**overrides) -> dict:
    """One plan line's typed values as the services take them (R8)."""
    values = {"activity_type": "A", "focus": "upskilling", "count": 2, "planned_cost": None}
    values.update(overrides)
    return values


def plan_payload(**overrides) -> dict:
    """One plan line as the API takes it."""
    values = {"activity_type": "A", "focus": "upskilling", "count": 2, "planned_cost": None}
    values.update(overrides)
    return values


def registration_row(**overrides) -> dict:
    """Typed values as the services take them."""
    values = {
        "initials": "A.B.",
        "surname": "Visser",
        "date_of_birth": date(1990, 5, 17),
        "focus": "upskilling",
        "activity_type": "A",
        "start_date": date(2026, 3, 1),
        "end_date": date(2026, 12, 31),
        "contract_hours": Decimal("32.0"),
        "employed_since": date(2015, 1, 1),
        "planned_cost": None,
    }
    values.update(overrides)
    return values


@pytest.fixture
def period(db):
    return PeriodFactory(number=4)


@pytest.fixture
def employer(db):
    return EmployerFactory()


@pytest.fixture
def contact(employer):
    return MembershipFactory(employer=employer, user=UserFactory(username="contact"), role=MembershipRole.CONTACT).user


@pytest.fixture
def officer(employer):
    return MembershipFactory(
        employer=employer, user=UserFactory(username="officer"), role=MembershipRole.ACCOUNTABILITY_OFFICER
    ).user


@pytest.fixture
def outsider(db):
    """A contact of another employer."""
    return MembershipFactory(user=UserFactory(username="outsider"), role=MembershipRole.CONTACT).user


@pytest.fixture
def application(employer, period):
    return ApplicationFactory(employer=employer, period=period)


@pytest.fixture
def at_time(monkeypatch):
    """``at_time(dt)`` freezes ``django.utils.timezone.now`` at ``dt``."""

    def freeze(moment):
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    return freeze


@pytest.fixture
def granted(employer, period):
    """A granted application: registrations (proto-registrations) are registered on it (v2)."""
    return ApplicationFactory(
        employer=employer, period=period, status=ApplicationStatus.GRANTED, submitted_at=period.application_opens,
        eligible_amount=Decimal("0.00"),
    )
