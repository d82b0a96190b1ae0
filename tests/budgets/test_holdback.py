from datetime import date
from decimal import Decimal

import pytest

from applications import selectors as app_selectors
from applications.decisions import services as decision_services
from applications.models import Decision, Letter
from budgets import ledger, selectors
from budgets.models import CommissionAdvice, LedgerEntry
from tests.applications.factories import UserFactory
from tests.budgets.factories import RegionFactory
from tests.problems import problems

from .helpers import assert_ledger_ok, assessed, closed_period

pytestmark = pytest.mark.django_db


def advise(client, region, period, outcome, day):
    return client.post(
        f"/api/v2/regions/{region.code}/advices",
        {"period": period.number, "outcome": outcome, "date": day.isoformat(), "reference": f"CWZ-{day}"},
        format="json",
    )


def confirm_period(period, reviewer, decider):
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    decision_services.allocation_confirm(allocation=allocation, by=decider)


@pytest.fixture
def holdback_period():
    return closed_period(with_holdback=True, budget={"pooled": Decimal("100000.00")})


def test_grant_holds_back_25_percent_without_positive_advice_R22(holdback_period, reviewer, decider):
    region = RegionFactory()
    app = assessed(holdback_period, "10000.02", reviewer=reviewer, region=region)
    confirm_period(holdback_period, reviewer, decider)
    grant = Decision.objects.get(application=app)
    assert grant.granted_amount == Decimal("10000.02")
    assert grant.held_amount == Decimal("2500.01")  # 2500.005 half up
    assert grant.advance_amount == Decimal("0.00")  # a reservation: no advance at the grant (R20 v2)
    assert LedgerEntry.objects.get(application=app, kind="hold").amount == Decimal("2500.01")
    assert LedgerEntry.objects.get(application=app, kind="commitment").amount == Decimal("7500.01")
    assert not LedgerEntry.objects.filter(application=app, kind="advance").exists()
    assert_ledger_ok()


def test_grant_after_positive_advice_holds_nothing_R22(holdback_period, reviewer, decider, commission_user, client_for):
    region = RegionFactory()
    app = assessed(holdback_period, "1000.00", reviewer=reviewer, region=region)
    assert advise(client_for(commission_user), region, holdback_period, "positive", date(2021, 1, 5)).status_code == 201
    confirm_period(holdback_period, reviewer, decider)
    assert Decision.objects.get(application=app).held_amount == Decimal("0.00")
    assert_ledger_ok()


def test_no_holdback_in_periods_without_it_R22(reviewer, decider):
    period = closed_period()
    app = assessed(period, "1000.00", reviewer=reviewer)
    confirm_period(period, reviewer, decider)
    assert Decision.objects.get(application=app).held_amount == Decimal("0.00")


def test_positive_advice_releases_and_pays_no_advance_R23_R20(
    holdback_period, reviewer, decider, commission_user, client_for
):
    region, other_region = RegionFactory(), RegionFactory()
    app = assessed(holdback_period, "1000.00", reviewer=reviewer, region=region)
    untouched = assessed(holdback_period, "1000.00", reviewer=reviewer, region=other_region)
    client = client_for(commission_user)
    assert advise(client, region, holdback_period, "negative", date(2021, 1, 5)).status_code == 201
    confirm_period(holdback_period, reviewer, decider)
    assert advise(client, region, holdback_period, "positive", date(2021, 10, 1)).status_code == 201
    release = Decision.objects.get(application=app, kind="holdback_release")
    assert release.released_amount == Decimal("250.00")
    assert release.advance_amount == Decimal("0.00")  # advances follow registrations (R20 v2, R48)
    assert set(LedgerEntry.objects.filter(decision=release).values_list("kind", flat=True)) == {"release"}
    assert Letter.objects.filter(decision=release).exists()
    assert not Decision.objects.filter(application=untouched, kind="holdback_release").exists()
    # a second positive advice releases nothing twice
    assert advise(client, region, holdback_period, "positive", date(2021, 11, 1)).status_code == 201
    assert Decision.objects.filter(application=app, kind="holdback_release").count() == 1
    assert selectors.held_by_application(period=holdback_period, region=region) == {}
    assert_ledger_ok()


def test_advice_history_is_kept_and_latest_by_date_counts_R21(holdback_period, commission_user, client_for):
    region = RegionFactory()
    client = client_for(commission_user)
    advise(client, region, holdback_period, "negative", date(2021, 10, 1))
    advise(client, region, holdback_period, "positive", date(2021, 1, 5))  # recorded later, dated earlier
    assert CommissionAdvice.objects.filter(region=region).count() == 2
    assert selectors.latest_advice(period=holdback_period, region=region).outcome == "negative"


def test_advice_for_period_without_holdback_is_refused_R21(commission_user, client_for):
    period = closed_period()
    response = advise(client_for(commission_user), RegionFactory(), period, "positive", date(2021, 1, 1))
    assert response.status_code == 400
    assert problems(response)[0]["field"] == "period"


def test_only_commission_records_advice_R4(holdback_period, decider, client_for):
    assert advise(client_for(decider), RegionFactory(), holdback_period, "positive", date(2021, 1, 1)).status_code == 403


def test_bad_advice_input_names_the_field_R38(holdback_period, commission_user, client_for):
    response = client_for(commission_user).post(
        f"/api/v2/regions/{RegionFactory().code}/advices",
        {"period": holdback_period.number, "outcome": "maybe", "date": "2021-01-01", "reference": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert problems(response)[0]["field"] == "outcome"


def test_forfeit_after_negative_advice_returns_money_R24(
    holdback_period, reviewer, decider, commission_user, client_for
):
    region = RegionFactory()
    app = assessed(holdback_period, "1000.00", reviewer=reviewer, region=region)
    confirm_period(holdback_period, reviewer, decider)
    url = f"/api/v2/periods/{holdback_period.number}/holdbacks/{region.code}/forfeit"
    # no advice at all: refused
    assert client_for(decider).post(url).status_code == 409
    advise(client_for(commission_user), region, holdback_period, "negative", date(2021, 10, 1))
    assert client_for(reviewer).post(url).status_code == 403
    response = client_for(decider).post(url)
    assert response.status_code == 200
    assert response.json()["forfeited"] == "250.00"
    forfeit = Decision.objects.get(application=app, kind="holdback_forfeit")
    assert forfeit.forfeited_amount == Decimal("250.00")
    assert Letter.objects.filter(decision=forfeit).exists()
    [line] = app_selectors.budget_table(periods=[holdback_period.number])
    assert line["held"] == Decimal("0.00")
    assert line["forfeited"] == Decimal("250.00")
    assert line["available"] == Decimal("100000.00") - Decimal("1000.00")
    # forfeiting twice: nothing left
    assert client_for(decider).post(url).status_code == 409
    # a later positive advice no longer releases anything
    advise(client_for(commission_user), region, holdback_period, "positive", date(2021, 12, 1))
    assert not Decision.objects.filter(application=app, kind="holdback_release").exists()
    assert_ledger_ok()


def test_forfeit_after_positive_advice_is_refused_R24(holdback_period, decider, commission_user, client_for):
    region = RegionFactory()
    advise(client_for(commission_user), region, holdback_period, "positive", date(2021, 10, 1))
    url = f"/api/v2/periods/{holdback_period.number}/holdbacks/{region.code}/forfeit"
    response = client_for(decider).post(url)
    assert response.status_code == 409
    assert problems(response)[0]["code"] == "advice_not_negative"


def test_holdback_and_budget_tables_R35(holdback_period, reviewer, decider):
    region = RegionFactory()
    assessed(holdback_period, "1000.00", reviewer=reviewer, region=region)
    confirm_period(holdback_period, reviewer, decider)
    [line] = app_selectors.budget_table(periods=[holdback_period.number])
    assert line["granted"] == Decimal("1000.00")
    assert line["held"] == Decimal("250.00")
    assert line["advances_paid"] == Decimal("0.00")  # the grant pays nothing (R20 v2)
    assert line["requested"] == line["eligible"] == Decimal("1000.00")
    rows = [r for r in selectors.holdback_table(periods=[holdback_period.number]) if r["region"] == region.code]
    assert rows == [{"period": holdback_period.number, "region": region.code, "region_name": region.name,
                     "advice": None, "advice_date": None, "held": Decimal("250.00"), "released": Decimal("0.00"),
                     "forfeited": Decimal("0.00")}]


def test_ledger_post_refuses_above_ceiling_and_is_append_only_R25(decider):
    from sectorplan.api.errors import StateConflict

    period = closed_period(budget={"other": Decimal("100.00")})
    user = UserFactory()
    entry = ledger.ledger_post(period=period, earmark="other", kind="commitment", amount=Decimal("60.00"), by=user)
    with pytest.raises(StateConflict):
        ledger.ledger_post(period=period, earmark="other", kind="commitment", amount=Decimal("40.01"), by=user)
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(TypeError):
        entry.delete()


def test_positive_advice_does_not_release_for_a_settled_application_R23_R30(
    holdback_period, reviewer, decider, commission_user, client_for
):
    from applications.services import transition

    region = RegionFactory()
    settled = assessed(holdback_period, "1000.00", reviewer=reviewer, region=region)
    open_app = assessed(holdback_period, "2000.00", reviewer=reviewer, region=region)
    confirm_period(holdback_period, reviewer, decider)
    settled.refresh_from_db()
    transition(application=settled, to="settled", by=decider, reason="test set-up")
    assert advise(client_for(commission_user), region, holdback_period, "positive", date(2021, 3, 1)).status_code == 201
    assert not Decision.objects.filter(application=settled, kind="holdback_release").exists()
    assert Decision.objects.get(application=open_app, kind="holdback_release").released_amount == Decimal("500.00")
    held = selectors.held_by_application(period=holdback_period, region=region)
    assert held[settled.pk]["held"] == Decimal("250.00") and open_app.pk not in held
