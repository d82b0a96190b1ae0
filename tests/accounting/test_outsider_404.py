"""R2: an id of another employer is a 404 on every accounting endpoint, POST routes included, also where
the endpoint is for the office only (the id is looked up before the role is checked)."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounting import services
from tests.accounting.factories import granted_application
from tests.applications.factories import MembershipFactory
from tests.budgets.factories import PeriodFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def app():
    return granted_application(period=PeriodFactory(accountability_deadline=timezone.localdate() + timedelta(days=60)))


def test_another_employers_decision_and_objection_are_404_not_403_R2_R33(client_for, reviewer, app):
    decision = app.decisions.get()
    objection = services.objection_record(decision=decision, received_on=date(2026, 3, 1), grounds="x", by=reviewer)
    outsider = client_for(MembershipFactory().user)
    assert outsider.post(f"/api/v2/decisions/{decision.pk}/objections", {}, format="json").status_code == 404
    assert outsider.post(f"/api/v2/objections/{objection.pk}/ruling", {}, format="json").status_code == 404
    assert outsider.post("/api/v2/decisions/999999/objections", {}, format="json").status_code == 404
    assert outsider.post("/api/v2/objections/999999/ruling", {}, format="json").status_code == 404


def test_own_employers_member_may_not_record_or_rule_objections_R2_R33(client_for, reviewer, app):
    decision = app.decisions.get()
    objection = services.objection_record(decision=decision, received_on=date(2026, 3, 1), grounds="x", by=reviewer)
    member = client_for(MembershipFactory(employer=app.employer).user)
    assert member.post(f"/api/v2/decisions/{decision.pk}/objections", {}, format="json").status_code == 403
    assert member.post(f"/api/v2/objections/{objection.pk}/ruling", {}, format="json").status_code == 403
    # A reviewer sees the objection but only a decider rules on it.
    assert client_for(reviewer).post(f"/api/v2/objections/{objection.pk}/ruling", {}, format="json").status_code == 403


def test_another_employers_application_is_404_on_reopen_and_settle_R2_R32(client_for, app):
    outsider = client_for(MembershipFactory().user)
    assert outsider.post(f"/api/v2/applications/{app.pk}/accountability/reopen", {}, format="json").status_code == 404
    assert outsider.post(f"/api/v2/applications/{app.pk}/settle", {}, format="json").status_code == 404


def test_csv_row_with_more_cells_than_the_header_is_a_line_error_not_a_500_R29_R38(client, app):
    registration = app.registrations.first()
    login_verified(client, MembershipFactory(employer=app.employer).user)
    csv = f"id,started,outcome,actual_cost\n{registration.pk},ja,completed,1,50\n"  # an unquoted decimal comma
    response = client.post(
        f"/account/verantwoording/{app.pk}/upload/",
        {"file": SimpleUploadedFile("r.csv", csv.encode(), content_type="text/csv")},
    )
    assert response.status_code == 400
    assert "<td>2</td><td>file</td>" in response.content.decode()
    registration.refresh_from_db()
    assert registration.started is None  # nothing saved
