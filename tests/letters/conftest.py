from decimal import Decimal

import pytest

from tests.applications.factories import (
    ApplicationFactory,
    DecisionFactory,
    EmployerFactory,
    LetterFactory,
    MembershipFactory,
    RegistrationFactory,
)
from tests.budgets.factories import PeriodFactory, RegionFactory

#: Amounts per kind, chosen so that every amount is a distinctive Dutch-notation string.
KIND_AMOUNTS = {
    "grant": {"granted_amount": Decimal("12345.67"), "held_amount": Decimal("3086.42"), "advance_amount": Decimal("0")},
    "rejection": {"granted_amount": Decimal("0"), "held_amount": Decimal("0"), "advance_amount": Decimal("0")},
    "holdback_release": {"granted_amount": Decimal("0"), "released_amount": Decimal("3086.42"), "advance_amount": Decimal("0")},
    "holdback_forfeit": {"granted_amount": Decimal("0"), "forfeited_amount": Decimal("3086.42"), "advance_amount": Decimal("0")},
    "settlement": {"granted_amount": Decimal("0"), "advance_amount": Decimal("0"), "settled_amount": Decimal("8123.45"), "payment_amount": Decimal("1179.76")},
    "objection_ruling": {"granted_amount": Decimal("11000.00"), "held_amount": Decimal("0"), "advance_amount": Decimal("0")},
    "advance": {"granted_amount": Decimal("0"), "advance_amount": Decimal("6943.69")},
    "lapse": {"granted_amount": Decimal("12345.67"), "held_amount": Decimal("3086.42"), "advance_amount": Decimal("0")},
}


@pytest.fixture
def employer(db):
    region = RegionFactory(code="utrecht-en-omgeving", name="Utrecht en omgeving")
    return EmployerFactory(
        name="Stichting Zorggroep De Linde", kvk_number="41234567", region=region,
        address="Lindelaan 12", postal_code="3511 AB", city="Utrecht", contact_name="mevrouw A. de Vries",
    )


@pytest.fixture
def period(db):
    return PeriodFactory(number=3, with_holdback=True)


@pytest.fixture
def make_decision(employer, period):
    """``make_decision(kind)``: a decision of ``kind``, without a letter, with registrations in several cells."""

    def make(kind="grant", **overrides):
        from applications.models import Application

        region = employer.region
        if Application.objects.filter(employer=employer, period=period, region=region).exists():
            region = RegionFactory()
        application = ApplicationFactory(
            employer=employer, period=period, region=region, number=overrides.pop("number", 123),
            status="granted" if kind != "rejection" else "rejected",
            submitted_at=period.application_opens, eligible_amount=Decimal("12345.67"),
            requested_amount=Decimal("17000.00"),
        )
        specs = [
            ("new_intake", "<25", "A", Decimal("5000.00")),
            ("new_intake", "25-45", "A", Decimal("5000.00")),
            ("upskilling", "45-55", "C", Decimal("2000.00")),
            ("practice_supervisor", "55+", "E", Decimal("500.00")),
        ]
        for focus, band, activity, amount in specs:
            RegistrationFactory(application=application, focus=focus, age_band=band, activity_type=activity,
                               amount=amount, status="approved", started=True)
        values = {**KIND_AMOUNTS[kind], **overrides}
        return DecisionFactory(application=application, kind=kind, **values)

    return make


@pytest.fixture
def make_letter(make_decision):
    """``make_letter(kind)``: a pending letter of a decision of ``kind`` (see ``make_decision``)."""

    def make(kind="grant", **overrides):
        return LetterFactory(decision=make_decision(kind, **overrides))

    return make


@pytest.fixture
def member(employer):
    return MembershipFactory(employer=employer).user


@pytest.fixture
def private_storage(settings, tmp_path):
    """Letters go to a private storage under a temporary directory (outside any public URL)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def enqueued(monkeypatch):
    """Record task sends instead of talking to the broker; returns the list of letter ids sent."""
    from types import SimpleNamespace

    from applications.decisions.tasks import generate_letter

    sent: list[int] = []

    def fake_apply_async(args=None, **kwargs):
        sent.append(args[0])
        return SimpleNamespace(id=f"task-{len(sent)}")

    monkeypatch.setattr(generate_letter, "apply_async", fake_apply_async)
    return sent


@pytest.fixture
def done_letter(make_letter, private_storage, enqueued):
    from applications.decisions.tasks import generate_letter

    letter = make_letter("grant")
    generate_letter.run(letter.pk)
    letter.refresh_from_db()
    return letter
