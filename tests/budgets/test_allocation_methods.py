"""The allocation with the period's method and cap per application (R12, R16-R18), through the services and
the API: first come by receipt time, the cap before allocating, the proposal recording both, and staleness."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.constants import ApplicationStatus
from applications.decisions import services as decision_services
from applications.models import Decision
from budgets.models import AllocationLine, LedgerEntry, Period
from sectorplan.api.errors import StateConflict

from .helpers import assert_ledger_ok, assessed, closed_period

pytestmark = pytest.mark.django_db


def received(app, minutes: int):
    """Set ``app``'s receipt time (R42: the server time of submission) ``minutes`` after the window opened."""
    app.submitted_at = app.period.application_opens + timedelta(minutes=minutes)
    app.save(update_fields=["submitted_at"])
    return app


def grants(allocation) -> dict:
    return dict(allocation.items.values_list("application__reference", "granted_amount"))


def test_first_come_grants_in_order_of_receipt_and_the_first_short_gets_the_rest_R16(reviewer):
    period = closed_period(pooled=True, budget={"pooled": Decimal("1000.00")}, allocation_method="first_come")
    late = received(assessed(period, "300.00", reviewer=reviewer), 30)
    first = received(assessed(period, "600.00", reviewer=reviewer), 10)
    short = received(assessed(period, "250.00", reviewer=reviewer), 20)
    too_late = received(assessed(period, "50.00", reviewer=reviewer), 40)
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    # Receipt order: first 600, short 250 (fits: 850), late 300 gets the 150 left, too_late nothing.
    assert grants(allocation) == {
        first.reference: Decimal("600.00"), short.reference: Decimal("250.00"),
        late.reference: Decimal("150.00"), too_late.reference: Decimal("0.00"),
    }
    assert allocation.method == "first_come"
    line = AllocationLine.objects.get(allocation=allocation)
    assert (line.requested, line.granted) == (Decimal("1200.00"), Decimal("1000.00"))


def test_first_come_ties_in_receipt_time_go_by_the_lowest_reference_R16(reviewer):
    period = closed_period(pooled=True, budget={"pooled": Decimal("100.00")}, allocation_method="first_come")
    a = received(assessed(period, "80.00", reviewer=reviewer), 5)
    b = received(assessed(period, "80.00", reviewer=reviewer), 5)
    assert a.reference < b.reference
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    assert grants(allocation) == {a.reference: Decimal("80.00"), b.reference: Decimal("20.00")}


def test_pro_rata_ignores_receipt_time_R16(reviewer):
    period = closed_period(pooled=True, budget={"pooled": Decimal("100.00")})
    a = received(assessed(period, "100.00", reviewer=reviewer), 50)
    b = received(assessed(period, "100.00", reviewer=reviewer), 1)
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    assert grants(allocation) == {a.reference: Decimal("50.00"), b.reference: Decimal("50.00")}


def test_cap_per_application_applies_before_allocating_and_is_recorded_R12_R16(reviewer):
    period = closed_period(pooled=True, budget={"pooled": Decimal("5000000.00")}, application_cap=Decimal("2000000.00"))
    big = assessed(period, "2500000.00", reviewer=reviewer)
    small = assessed(period, "1500000.00", reviewer=reviewer)
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    assert grants(allocation) == {big.reference: Decimal("2000000.00"), small.reference: Decimal("1500000.00")}
    assert allocation.application_cap == Decimal("2000000.00")
    line = AllocationLine.objects.get(allocation=allocation)
    # The line divides the capped amounts: not oversubscribed, factor 1.
    assert (line.requested, line.granted, line.factor) == (Decimal("3500000.00"), Decimal("3500000.00"), 1)


def test_cap_then_pro_rata_when_the_capped_amounts_do_not_fit_R12_R16_R17(reviewer):
    period = closed_period(pooled=True, budget={"pooled": Decimal("300.00")}, application_cap=Decimal("200.00"))
    big = assessed(period, "1000.00", reviewer=reviewer)
    other = assessed(period, "200.00", reviewer=reviewer)
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    assert grants(allocation) == {big.reference: Decimal("150.00"), other.reference: Decimal("150.00")}
    assert sum(grants(allocation).values()) == Decimal("300.00")


def test_first_come_confirmation_grants_reservations_and_rejects_who_got_nothing_R16_R18_R20(reviewer, decider):
    period = closed_period(with_holdback=True, budget={"pooled": Decimal("1000.00")}, allocation_method="first_come",
                           application_cap=Decimal("700.00"))
    first = received(assessed(period, "900.00", reviewer=reviewer), 1)  # capped at 700
    second = received(assessed(period, "500.00", reviewer=reviewer), 2)  # gets the 300 left
    third = received(assessed(period, "10.00", reviewer=reviewer), 3)  # nothing left
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    decision_services.allocation_confirm(allocation=allocation, by=decider)
    by_app = {d.application_id: d for d in Decision.objects.filter(allocation=allocation)}
    assert (by_app[first.pk].kind, by_app[first.pk].granted_amount, by_app[first.pk].held_amount) == (
        "grant", Decimal("700.00"), Decimal("175.00"))
    assert (by_app[second.pk].granted_amount, by_app[second.pk].held_amount) == (Decimal("300.00"), Decimal("75.00"))
    assert by_app[third.pk].kind == "rejection"
    assert {d.advance_amount for d in by_app.values()} == {Decimal("0.00")}
    assert not LedgerEntry.objects.filter(period=period, kind="advance").exists()
    third.refresh_from_db()
    assert third.status == ApplicationStatus.REJECTED
    assert_ledger_ok()


@pytest.mark.parametrize(
    "change",
    [
        {"allocation_method": "first_come"},
        {"application_cap": Decimal("300.00")},
        {"application_cap": None},
    ],
    ids=["method", "cap", "cap-removed"],
)
def test_proposal_is_stale_after_the_method_or_cap_changed_R18(reviewer, decider, change):
    period = closed_period(budget={"other": Decimal("1000.00")}, application_cap=Decimal("500.00"))
    for _ in range(3):
        assessed(period, "400.00", reviewer=reviewer)
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    Period.objects.filter(pk=period.pk).update(**change)
    with pytest.raises(StateConflict) as caught:
        decision_services.allocation_confirm(allocation=allocation, by=decider)
    assert caught.value.errors[0]["code"] == "stale"
    assert not Decision.objects.filter(allocation=allocation).exists()
    # A new proposal with the new settings can be confirmed.
    fresh = decision_services.allocation_propose(period=period, by=reviewer)
    decision_services.allocation_confirm(allocation=fresh, by=decider)
    assert Decision.objects.filter(allocation=fresh).count() == 3


def test_proposal_api_shows_the_method_cap_and_floor_it_used_R18(client_for, reviewer):
    period = closed_period(pooled=True, budget={"pooled": Decimal("1000.00")}, allocation_method="first_come",
                           application_cap=Decimal("800.00"))
    assessed(period, "900.00", reviewer=reviewer)
    response = client_for(reviewer).post(f"/api/v2/periods/{period.number}/allocations")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["method"], body["applicationCap"], body["floor"]) == ("first_come", "800.00", "0.00")
    assert body["lines"][0]["requested"] == "800.00"
    assert body["applications"][0]["grantedAmount"] == "800.00"


def _confirm_queries(reviewer, decider, n: int) -> int:
    period = closed_period(with_holdback=True, budget={"pooled": Decimal("1000000.00")}, allocation_method="first_come",
                           application_cap=Decimal("500.00"))
    for minute in range(n):
        received(assessed(period, "600.00", reviewer=reviewer), minute)
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    with mock.patch("applications.decisions.letters.enqueue_letter"), CaptureQueriesContext(connection) as queries:
        decision_services.allocation_confirm(allocation=allocation, by=decider)
    return len(queries)


def test_confirmation_queries_do_not_grow_with_the_applications_without_any_advice_R19_R22(reviewer, decider):
    """bench/allocate.py's figure: a holdback period where no region has advice yet read the advice once per
    application (an empty result was read again)."""
    assert _confirm_queries(reviewer, decider, 3) == _confirm_queries(reviewer, decider, 12)
