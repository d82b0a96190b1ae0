"""Amounts shown anywhere come from the ledger through one selector (applications.decisions.amounts).

Regression tests for defect (a) of the house-in-order issue: after an upheld objection raised a grant the
application answered ``granted_amount "0.00"`` (and held -2500.00 after a release followed by a raise),
while the ledger held the new amount.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounting import services
from tests.accounting.factories import booked_advance, booked_release, granted_application
from tests.applications.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact_of():
    def make(app):
        return MembershipFactory(employer=app.employer, user=UserFactory(), role="contact").user

    return make

BASE = "/api/v2/applications"


def _rule_upheld(app, *, amount, reviewer, decider):
    grant = app.decisions.get(kind="grant")
    objection = services.objection_record(decision=grant, received_on=date(2026, 3, 1), grounds="Meer", by=reviewer)
    services.objection_rule(objection=objection, outcome="upheld", ruling="Gegrond", by=decider,
                            granted_amount=Decimal(amount))


def test_application_shows_the_raised_grant_after_an_upheld_objection_R25_R33(client_for, contact_of, reviewer, decider):
    app = granted_application(registrations=[("A", None), ("B", None)], granted=Decimal("8000.00"))
    _rule_upheld(app, amount="10000.00", reviewer=reviewer, decider=decider)
    body = client_for(contact_of(app)).get(f"{BASE}/{app.pk}").json()
    assert (body["grantedAmount"], body["heldAmount"]) == ("10000.00", "0.00")
    call_command("check_ledger")


def test_held_is_never_negative_after_a_release_and_a_raise_R22_R33(client_for, contact_of, reviewer, decider):
    app = granted_application(registrations=[("A", None), ("B", None)], held=Decimal("2500.00"))
    booked_release(app, released=Decimal("2500.00"))
    booked_advance(app, amount=Decimal("1875.00"))  # a run paid 75% of the released part (R48)
    _rule_upheld(app, amount="12000.00", reviewer=reviewer, decider=decider)
    body = client_for(contact_of(app)).get(f"{BASE}/{app.pk}").json()
    assert (body["grantedAmount"], body["heldAmount"]) == ("12000.00", "0.00")
