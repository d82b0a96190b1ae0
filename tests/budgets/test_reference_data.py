from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounting.demo import seed_demo
from applications.models import Application, Employer
from budgets.models import ActivityRate, BudgetLine, EmployerOrganisation, Period, Region

pytestmark = pytest.mark.django_db


def _counts():
    return (
        EmployerOrganisation.objects.count(),
        Region.objects.count(),
        Period.objects.count(),
        BudgetLine.objects.count(),
        ActivityRate.objects.count(),
    )


def test_seed_reference_loads_the_defaults_of_section_3():
    call_command("seed_reference")
    assert Region.objects.count() == 28
    assert EmployerOrganisation.objects.count() == 14
    assert all(org.regions.exists() for org in EmployerOrganisation.objects.all())
    assert list(Period.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
    p3, p4 = Period.objects.get(number=3), Period.objects.get(number=4)
    assert p3.pooled and p3.holdback_applies and not p3.retention_allowed
    assert p4.retention_allowed and p4.small_application_limit == Decimal("15000.00")
    assert p3.budget_lines.get().ceiling == Decimal("95000000.00")
    assert sum(line.ceiling for line in Period.objects.get(number=1).budget_lines.all()) == Decimal("80000000.00")
    rate_a = ActivityRate.objects.get(period=p4, activity_type="A")
    assert (rate_a.amount, rate_a.reduced_amount, rate_a.min_contract_hours) == (
        Decimal("5000.00"), Decimal("2000.00"), Decimal("24.0"),
    )
    assert ActivityRate.objects.get(period=p4, activity_type="E").amount == Decimal("500.00")


def test_seed_reference_is_idempotent_and_keeps_office_edits():
    call_command("seed_reference")
    first = _counts()
    Period.objects.filter(number=2).update(advance_percent=Decimal("80.00"))
    call_command("seed_reference")
    assert _counts() == first
    assert Period.objects.get(number=2).advance_percent == Decimal("80.00")


def test_role_groups_exist_after_migrate_R4():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"office_reviewer", "office_decider", "commission", "ministry"} <= names


def test_seed_demo_is_idempotent_and_prints_logins():
    from io import StringIO

    out = StringIO()
    call_command("seed_demo", stdout=out)
    counts = (Employer.objects.count(), Application.objects.count())
    assert counts[0] == 3 and counts[1] > 0
    assert "beoordelaar" in out.getvalue() and "ministerie" in out.getvalue()
    seed_demo()
    assert (Employer.objects.count(), Application.objects.count()) == counts
