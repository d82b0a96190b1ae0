"""R4 four-eyes over registrations (issue 16 item 3): whoever reviewed any registration of an application (approved,
rejected or asked for a repair) counts as an assessor of it, so they take no decision on it: not the advance run's
confirmation, not the settlement. Members' own timeline rows and the scheduled expiry make nobody an assessor."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounting import services as accounting_services
from applications import registrations
from applications.constants import ApplicationStatus, DecisionKind, MembershipRole, RegistrationStatus
from applications.decisions.four_eyes import assessed_by
from applications.models import Decision, RegistrationTransition
from tests.accounting.factories import granted_application
from tests.applications.factories import MembershipFactory, RegistrationFactory, UserFactory
from tests.budgets.factories import PeriodFactory
from tests.problems import problems
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(db):
    """A reviewer who also holds the decider role."""
    return UserFactory(username="both", roles=["office_reviewer", "office_decider"])


def reviewed(app, by, outcome=RegistrationStatus.APPROVED, reason=""):
    """A registration of ``app`` submitted and then reviewed by ``by`` through the service."""
    registration = RegistrationFactory(application=app, status=RegistrationStatus.SUBMITTED)
    return registrations.registration_review(registration=registration, outcome=outcome, reason=reason, by=by)


@pytest.mark.parametrize("outcome,reason", [("approved", ""), ("rejected", "Geen loonstrook"),
                                            ("repair_requested", "Nieuwe loonstrook")])
def test_r4_every_review_outcome_makes_the_reviewer_an_assessor(both, outcome, reason):
    app, other = granted_application(), granted_application()
    reviewed(app, both, outcome, reason)
    assert assessed_by(both, [app.pk, other.pk]) == {app.pk}


def test_r4_members_timeline_rows_and_the_expiry_make_nobody_an_assessor(decider):
    app = granted_application()
    member = MembershipFactory(employer=app.employer, role=MembershipRole.CONTACT).user
    registration = app.registrations.get()  # approved
    # A member's progress note on an approved registration is a row "approved -> approved" by the member.
    RegistrationTransition.objects.create(registration=registration, from_status="approved", to_status="approved",
                                          actor=member, reason="Voortgang: afgerond")
    submitted = RegistrationFactory(application=app, status=RegistrationStatus.SUBMITTED)
    RegistrationTransition.objects.create(registration=submitted, from_status="draft", to_status="submitted",
                                          actor=member, reason="Ter beoordeling ingediend")
    RegistrationTransition.objects.create(registration=submitted, from_status="repair_requested",
                                          to_status="rejected", actor=None, reason="Niet hersteld")
    assert assessed_by(member, [app.pk]) == set() and assessed_by(decider, [app.pk]) == set()


def test_r4_a_reviewer_who_approved_registrations_may_not_confirm_the_advance_run(client_for, both, decider):
    period = PeriodFactory(advance_percent=Decimal("75.00"))
    app = granted_application(period=period)
    reviewed(app, both)  # the registration counts in the run: its reviewer assessed the application
    run_id = client_for(decider).post(f"/api/v2/periods/{period.number}/advance-runs").json()["id"]
    response = client_for(both).post(f"/api/v2/advance-runs/{run_id}/confirm")
    assert response.status_code == 409
    assert problems(response)[0]["code"] == "four_eyes" and app.reference in problems(response)[0]["message"]
    assert not Decision.objects.filter(kind=DecisionKind.ADVANCE).exists()
    other = UserFactory(username="decider2", roles=["office_decider"])
    assert client_for(other).post(f"/api/v2/advance-runs/{run_id}/confirm").status_code in (200, 201)
    assert Decision.objects.filter(kind=DecisionKind.ADVANCE, application=app).count() == 1


def test_r4_a_reviewer_who_rejected_a_registration_may_not_settle(client_for, both, decider):
    app = granted_application(period=PeriodFactory(accountability_deadline=timezone.localdate() + timedelta(days=60)))
    approved = app.registrations.get()
    reviewed(app, both, RegistrationStatus.REJECTED, "Dubbel geregistreerd")
    member = MembershipFactory(employer=app.employer, role=MembershipRole.ACCOUNTABILITY_OFFICER).user
    accounting_services.accountability_submit(
        application=app, by=member,
        rows=[{"id": approved.pk, "started": True, "outcome": "completed"}],  # R29: approved registrations only
    )
    response = client_for(both).post(f"/api/v2/applications/{app.pk}/settle")
    assert response.status_code == 409 and problems(response)[0]["code"] == "four_eyes"
    app.refresh_from_db()
    assert app.status == ApplicationStatus.GRANTED
    assert not app.decisions.filter(kind=DecisionKind.SETTLEMENT).exists()
    assert client_for(decider).post(f"/api/v2/applications/{app.pk}/settle").status_code in (200, 201)
    assert app.decisions.filter(kind=DecisionKind.SETTLEMENT).count() == 1


def test_r4_bulk_approval_in_the_portal_makes_the_reviewer_an_assessor(client, both):
    app = granted_application()
    registration = RegistrationFactory(application=app, status=RegistrationStatus.SUBMITTED)
    login_verified(client, both)
    response = client.post(reverse("portal:registration_bulk_approve"),
                           {"registration": [registration.pk], "step": "confirm"})
    assert response.status_code == 302
    assert assessed_by(both, [app.pk]) == {app.pk}
