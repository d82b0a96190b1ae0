from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User

from applications.constants import ApplicationStatus, MembershipRole
from applications.models import Application, Employer, Membership, PlanLine, Registration
from tests.budgets.factories import PeriodFactory, RegionFactory


def _iban(n: int) -> str:
    bban = f"ABNA{n:010d}"
    digits = "".join(str(int(c, 36)) for c in bban + "NL00")
    return f"NL{98 - int(digits) % 97:02d}{bban}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        for name in extracted or []:
            obj.groups.add(Group.objects.get(name=name))
        obj.save()


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"Zorginstelling {n}")
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n:08d}")
    region = factory.SubFactory(RegionFactory)
    earmark = "other"
    iban = factory.Sequence(_iban)
    account_holder = factory.LazyAttribute(lambda o: o.name)
    contact_name = "C. Contact"
    contact_email = factory.LazyAttribute(lambda o: f"info{o.kvk_number}@example.org")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    employer = factory.SubFactory(EmployerFactory)
    role = MembershipRole.CONTACT


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application row. Use the services to move it through states in tests of behaviour;
    the traits here only set up a starting point."""

    class Meta:
        model = Application

    employer = factory.SubFactory(EmployerFactory)
    region = factory.LazyAttribute(lambda o: o.employer.region)
    period = factory.SubFactory(PeriodFactory)
    number = factory.Sequence(lambda n: n + 1)
    reference = factory.LazyAttribute(lambda o: Application.make_reference(o.period.number, o.number))
    status = ApplicationStatus.DRAFT

    class Params:
        submitted = factory.Trait(
            status=ApplicationStatus.SUBMITTED, submitted_at=factory.LazyAttribute(lambda o: o.period.application_opens)
        )


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    application = factory.SubFactory(ApplicationFactory)
    initials = "J."
    surname = factory.Sequence(lambda n: f"Jansen{n}")
    date_of_birth = date(1990, 5, 17)
    focus = "upskilling"
    activity_type = "A"
    start_date = factory.LazyAttribute(lambda o: o.application.period.training_start_from)
    end_date = factory.LazyAttribute(lambda o: date(o.start_date.year, 12, 31))
    contract_hours = Decimal("32.0")
    employed_since = date(2015, 1, 1)
    cost = None
    age_band = "25-45"
    amount = Decimal("5000.00")


class PlanLineFactory(factory.django.DjangoModelFactory):
    """A plan line row (R8) with its derived amounts; defaults: 2 trajectories of A (fixed EUR 5,000)."""

    class Meta:
        model = PlanLine

    application = factory.SubFactory(ApplicationFactory)
    activity_type = "A"
    focus = "upskilling"
    count = 2
    planned_cost = None
    amount_per_trajectory = Decimal("5000.00")
    requested_amount = factory.LazyAttribute(lambda o: o.count * o.amount_per_trajectory)


class DecisionFactory(factory.django.DjangoModelFactory):
    """A decision row (letters issue). Amounts default to a plain grant without holdback."""

    class Meta:
        model = "applications.Decision"

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.GRANTED,
                                     submitted_at=factory.LazyAttribute(lambda o: o.period.application_opens),
                                     eligible_amount=Decimal("10000.00"))
    kind = "grant"
    date = date(2026, 11, 23)
    decided_by = factory.SubFactory(UserFactory)
    granted_amount = Decimal("10000.00")
    held_amount = Decimal("0.00")
    advance_amount = Decimal("7500.00")
    reasons = "Uw aanvraag voldoet aan de voorwaarden van de regeling."


class LetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "applications.Letter"

    decision = factory.SubFactory(DecisionFactory)
    version = 1
    status = "pending"
