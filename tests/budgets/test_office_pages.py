from datetime import date
from decimal import Decimal

import pytest

from applications.models import Decision
from budgets.models import Allocation, CommissionAdvice
from tests.applications.factories import MembershipFactory
from tests.budgets.factories import RegionFactory
from tests.support.otp import login_verified

from .helpers import assessed, closed_period

pytestmark = pytest.mark.django_db


def test_office_proposes_downloads_csv_and_decider_confirms_R18(client, reviewer, decider):
    period = closed_period(budget={"other": Decimal("500.00")})
    app = assessed(period, "1000.00", reviewer=reviewer)
    login_verified(client, reviewer)
    response = client.post(f"/kantoor/budget/tijdvak/{period.number}/voorstel/", follow=True)
    assert response.status_code == 200
    allocation = Allocation.objects.get(period=period)
    page = client.get(f"/kantoor/budget/tijdvak/{period.number}/").content.decode()
    assert app.reference in page and "500,00" in page
    assert "vaststellen" not in page  # the reviewer sees no confirm button
    csv_text = client.get(f"/kantoor/budget/tijdvak/{period.number}/allocatie/{allocation.pk}.csv").content.decode()
    assert f"{app.reference},other,1000.00,500.00" in csv_text
    assert client.post(f"/kantoor/budget/tijdvak/{period.number}/allocatie/{allocation.pk}/vaststellen/").status_code == 403
    login_verified(client, decider)
    client.post(f"/kantoor/budget/tijdvak/{period.number}/allocatie/{allocation.pk}/vaststellen/")
    assert Decision.objects.get(application=app).granted_amount == Decimal("500.00")


def test_employer_cannot_open_office_budget_pages_R4(client):
    period = closed_period()
    login_verified(client, MembershipFactory().user)
    assert client.get("/kantoor/budget/").status_code == 403
    assert client.get(f"/kantoor/budget/tijdvak/{period.number}/").status_code == 403
    assert client.get("/kantoor/budget/commissie/").status_code == 403


def test_commission_page_records_advice_R21(client, commission_user):
    period = closed_period(with_holdback=True)
    region = RegionFactory()
    login_verified(client, commission_user)
    assert region.name in client.get("/kantoor/budget/commissie/").content.decode()
    response = client.post(
        "/kantoor/budget/commissie/",
        {"region": region.code, "period": period.number, "outcome": "negative", "date": date(2021, 1, 5),
         "reference": "CWZ-2021-1"},
    )
    assert response.status_code == 302
    assert CommissionAdvice.objects.get(region=region).outcome == "negative"
