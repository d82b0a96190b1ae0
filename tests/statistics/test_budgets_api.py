"""R35/R37: the budget and holdback tables through the API (figures from the budgets app's ledger)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from budgets.models import CommissionAdvice, LedgerEntry
from tests.applications.factories import EmployerFactory, UserFactory
from tests.budgets.factories import PeriodFactory, RegionFactory
from tests.problems import problems
from tests.statistics.conftest import application

pytestmark = pytest.mark.django_db


@pytest.fixture
def money(db):
    actor = UserFactory(username="ledger-actor", is_staff=True)
    p3 = PeriodFactory(number=3, with_holdback=True, budget={"pooled": Decimal("100000.00")})
    p2 = PeriodFactory(number=2)
    rijnmond = RegionFactory(code="rijnmond", name="Rijnmond")
    app = application(EmployerFactory(region=rijnmond), p3, "granted")
    app.requested_amount = Decimal("12000.00")
    app.eligible_amount = Decimal("10000.00")
    app.save()
    for kind, amount in [("commitment", "7500.00"), ("hold", "2500.00"), ("advance", "5625.00"), ("release", "1000.00")]:
        LedgerEntry.objects.create(period=p3, earmark="pooled", application=app, kind=kind, amount=Decimal(amount),
                                   actor=actor)
    CommissionAdvice.objects.create(region=rijnmond, period=p3, outcome="negative", date=date(2019, 6, 1),
                                    reference="R-1", recorded_by=actor)
    CommissionAdvice.objects.create(region=rijnmond, period=p3, outcome="positive", date=date(2019, 11, 14),
                                    reference="R-2", recorded_by=actor)
    return p2, p3


def test_budget_table_per_period_and_earmark_with_money_as_strings_R35(client_for, ministry, money):
    data = client_for(ministry).get("/api/v2/statistics/budgets", {"period": 3}).json()
    assert data["periods"] == [3]
    assert data["rows"] == [
        {"period": 3, "earmark": "pooled", "budgetLine": "pooled", "ceiling": "100000.00", "requested": "12000.00",
         "eligible": "10000.00", "granted": "10000.00", "unconditional": "7500.00", "reservedAtAllocation": "0.00",
         "lapsed": "0.00", "lowered": "0.00", "redistributed": "0.00", "held": "1500.00", "released": "1000.00",
         "forfeited": "0.00", "available": "90000.00", "advancesPaid": "5625.00", "settled": "0.00",
         "reclaimed": "0.00"}
    ]
    everything = client_for(ministry).get("/api/v2/statistics/budgets").json()
    assert [(r["period"], r["earmark"]) for r in everything["rows"]] == [(2, "nursing_home"), (2, "other"), (3, "pooled")]


def test_holdback_table_per_region_with_latest_advice_R35(client_for, ministry, money):
    data = client_for(ministry).get("/api/v2/statistics/holdbacks", {"period": 3}).json()
    assert data["rows"] == [
        {"period": 3, "region": "rijnmond", "regionName": "Rijnmond", "advice": "positive",
         "adviceDate": "2019-11-14", "held": "1500.00", "released": "1000.00", "forfeited": "0.00"}
    ]


def test_budget_and_holdback_tables_as_csv_R37(client_for, ministry, money):
    client = client_for(ministry)
    budgets = client.get("/api/v2/statistics/budgets", {"period": 3}, HTTP_ACCEPT="text/csv")
    assert budgets["Content-Type"].startswith("text/csv") and budgets["ETag"]
    lines = list(csv.reader(io.StringIO(budgets.content.decode())))
    assert lines[0][:4] == ["period", "earmark", "ceiling", "requested"]
    assert lines[1][:4] == ["3", "pooled", "100000.00", "12000.00"]
    holdbacks = client.get("/api/v2/statistics/holdbacks", {"period": 3, "format": "csv"})
    lines = list(csv.reader(io.StringIO(holdbacks.content.decode())))
    assert lines[1] == ["3", "rijnmond", "Rijnmond", "positive", "2019-11-14", "1500.00", "1000.00", "0.00"]


def test_unknown_period_is_a_400_R35(client_for, ministry, money):
    response = client_for(ministry).get("/api/v2/statistics/budgets", {"period": 42})
    assert response.status_code == 400 and problems(response)[0]["field"] == "period"
