from datetime import date
from decimal import Decimal

import pytest

from accounting import services
from accounting.models import ObjectionStatus
from applications.constants import ApplicationStatus, DecisionKind
from applications.decisions.amounts import grant_in_force
from applications.models import Decision, Letter
from budgets.models import LedgerEntry
from sectorplan.api.errors import DomainError, StateConflict
from tests.accounting.factories import DecisionFactory, granted_application
from tests.applications.factories import ApplicationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_objection_within_the_term_is_recorded_R33(client_for, reviewer):
    app = granted_application()
    decision = app.decisions.get()  # dated Monday 2 February 2026
    response = client_for(reviewer).post(f"/api/v2/decisions/{decision.pk}/objections",
                                          {"receivedOn": "2026-03-16", "grounds": "Te laag"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["deadline"] == "2026-03-16"


def test_late_objection_is_refused_R33(client_for, reviewer):
    decision = granted_application().decisions.get()
    response = client_for(reviewer).post(f"/api/v2/decisions/{decision.pk}/objections",
                                          {"receivedOn": "2026-03-17", "grounds": "Te laag"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "objection_term_passed"


def test_upheld_objection_gives_a_new_decision_and_letter_R33(client_for, reviewer, decider):
    app = granted_application(registrations=[("A", None), ("B", None)], granted=Decimal("8000.00"))
    grant = app.decisions.get()
    objection = services.objection_record(decision=grant, received_on=date(2026, 3, 1), grounds="Meer", by=reviewer)
    response = client_for(decider).post(f"/api/v2/objections/{objection.pk}/ruling",
                                        {"outcome": "upheld", "ruling": "Gegrond", "grantedAmount": "10000.00"}, format="json")
    assert response.status_code == 200, response.json()
    new = Decision.objects.get(pk=response.json()["rulingDecision"])
    assert (new.kind, new.supersedes, new.granted_amount) == (DecisionKind.OBJECTION_RULING, grant, Decimal("10000.00"))
    assert Letter.objects.filter(decision=new).exists()
    assert grant_in_force(app) == new
    # The increase is committed; no advance is topped up (R20 v2: advances follow registrations, R48).
    assert new.advance_amount == Decimal("0.00")
    assert dict(LedgerEntry.objects.filter(decision=new).values_list("kind", "amount")) == {
        "commitment": Decimal("2000.00")}
    again = client_for(decider).post(f"/api/v2/objections/{objection.pk}/ruling", {"outcome": "rejected", "ruling": "x"},
                                     format="json")
    assert again.status_code == 409


def test_rejected_objection_keeps_the_decision_R33(reviewer, decider):
    app = granted_application()
    grant = app.decisions.get()
    objection = services.objection_record(decision=grant, received_on=date(2026, 3, 1), grounds="Meer", by=reviewer)
    with pytest.raises(StateConflict) as refused:  # Awb 7:2: no rejection before the hearing (or its waiver)
        services.objection_rule(objection=objection, outcome=ObjectionStatus.REJECTED, ruling="Ongegrond", by=decider)
    assert refused.value.errors[0]["code"] == "hearing_required"
    services.objection_hearing_record(objection=objection, by=reviewer, waived=True,
                                      waived_reason="De werkgever ziet af van horen.")
    objection = services.objection_rule(objection=objection, outcome=ObjectionStatus.REJECTED, ruling="Ongegrond", by=decider)
    assert objection.ruling_decision.supersedes is None
    assert grant_in_force(app) == grant
    assert Letter.objects.filter(decision=objection.ruling_decision).exists()


def test_upheld_objection_against_a_rejection_grants_R33(reviewer, decider):
    app = ApplicationFactory(submitted=True)
    app.eligible_amount = Decimal("0.00")
    app.status = ApplicationStatus.REJECTED
    app.save()
    rejection = DecisionFactory(application=app, kind=DecisionKind.REJECTION)
    objection = services.objection_record(decision=rejection, received_on=date(2026, 2, 10), grounds="x", by=reviewer)
    services.objection_rule(objection=objection, outcome="upheld", ruling="Gegrond", by=decider,
                            granted_amount=Decimal("5000.00"))
    app.refresh_from_db()
    assert app.status == ApplicationStatus.GRANTED


def test_only_office_records_and_only_decider_rules_R33(client_for, reviewer):
    app = granted_application()
    decision = app.decisions.get()
    member = MembershipFactory(employer=app.employer).user
    assert client_for(member).post(f"/api/v2/decisions/{decision.pk}/objections", {}, format="json").status_code == 403
    objection = services.objection_record(decision=decision, received_on=date(2026, 3, 1), grounds="x", by=reviewer)
    response = client_for(reviewer).post(f"/api/v2/objections/{objection.pk}/ruling", {}, format="json")
    assert response.status_code == 403


def test_objection_before_the_decision_is_refused_R33(reviewer):
    decision = granted_application().decisions.get()
    with pytest.raises(DomainError):
        services.objection_record(decision=decision, received_on=date(2026, 1, 1), grounds="x", by=reviewer)
