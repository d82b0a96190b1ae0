from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from budgets import reference
from budgets.models import ActivityRate, BudgetLine, Deadline, EmployerOrganisation, Period, Region

AMS = ZoneInfo("Europe/Amsterdam")


class EmployerOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmployerOrganisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Werkgeversorganisatie {n}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"regio-{n}")
    name = factory.Sequence(lambda n: f"Regio {n}")
    employer_organisation = factory.SubFactory(EmployerOrganisationFactory)


class PeriodFactory(factory.django.DjangoModelFactory):
    """A period with the §3 activity rates and, unless pooled, one budget line per earmark."""

    class Meta:
        model = Period
        django_get_or_create = ("number",)
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: 100 + n)
    application_opens = datetime(2025, 12, 1, 9, 0, tzinfo=AMS)
    application_closes = datetime(2025, 12, 19, 17, 0, tzinfo=AMS)
    training_start_from = date(2026, 1, 1)
    training_start_until = date(2026, 12, 31)
    accountability_deadline = date(2028, 7, 1)
    pooled = False
    holdback_applies = False
    holdback_percent = Decimal("25.00")
    advance_percent = Decimal("75.00")
    retention_allowed = False
    retention_max_percent = Decimal("50.00")
    small_application_limit = None
    oversubscription_floor = Decimal("0.00")
    application_cap = None
    allocation_method = "pro_rata"
    decision_term_weeks = 13

    class Params:
        ceiling = Decimal("1000000.00")
        with_holdback = factory.Trait(holdback_applies=True, pooled=True)
        with_retention = factory.Trait(retention_allowed=True)

    @factory.post_generation
    def budget(obj, create, extracted, **kwargs):
        if not create or obj.budget_lines.exists():
            return
        lines = extracted or ({"pooled": Decimal("1000000.00")} if obj.pooled else
                              {"nursing_home": Decimal("500000.00"), "other": Decimal("500000.00")})
        for earmark, ceiling in lines.items():
            BudgetLine.objects.create(period=obj, earmark=earmark, ceiling=ceiling)

    @factory.post_generation
    def rates(obj, create, extracted, **kwargs):
        if not create or obj.activity_rates.exists():
            return
        for rate in reference.ACTIVITY_RATES:
            ActivityRate.objects.create(period=obj, **rate)

    @factory.post_generation
    def deadlines(obj, create, extracted, **kwargs):
        """R53: the calendar as the services write it: ``extracted`` (kind -> date) and the accountability
        row mirroring ``accountability_deadline``."""
        if not create:
            return
        for kind, day in {**(extracted or {}), "accountability": obj.accountability_deadline}.items():
            Deadline.objects.update_or_create(period=obj, kind=kind, defaults={"date": day})


def amsterdam(y, m, d, hh=0, mm=0, ss=0) -> datetime:
    return datetime.combine(date(y, m, d), time(hh, mm, ss), tzinfo=AMS)
