from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from applications.constants import ApplicationStatus
from applications.models import Application, ApplicationTransition, Decision, Letter
from budgets.models import Allocation, BudgetLine, LedgerEntry
from tests.applications.factories import ApplicationFactory, MembershipFactory, UserFactory
from tests.budgets.factories import PeriodFactory
from tests.problems import problems

from .helpers import assert_ledger_ok, assessed, closed_period

pytestmark = pytest.mark.django_db


def propose(client, period):
    return client.post(f"/api/v2/periods/{period.number}/allocations")


def confirm(client, period, allocation_id):
    return client.post(f"/api/v2/periods/{period.number}/allocations/{allocation_id}/confirm")


def test_proposal_before_window_closes_is_refused_R16(client_for, reviewer):
    period = PeriodFactory(
        application_opens=timezone.now() - timezone.timedelta(days=1),
        application_closes=timezone.now() + timezone.timedelta(days=1),
    )
    response = propose(client_for(reviewer), period)
    assert response.status_code == 409
    assert problems(response)[0]["code"] == "window_open"


def test_proposal_with_unassessed_application_is_refused_R16(client_for, reviewer):
    period = closed_period()
    assessed(period, "1000.00")
    ApplicationFactory(period=period, submitted=True)
    response = propose(client_for(reviewer), period)
    assert response.status_code == 409
    assert problems(response)[0]["code"] == "not_all_assessed"


def test_undersubscribed_everyone_gets_eligible_amount_R16(client_for, reviewer):
    period = closed_period(budget={"other": Decimal("10000.00")})
    a = assessed(period, "3000.00")
    b = assessed(period, "4000.55")
    response = propose(client_for(reviewer), period)
    assert response.status_code == 201
    body = response.json()
    grants = {row["reference"]: row["grantedAmount"] for row in body["applications"]}
    assert grants == {a.reference: "3000.00", b.reference: "4000.55"}
    line = body["lines"][0]
    assert line == {"earmark": "other", "ceiling": "10000.00", "requested": "7000.55", "factor": "1.0000000000",
                    "granted": "7000.55"}


def test_oversubscription_grants_add_up_to_ceiling_R17(client_for, reviewer):
    period = closed_period(budget={"other": Decimal("1000.00")})
    apps = [assessed(period, amount) for amount in ("333.33", "333.33", "333.34", "500.00")]
    body = propose(client_for(reviewer), period).json()
    granted = [Decimal(row["grantedAmount"]) for row in body["applications"]]
    assert sum(granted) == Decimal("1000.00")
    assert all(Decimal(r["grantedAmount"]) <= Decimal(r["eligibleAmount"]) for r in body["applications"])
    assert len(body["applications"]) == len(apps)
    # deterministic (R17): the same input gives the same result
    again = propose(client_for(reviewer), period).json()
    assert [r["grantedAmount"] for r in again["applications"]] == [r["grantedAmount"] for r in body["applications"]]


def test_floor_first_then_pro_rata_R16(client_for, reviewer):
    period = closed_period(budget={"other": Decimal("3000.00")}, oversubscription_floor=Decimal("1000.00"))
    small = assessed(period, "500.00")
    big = assessed(period, "4500.00")
    body = propose(client_for(reviewer), period).json()
    grants = {r["reference"]: Decimal(r["grantedAmount"]) for r in body["applications"]}
    # floors: 500 + 1000; the rest (1500) goes pro rata over the remaining 0 and 3500 -> all to big
    assert grants[small.reference] == Decimal("500.00")
    assert grants[big.reference] == Decimal("2500.00")


def test_earmarks_are_allocated_separately_unless_pooled_R16(client_for, reviewer):
    period = closed_period(budget={"nursing_home": Decimal("100.00"), "other": Decimal("1000.00")})
    nh = assessed(period, "200.00", earmark="nursing_home")
    other = assessed(period, "200.00", earmark="other")
    body = propose(client_for(reviewer), period).json()
    grants = {r["reference"]: r["grantedAmount"] for r in body["applications"]}
    assert grants == {nh.reference: "100.00", other.reference: "200.00"}
    assert {line["earmark"] for line in body["lines"]} == {"nursing_home", "other"}


def test_confirm_creates_grant_and_rejection_decisions_R18(client_for, reviewer, decider, django_capture_on_commit_callbacks):
    period = closed_period(budget={"other": Decimal("10000.00")})
    granted = assessed(period, "3000.00", reviewer=reviewer)
    zero = assessed(period, "0.00", reviewer=reviewer)
    allocation_id = propose(client_for(reviewer), period).json()["id"]
    from unittest import mock

    with mock.patch("applications.decisions.letters.enqueue_letter") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            response = confirm(client_for(decider), period, allocation_id)
    assert response.status_code == 200, response.json()
    assert response.json()["decisions"] == 2
    granted.refresh_from_db()
    zero.refresh_from_db()
    assert granted.status == ApplicationStatus.GRANTED
    assert zero.status == ApplicationStatus.REJECTED
    grant = Decision.objects.get(application=granted)
    # R20 v2: the grant is a reservation; no advance is paid at the grant.
    assert (grant.kind, grant.granted_amount, grant.held_amount, grant.advance_amount) == (
        "grant", Decimal("3000.00"), Decimal("0.00"), Decimal("0.00"))
    assert Decision.objects.get(application=zero).kind == "rejection"
    assert Letter.objects.filter(decision__application__in=[granted, zero]).count() == 2
    assert enqueue.call_count == 2
    assert ApplicationTransition.objects.filter(application=granted, to_status="granted", actor=decider).exists()
    assert LedgerEntry.objects.filter(application=granted, kind="commitment").get().amount == Decimal("3000.00")
    assert not LedgerEntry.objects.filter(application=granted, kind="advance").exists()
    assert_ledger_ok()


def test_confirming_twice_is_a_conflict_R19(client_for, reviewer, decider):
    period = closed_period()
    assessed(period, "1000.00", reviewer=reviewer)
    allocation_id = propose(client_for(reviewer), period).json()["id"]
    assert confirm(client_for(decider), period, allocation_id).status_code == 200
    response = confirm(client_for(decider), period, allocation_id)
    assert response.status_code == 409
    assert Decision.objects.count() == 1
    assert propose(client_for(reviewer), period).status_code == 409
    assert_ledger_ok()


def test_stale_proposal_is_refused_R18(client_for, reviewer, decider):
    period = closed_period()
    app = assessed(period, "1000.00", reviewer=reviewer)
    allocation_id = propose(client_for(reviewer), period).json()["id"]
    Application.objects.filter(pk=app.pk).update(eligible_amount=Decimal("900.00"))
    response = confirm(client_for(decider), period, allocation_id)
    assert response.status_code == 409
    assert problems(response)[0]["code"] == "stale"
    assert not Decision.objects.exists()


def test_changed_ceiling_makes_proposal_stale_R19(client_for, reviewer, decider):
    period = closed_period(budget={"other": Decimal("1000.00")})
    assessed(period, "2000.00", reviewer=reviewer)
    allocation_id = propose(client_for(reviewer), period).json()["id"]
    BudgetLine.objects.filter(period=period).update(ceiling=Decimal("500.00"))
    assert confirm(client_for(decider), period, allocation_id).status_code == 409
    assert not LedgerEntry.objects.exists()


def test_decider_who_assessed_cannot_confirm_four_eyes_R4(client_for, reviewer):
    both = UserFactory(username="both", roles=["office_reviewer", "office_decider"])
    period = closed_period()
    own = assessed(period, "1000.00", reviewer=both)
    assessed(period, "1000.00", reviewer=reviewer)
    allocation_id = propose(client_for(reviewer), period).json()["id"]
    response = confirm(client_for(both), period, allocation_id)
    assert response.status_code == 409
    error = problems(response)[0]
    assert error["code"] == "four_eyes"
    assert own.reference in error["message"]
    assert not Decision.objects.exists()
    assert Allocation.objects.get(pk=allocation_id).status == "proposed"


def test_only_deciders_confirm_R4(client_for, reviewer, commission_user, ministry_user):
    period = closed_period()
    assessed(period, "1000.00")
    allocation_id = propose(client_for(reviewer), period).json()["id"]
    for user in (reviewer, commission_user, ministry_user):
        assert confirm(client_for(user), period, allocation_id).status_code == 403
    member = MembershipFactory().user
    assert propose(client_for(member), period).status_code == 403
    assert propose(client_for(None), period).status_code in (401, 403)


def test_decisions_endpoint_lists_decision_with_letter_and_hides_other_employers(client_for, reviewer, decider):
    period = closed_period()
    app = assessed(period, "1000.00", reviewer=reviewer)
    member = MembershipFactory(employer=app.employer).user
    stranger = MembershipFactory().user
    allocation_id = propose(client_for(reviewer), period).json()["id"]
    confirm(client_for(decider), period, allocation_id)
    response = client_for(member).get(f"/api/v2/applications/{app.pk}/decisions")
    assert response.status_code == 200
    [decision] = response.json()
    assert decision["kind"] == "grant"
    assert decision["grantedAmount"] == "1000.00"
    assert decision["letter"]["status"] == "pending"
    assert set(decision["letter"]) == {"id", "status", "sha256"}
    assert client_for(stranger).get(f"/api/v2/applications/{app.pk}/decisions").status_code == 404
    assert client_for(reviewer).get(f"/api/v2/applications/{app.pk}/decisions").status_code == 200


def test_check_ledger_fails_on_a_violation_R25(decider):
    period = closed_period(budget={"other": Decimal("100.00")})
    app = assessed(period, "1000.00")
    LedgerEntry.objects.create(period=period, earmark="other", application=app, kind="commitment",
                               amount=Decimal("150.00"), actor=decider)
    with pytest.raises(CommandError):
        call_command("check_ledger")


