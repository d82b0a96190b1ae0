"""Issue 16, item 5: every date a user enters is plausible, or a 400 naming the field (R21, R32, R33, R53)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounting import services as accounting_services
from budgets.models import CommissionAdvice, Period
from budgets.reference_services import deadline_extend
from sectorplan.api.errors import DomainError
from tests.accounting.factories import granted_application
from tests.budgets.factories import PeriodFactory, RegionFactory
from tests.budgets.helpers import closed_period
from tests.budgets.test_periods_api import period_payload
from tests.problems import problems

pytestmark = pytest.mark.django_db


def advise(client, region, period, day):
    return client.post(
        f"/api/v2/regions/{region.code}/advices",
        {"period": period.number, "outcome": "positive", "date": day, "reference": "CWZ-1"},
        format="json",
    )


@pytest.mark.parametrize("day", ["2099-01-01", "0001-01-01", "2014-12-31"])
def test_r21_an_advice_dated_in_the_future_or_before_2015_is_refused_naming_the_date(
    client_for, commission_user, day
):
    period = closed_period(with_holdback=True, budget={"pooled": Decimal("100000.00")})
    response = advise(client_for(commission_user), RegionFactory(), period, day)
    assert response.status_code == 400, response.content
    assert [p["field"] for p in problems(response)] == ["date"]
    assert not CommissionAdvice.objects.exists()


def test_r21_an_advice_dated_today_is_accepted(client_for, commission_user):
    period = closed_period(with_holdback=True, budget={"pooled": Decimal("100000.00")})
    response = advise(client_for(commission_user), RegionFactory(), period, timezone.localdate().isoformat())
    assert response.status_code == 201, response.content


def test_r32_reopening_accountability_more_than_five_years_ahead_is_refused(client_for, staff_user):
    period = PeriodFactory(accountability_deadline=timezone.localdate() - timedelta(days=1))
    app = granted_application(period=period)
    url = f"/api/v2/applications/{app.pk}/accountability/reopen"
    client = client_for(staff_user)
    for until in ("9999-12-31", str(timezone.localdate() + timedelta(days=5 * 366 + 1)), "2001-01-01"):
        response = client.post(url, {"until": until}, format="json")
        assert response.status_code == 400, (until, response.content)
        assert [p["field"] for p in problems(response)] == ["until"]
    ok = client.post(url, {"until": str(timezone.localdate() + timedelta(days=4 * 365))}, format="json")
    assert ok.status_code == 200, ok.content


def test_r33_an_objection_received_in_the_future_is_refused(reviewer):
    app = granted_application()
    decision = app.decisions.get()
    with pytest.raises(DomainError) as caught:
        accounting_services.objection_record(
            decision=decision, received_on=timezone.localdate() + timedelta(days=1), grounds="x", by=reviewer
        )
    assert caught.value.errors[0]["field"] == "received_on"
    assert caught.value.errors[0]["code"] == "in_future"


def test_r53_a_calendar_deadline_before_the_window_opens_or_five_years_after_training_is_refused(
    client_for, staff_user
):
    client = client_for(staff_user)
    early = period_payload(deadlines=[{"kind": "registration", "date": "2030-11-30"}])
    response = client.post("/api/v2/periods", early, format="json")
    assert response.status_code == 400, response.content
    assert [p["field"] for p in problems(response)] == ["deadlines"]
    late = period_payload(accountabilityDeadline="2037-01-01")
    response = client.post("/api/v2/periods", late, format="json")
    assert response.status_code == 400, response.content
    assert [p["field"] for p in problems(response)] == ["accountabilityDeadline"]
    assert not Period.objects.filter(number=9).exists()
    ok = client.post("/api/v2/periods", period_payload(accountabilityDeadline="2036-12-31"), format="json")
    assert ok.status_code == 201, ok.content


def test_r53_a_deadline_edit_to_9999_is_refused(client_for, staff_user):
    period = PeriodFactory()
    response = client_for(staff_user).patch(
        f"/api/v2/periods/{period.number}", {"accountabilityDeadline": "9999-12-31"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert [p["field"] for p in problems(response)] == ["accountabilityDeadline"]


def test_r53_an_extension_to_9999_is_refused(decider):
    period = PeriodFactory(deadlines={"registration": date(2026, 3, 1)})
    with pytest.raises(DomainError) as caught:
        deadline_extend(period=period, kind="registration", date=date(9999, 1, 1), reason="r", by=decider)
    assert caught.value.errors[0]["code"] == "implausible"
