"""R25: a ceiling never below what is committed, no layout change once money is committed, and a decided
period's rates and shares frozen. Grants are made through the API (propose, confirm)."""

from datetime import date
from decimal import Decimal

import pytest

from applications.decisions.checks import ledger_violations
from applications.models import Decision
from budgets import reference_services, selectors
from budgets.models import ActivityRate, BudgetLine, LedgerEntry, Period
from sectorplan.api.errors import StateConflict, camel_field
from tests.budgets.factories import RegionFactory
from tests.problems import problems

from .helpers import assessed, closed_period

pytestmark = pytest.mark.django_db


def grant_all(client_for, reviewer, decider, period):
    """Propose and confirm ``period``'s allocation through the API."""
    proposal = client_for(reviewer).post(f"/api/v2/periods/{period.number}/allocations")
    assert proposal.status_code == 201, proposal.json()
    confirmed = client_for(decider).post(f"/api/v2/periods/{period.number}/allocations/{proposal.json()['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.json()


def patch(client, period, payload):
    return client.patch(f"/api/v2/periods/{period.number}", payload, format="json")


def errors(response):
    return {(e["field"], e["code"]) for e in problems(response)}


@pytest.fixture
def granted_pooled(client_for, reviewer, decider):
    """A pooled period of 10,000 with 6,000 granted (nothing held back)."""
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    assessed(period, "6000.00", reviewer=reviewer)
    grant_all(client_for, reviewer, decider, period)
    assert selectors.line_balances(period=period)["pooled"]["committed"] == Decimal("6000.00")
    return period


def test_ceiling_cannot_go_below_committed_R25(client_for, staff_user, granted_pooled):
    response = patch(client_for(staff_user), granted_pooled, {"budgetLines": [{"earmark": "pooled", "ceiling": "5999.99"}]})
    assert response.status_code == 409
    assert errors(response) == {("budgetLines[0].ceiling", "below_committed")}
    assert "6000.00" in problems(response)[0]["message"]
    assert BudgetLine.objects.get(period=granted_pooled).ceiling == Decimal("10000.00")
    assert selectors.line_balances(period=granted_pooled)["pooled"]["available"] == Decimal("4000.00")
    assert ledger_violations() == []


def test_ceiling_may_go_down_to_exactly_what_is_committed_R25(client_for, staff_user, granted_pooled):
    response = patch(client_for(staff_user), granted_pooled, {"budgetLines": [{"earmark": "pooled", "ceiling": "6000.00"}]})
    assert response.status_code == 200, response.json()
    assert BudgetLine.objects.get(period=granted_pooled).ceiling == Decimal("6000.00")
    assert ledger_violations() == []


def test_ceiling_counts_held_back_money_as_committed_R25(client_for, staff_user, reviewer, decider):
    period = closed_period(with_holdback=True, budget={"pooled": Decimal("10000.00")})
    assessed(period, "8000.00", reviewer=reviewer, region=RegionFactory())
    grant_all(client_for, reviewer, decider, period)
    assert selectors.line_balances(period=period)["pooled"]["held"] == Decimal("2000.00")
    response = patch(client_for(staff_user), period, {"budgetLines": [{"earmark": "pooled", "ceiling": "7000.00"}]})
    assert response.status_code == 409
    assert errors(response) == {("budgetLines[0].ceiling", "below_committed")}
    assert ledger_violations() == []


def test_switching_pooled_to_split_after_grants_is_refused_R25_defect_d(client_for, staff_user, granted_pooled):
    split = [{"earmark": "nursing_home", "ceiling": "5000.00"}, {"earmark": "other", "ceiling": "10000.00"}]
    response = patch(client_for(staff_user), granted_pooled, {"budgetLines": split})
    assert response.status_code == 409
    assert errors(response) == {("budgetLines", "layout_frozen")}
    granted_pooled.refresh_from_db()
    assert granted_pooled.pooled
    assert list(granted_pooled.budget_lines.values_list("earmark", flat=True)) == ["pooled"]
    (row,) = selectors.budget_table(periods=[granted_pooled.number])
    assert (row["earmark"], row["granted"]) == ("pooled", Decimal("6000.00"))
    assert ledger_violations() == []


def test_a_split_line_with_money_cannot_be_dropped_R25(client_for, staff_user, reviewer, decider):
    period = closed_period(budget={"nursing_home": Decimal("5000.00"), "other": Decimal("5000.00")})
    assessed(period, "1000.00", reviewer=reviewer, earmark="other")
    grant_all(client_for, reviewer, decider, period)
    response = patch(client_for(staff_user), period, {"budgetLines": [{"earmark": "other", "ceiling": "9000.00"}]})
    assert response.status_code == 409
    assert errors(response) == {("budgetLines", "layout_frozen")}
    assert period.budget_lines.count() == 2


def test_layout_may_change_while_no_money_is_committed_R25(client_for, staff_user, reviewer):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    assessed(period, "6000.00", reviewer=reviewer)
    client_for(reviewer).post(f"/api/v2/periods/{period.number}/allocations")  # a proposal commits nothing
    split = [{"earmark": "nursing_home", "ceiling": "4000.00"}, {"earmark": "other", "ceiling": "6000.00"}]
    response = patch(client_for(staff_user), period, {"budgetLines": split})
    assert response.status_code == 200, response.json()
    period.refresh_from_db()
    assert not period.pooled
    assert sorted(period.budget_lines.values_list("earmark", flat=True)) == ["nursing_home", "other"]


def test_changing_the_advance_share_after_grants_is_refused_R25_defect_e(
    client_for, staff_user, reviewer, decider, commission_user
):
    period = closed_period(with_holdback=True, budget={"pooled": Decimal("100000.00")})
    region = RegionFactory()
    app = assessed(period, "1000.00", reviewer=reviewer, region=region)
    grant_all(client_for, reviewer, decider, period)
    response = patch(client_for(staff_user), period, {"advancePercent": "100.00"})
    assert response.status_code == 409
    assert errors(response) == {("advancePercent", "period_decided")}
    period.refresh_from_db()
    assert period.advance_percent == Decimal("75.00")
    # The later release releases the 250 held and, like the grant, pays no advance (R20 v2).
    advice = client_for(commission_user).post(
        f"/api/v2/regions/{region.code}/advices",
        {"period": period.number, "outcome": "positive", "date": date(2021, 6, 1).isoformat(), "reference": "CWZ-1"},
        format="json",
    )
    assert advice.status_code == 201, advice.json()
    release = Decision.objects.get(application=app, kind="holdback_release")
    assert (release.released_amount, release.advance_amount) == (Decimal("250.00"), Decimal("0.00"))
    assert ledger_violations() == []


@pytest.mark.parametrize(
    "field,value",
    [
        ("holdback_applies", True),
        ("holdback_percent", "30.00"),
        ("advance_percent", "80.00"),
        ("retention_allowed", True),
        ("retention_max_percent", "40.00"),
        ("small_application_limit", "15000.00"),
        ("oversubscription_floor", "500.00"),
        ("application_cap", "5000.00"),
        ("allocation_method", "first_come"),
    ],
)
def test_decided_period_rates_and_shares_are_frozen_R25(client_for, staff_user, granted_pooled, field, value):
    before = Period.objects.filter(pk=granted_pooled.pk).values(field).get()
    response = patch(client_for(staff_user), granted_pooled, {camel_field(field): value})
    assert response.status_code == 409
    assert errors(response) == {(camel_field(field), "period_decided")}
    assert Period.objects.filter(pk=granted_pooled.pk).values(field).get() == before


def test_decided_period_keeps_dates_editable_and_same_values_pass_R25(client_for, staff_user, granted_pooled):
    response = patch(
        client_for(staff_user), granted_pooled,
        {"accountabilityDeadline": "2030-07-01", "advancePercent": "75.00", "holdbackApplies": False},
    )
    assert response.status_code == 200, response.json()
    granted_pooled.refresh_from_db()
    assert granted_pooled.accountability_deadline == date(2030, 7, 1)


def test_confirmed_allocation_freezes_a_period_without_money_R25(client_for, staff_user, reviewer, decider):
    period = closed_period(pooled=True, budget={"pooled": Decimal("10000.00")})
    assessed(period, "0.00", reviewer=reviewer)  # nothing eligible: a rejection, no ledger entry
    grant_all(client_for, reviewer, decider, period)
    assert not LedgerEntry.objects.filter(period=period).exists()
    assert reference_services.period_is_decided(period)
    response = patch(client_for(staff_user), period, {"oversubscriptionFloor": "100.00"})
    assert response.status_code == 409
    assert errors(response) == {("oversubscriptionFloor", "period_decided")}


def test_decided_period_activity_rates_are_frozen_R25(granted_pooled, staff_user):
    rates = [
        {name: getattr(rate, name) for name in reference_services.RATE_FIELDS}
        for rate in ActivityRate.objects.filter(period=granted_pooled).order_by("activity_type")
    ]
    changed = [dict(rates[0], amount=Decimal("6000.00")), *rates[1:]]
    with pytest.raises(StateConflict) as refused:
        reference_services.period_update(period=granted_pooled, data={"activity_rates": changed}, by=staff_user)
    assert [(e["field"], e["code"]) for e in refused.value.errors] == [("activity_rates[0].amount", "period_decided")]
    with pytest.raises(StateConflict):
        reference_services.period_update(period=granted_pooled, data={"activity_rates": rates[1:]}, by=staff_user)
    assert ActivityRate.objects.get(period=granted_pooled, activity_type="A").amount == Decimal("5000.00")
    assert ActivityRate.objects.filter(period=granted_pooled).count() == 5
    # the description is no rate
    described = [dict(rates[0], description="BBL"), *rates[1:]]
    reference_services.period_update(period=granted_pooled, data={"activity_rates": described}, by=staff_user)
    assert ActivityRate.objects.get(period=granted_pooled, activity_type="A").description == "BBL"


def test_ceiling_may_rise_after_grants_R25(client_for, staff_user, granted_pooled):
    response = patch(client_for(staff_user), granted_pooled, {"budgetLines": [{"earmark": "pooled", "ceiling": "20000.00"}]})
    assert response.status_code == 200, response.json()
    assert selectors.line_balances(period=granted_pooled)["pooled"]["available"] == Decimal("14000.00")
    assert ledger_violations() == []
