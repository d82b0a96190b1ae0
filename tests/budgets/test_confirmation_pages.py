"""Issue 15: every office decision that moves money or cannot be undone asks first, on a second page without
JavaScript, what will happen with the amounts; only the post from that page decides (R23, R24, R30, R33, R46)."""

from datetime import date
from decimal import Decimal

import pytest

from applications import services as app_services
from applications.constants import ApplicationStatus
from applications.decisions import services as decision_services
from applications.models import Application, Decision
from budgets.models import CommissionAdvice
from tests.budgets.factories import RegionFactory
from tests.support.otp import login_verified

from .helpers import assert_ledger_ok, assessed, closed_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(reviewer, decider):
    """A granted application with EUR 2,500 held back (R22): no advice yet for its region."""
    period = closed_period(with_holdback=True, budget={"pooled": Decimal("100000.00")})
    region = RegionFactory()
    app = assessed(period, "10000.00", reviewer=reviewer, region=region)
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    decision_services.allocation_confirm(allocation=allocation, by=decider)
    return period, region, app


def test_r24_forfeit_asks_first_with_the_held_amounts_then_forfeits(client, decider, commission_user, held):
    period, region, app = held
    decision_services.advice_record(region=region, period=period, outcome="negative", date=date(2021, 2, 1),
                                    reference="CWZ-neg", by=commission_user)
    url = f"/kantoor/budget/tijdvak/{period.number}/aanhouding/{region.code}/vervallen/"
    login_verified(client, decider)
    ask = client.post(url)
    html = ask.content.decode()
    assert ask.status_code == 200 and 'id="confirm-form"' in html
    assert app.reference in html and "€ 2.500,00" in html  # what will happen, with the amount
    assert 'name="confirmed" value="yes"' in html and "<script" not in html.split("<main")[-1]
    assert not Decision.objects.filter(kind="holdback_forfeit").exists()  # nothing decided yet
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert Decision.objects.get(kind="holdback_forfeit").forfeited_amount == Decimal("2500.00")
    assert_ledger_ok()


def test_r23_positive_advice_asks_first_with_the_amounts_it_releases(client, commission_user, held):
    period, region, app = held
    posted = {"region": region.code, "period": period.number, "outcome": "positive", "date": "05-01-2021",
              "reference": "CWZ-2021-1"}
    login_verified(client, commission_user)
    ask = client.post("/kantoor/budget/commissie/", posted)
    html = ask.content.decode()
    assert ask.status_code == 200 and app.reference in html and "€ 2.500,00" in html
    assert 'name="reference" value="CWZ-2021-1"' in html  # the form's fields travel along
    assert not CommissionAdvice.objects.exists() and not Decision.objects.filter(kind="holdback_release").exists()
    assert client.post("/kantoor/budget/commissie/", {**posted, "confirmed": "yes"}).status_code == 302
    assert CommissionAdvice.objects.get().outcome == "positive"
    assert Decision.objects.get(kind="holdback_release").released_amount == Decimal("2500.00")
    assert_ledger_ok()


def test_r23_invalid_advice_shows_the_form_errors_not_the_confirmation(client, commission_user, held):
    period, region, _app = held
    login_verified(client, commission_user)
    response = client.post("/kantoor/budget/commissie/", {"region": region.code, "period": period.number,
                                                          "outcome": "positive", "date": "", "reference": "x"})
    assert response.status_code == 200 and 'id="confirm-form"' not in response.content.decode()
    assert not CommissionAdvice.objects.exists()


def test_r24_a_scoped_decider_gets_no_confirmation_page_for_another_region(client, decider, held):
    period, region, _app = held
    other = RegionFactory()
    app_services.office_scope_set(user=decider, codes=[other.employer_organisation.code], by=decider)
    login_verified(client, decider)
    assert client.post(f"/kantoor/budget/tijdvak/{period.number}/aanhouding/{region.code}/vervallen/").status_code == 404
    assert Application.objects.get(pk=_app.pk).status == ApplicationStatus.GRANTED
