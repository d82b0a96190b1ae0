"""R18: a proposal whose input changed is stale and cannot be confirmed (defect (c): the floor)."""

from decimal import Decimal

import pytest

from applications import selectors as app_selectors
from applications.decisions import services as decision_services
from budgets.models import Period
from sectorplan.api.errors import StateConflict
from tests.applications.factories import UserFactory

from .helpers import assessed, closed_period

pytestmark = pytest.mark.django_db


def test_proposal_is_stale_after_the_floor_changed_R18():
    reviewer = UserFactory(username="r", roles=["office_reviewer"])
    decider = UserFactory(username="d", roles=["office_decider"])
    period = closed_period(budget={"other": Decimal("1000.00")})
    for _ in range(3):
        assessed(period, "400.00", reviewer=reviewer)
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    Period.objects.filter(pk=period.pk).update(oversubscription_floor=Decimal("300.00"))
    with pytest.raises(StateConflict) as caught:
        decision_services.allocation_confirm(allocation=allocation, by=decider)
    assert caught.value.errors[0]["code"] == "stale"
    assert not allocation.items.filter(application__decisions__isnull=False).exists()


def test_budget_table_reports_what_the_allocation_reserved_R35():
    reviewer = UserFactory(username="r2", roles=["office_reviewer"])
    decider = UserFactory(username="d2", roles=["office_decider"])
    period = closed_period(budget={"other": Decimal("1000.00")})
    for _ in range(3):
        assessed(period, "400.00", reviewer=reviewer)
    allocation = decision_services.allocation_propose(period=period, by=reviewer)
    decision_services.allocation_confirm(allocation=allocation, by=decider)
    [row] = app_selectors.budget_table(periods=[period.number])
    assert row["reserved_at_allocation"] == Decimal("1000.00") == row["unconditional"]
    assert row["lapsed"] == row["lowered"] == row["redistributed"] == Decimal("0.00")
