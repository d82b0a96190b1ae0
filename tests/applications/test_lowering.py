"""Lowering of reservations after the registration deadline (R51): proposal, four-eyes confirmation, amendment
decisions and letters, the held part as the holdback share of what remains, the money back to available."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from applications.constants import DecisionKind
from applications.decisions import lowering, services
from applications.decisions.amounts import application_amounts
from applications.decisions.checks import ledger_violations
from applications.decisions.rendering import letter_html
from applications.models import Decision, Letter
from budgets import reference_services
from budgets import selectors as budget_selectors
from budgets.models import LedgerEntry
from sectorplan.api.errors import StateConflict
from tests.accounting.factories import booked_advance, booked_release, granted_application
from tests.applications.factories import RegistrationFactory, UserFactory
from tests.budgets.factories import PeriodFactory

PAST = date(2026, 6, 1)
FUTURE = date(2099, 6, 1)


@pytest.fixture
def proposer(db):
    return UserFactory(username="proposer", roles=["office_reviewer"])


@pytest.fixture
def period(db):
    return PeriodFactory(deadlines={"registration": PAST})


def with_approved(app, amounts):
    """Extra approved and unapproved registrations: the grant's registrations are approved already."""
    for amount in amounts:
        RegistrationFactory(application=app, activity_type="A", amount=amount, status="approved")


def test_r51_lowering_proposal_then_confirmation_by_another_decider(client_for, period, proposer, decider):
    # Three A registrations of €5,000, granted in full; one more was rejected, one not approved at all.
    app = granted_application(period=period, registrations=(("A", None),) * 3)
    assert application_amounts(app)["reserved"] == Decimal("15000.00")
    app.registrations.filter(pk=app.registrations.first().pk).update(status="rejected")
    untouched = granted_application(period=period, registrations=(("A", None),))

    response = client_for(proposer).post(f"/api/v2/periods/{period.number}/lowering-proposals")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["freed"] == "5000.00"
    assert [(line["application"], line["previousReserved"], line["newReserved"]) for line in body["lines"]] == [
        (app.pk, "15000.00", "10000.00")
    ]
    assert client_for(proposer).get(f"/api/v2/periods/{period.number}/lowering-proposals").json()["id"] == body["id"]

    # A reviewer may not confirm; the decider confirms.
    assert client_for(proposer).post(f"/api/v2/periods/{period.number}/lowerings").status_code == 403
    response = client_for(decider).post(f"/api/v2/periods/{period.number}/lowerings")
    assert response.status_code == 200, response.content
    assert response.json() == {"lowered": 1, "freed": "5000.00"}

    amendment = Decision.objects.get(application=app, kind=DecisionKind.AMENDMENT)
    assert (amendment.previous_reserved, amendment.granted_amount) == (Decimal("15000.00"), Decimal("10000.00"))
    assert Letter.objects.filter(decision=amendment).exists()
    assert application_amounts(app)["reserved"] == Decimal("10000.00")
    assert application_amounts(untouched)["reserved"] == Decimal("5000.00")
    # R35: the budget table's "lowered" column comes from the ledger.
    assert sum(r["lowered"] for r in budget_selectors.budget_table(periods=[period.number])) == Decimal("5000.00")
    assert ledger_violations() == []

    # Idempotent: a second proposal finds nothing to lower; confirming it lowers nothing.
    second = client_for(proposer).post(f"/api/v2/periods/{period.number}/lowering-proposals").json()
    assert second["lines"] == []
    assert client_for(decider).post(f"/api/v2/periods/{period.number}/lowerings").json() == {
        "lowered": 0, "freed": "0.00"
    }


def test_r51_without_a_proposal_the_lowering_is_409_no_proposal(client_for, period, decider):
    granted_application(period=period)
    response = client_for(decider).post(f"/api/v2/periods/{period.number}/lowerings")
    assert response.status_code == 409
    assert response.json()["code"] == "no_proposal"


def test_r51_the_proposer_may_not_confirm_four_eyes(client_for, period, decider):
    app = granted_application(period=period, registrations=(("A", None),) * 2)
    app.registrations.filter(pk=app.registrations.first().pk).update(status="submitted")
    assert client_for(decider).post(f"/api/v2/periods/{period.number}/lowering-proposals").status_code == 201
    response = client_for(decider).post(f"/api/v2/periods/{period.number}/lowerings")
    assert response.status_code == 409
    assert response.json()["code"] == "four_eyes"
    assert application_amounts(app)["reserved"] == Decimal("10000.00")


def test_r51_not_before_the_registration_deadline_and_an_employers_own_extension_waits(
    client_for, proposer, decider, db
):
    period = PeriodFactory(deadlines={"registration": FUTURE})
    granted_application(period=period)
    response = client_for(proposer).post(f"/api/v2/periods/{period.number}/lowering-proposals")
    assert response.status_code == 409 and response.json()["code"] == "deadline_not_passed"

    period = PeriodFactory(number=7, deadlines={"registration": PAST})
    extended = granted_application(period=period, registrations=(("A", None),) * 2)
    extended.registrations.filter(pk=extended.registrations.first().pk).update(status="submitted")
    other = granted_application(period=period, registrations=(("A", None),) * 2)
    other.registrations.filter(pk=other.registrations.first().pk).update(status="submitted")
    reference_services.deadline_extend(period=period, kind="registration", date=date.today() + timedelta(days=30),
                                       reason="Ziekte", employer=extended.employer, by=decider)
    body = client_for(proposer).post(f"/api/v2/periods/{period.number}/lowering-proposals").json()
    assert [line["application"] for line in body["lines"]] == [other.pk]


def test_r51_a_change_since_the_proposal_makes_it_stale(period, proposer, decider):
    app = granted_application(period=period, registrations=(("A", None),) * 2)
    pending = app.registrations.first()
    app.registrations.filter(pk=pending.pk).update(status="submitted")
    lowering.lowering_propose(period=period, by=proposer)
    app.registrations.filter(pk=pending.pk).update(status="approved")  # reviewed meanwhile
    with pytest.raises(StateConflict) as conflict:
        lowering.lowering_confirm(period=period, by=decider)
    assert conflict.value.errors[0]["code"] == "stale"


def test_r51_lowering_uses_the_allocation_factor_and_never_raises(period, proposer, decider):
    # Oversubscribed: €10,000 eligible, €8,000 granted (factor 0.8). One of two registrations approved:
    # 5,000 × 0.8 = 4,000. Another granted €4,000 of €10,000 with both approved: 10,000 × 0.4 = 4,000: unchanged.
    half = granted_application(period=period, registrations=(("A", None),) * 2, granted=Decimal("8000.00"))
    half.registrations.filter(pk=half.registrations.first().pk).update(status="submitted")
    full = granted_application(period=period, registrations=(("A", None),) * 2, granted=Decimal("4000.00"))
    proposal = lowering.lowering_propose(period=period, by=proposer)
    assert [(r["application_id"], r["target"], r["new_reserved"]) for r in lowering.proposal_lines(proposal)] == [
        (half.pk, Decimal("4000.00"), Decimal("4000.00"))
    ]
    lowering.lowering_confirm(period=period, by=decider)
    assert application_amounts(full)["reserved"] == Decimal("4000.00")


def test_r51_r22_held_part_stays_the_holdback_share_and_a_later_release_releases_what_is_held_now(
    proposer, decider, commission_user, db
):
    period = PeriodFactory(with_holdback=True, deadlines={"registration": PAST})
    app = granted_application(period=period, registrations=(("A", None),) * 4, held=Decimal("5000.00"))
    app.registrations.filter(pk__in=list(app.registrations.values_list("pk", flat=True)[:1])).update(status="rejected")
    lowering.lowering_propose(period=period, by=proposer)
    [decision] = lowering.lowering_confirm(period=period, by=decider)[1]
    # 20,000 -> 15,000: held 25% of 15,000 = 3,750; unconditional 11,250.
    amounts = application_amounts(app)
    assert (amounts["reserved"], amounts["held"], amounts["unconditional"]) == (
        Decimal("15000.00"), Decimal("3750.00"), Decimal("11250.00")
    )
    assert LedgerEntry.objects.filter(decision=decision, kind="hold_lowering").get().amount == Decimal("1250.00")
    assert LedgerEntry.objects.filter(decision=decision, kind="lowering").get().amount == Decimal("3750.00")
    html = letter_html(letter=decision.letters.get())
    assert "€ 20.000,00" in html and "€ 15.000,00" in html and "€ 3.750,00" in html

    # R23: a positive advice releases what is held now.
    services.advice_record(region=app.region, period=period, outcome="positive", date=date(2026, 7, 1),
                           reference="CWZ-1", by=commission_user)
    assert application_amounts(app)["released"] == Decimal("3750.00")
    assert ledger_violations() == []


def test_r51_r24_forfeit_after_a_lowering_forfeits_what_is_held_now(proposer, decider, commission_user, db):
    period = PeriodFactory(with_holdback=True, deadlines={"registration": PAST})
    app = granted_application(period=period, registrations=(("A", None),) * 4, held=Decimal("5000.00"))
    app.registrations.filter(pk=app.registrations.first().pk).update(status="rejected")
    lowering.lowering_propose(period=period, by=proposer)
    lowering.lowering_confirm(period=period, by=decider)
    services.advice_record(region=app.region, period=period, outcome="negative", date=date(2026, 7, 1),
                           reference="CWZ-2", by=commission_user)
    [forfeit] = services.holdback_forfeit(period=period, region=app.region, by=decider)
    assert forfeit.forfeited_amount == Decimal("3750.00")
    assert application_amounts(app)["held"] == Decimal("0.00")
    assert ledger_violations() == []


def test_r51_released_part_is_lowered_likewise(proposer, decider, db):
    period = PeriodFactory(with_holdback=True, deadlines={"registration": PAST})
    released = granted_application(period=period, registrations=(("A", None),) * 4, held=Decimal("5000.00"))
    booked_release(released, released=Decimal("5000.00"))
    booked_advance(released, amount=Decimal("1000.00"))
    released.registrations.filter(pk=released.registrations.first().pk).update(status="rejected")
    lowering.lowering_propose(period=period, by=proposer)
    lowering.lowering_confirm(period=period, by=decider)
    amounts = application_amounts(released)
    assert (amounts["reserved"], amounts["released"], amounts["held"]) == (
        Decimal("15000.00"), Decimal("3750.00"), Decimal("0.00")
    )
    assert amounts["advances_paid"] == Decimal("1000.00")
    assert ledger_violations() == []
    call_command("check_ledger")


def test_r51_r35_check_ledger_catches_an_amendment_entry_that_disagrees_and_the_api_table_shows_lowered(
    client_for, period, proposer, decider
):
    app = granted_application(period=period, registrations=(("A", None),) * 2)
    app.registrations.filter(pk=app.registrations.first().pk).update(status="rejected")
    lowering.lowering_propose(period=period, by=proposer)
    [decision] = lowering.lowering_confirm(period=period, by=decider)[1]
    ministry = UserFactory(username="ministry", roles=["ministry"])
    rows = client_for(ministry).get(f"/api/v2/statistics/budgets?period={period.number}").json()["rows"]
    assert sum(Decimal(r["lowered"]) for r in rows) == Decimal("5000.00")
    assert all(r["redistributed"] == "0.00" for r in rows)
    LedgerEntry.objects.create(period=period, earmark=decision_line(decision), application=app, decision=decision,
                               kind="lowering", amount=Decimal("1.00"), actor=decider, memo="a wrong entry")
    assert any("lowering" in problem for problem in ledger_violations())


def decision_line(decision):
    return LedgerEntry.objects.filter(decision=decision).values_list("earmark", flat=True).first()
