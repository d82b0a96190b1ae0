"""R4 four-eyes as one rule over an application's whole history (issue 16 item 3): whoever assessed any line
of an application (an assessment or a re-assessment, also by staff) may take no decision on it. One test per
bypass the audit found, and one per other decision kind."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounting import services as accounting_services
from accounting.models import ObjectionStatus
from applications import services
from applications.constants import ApplicationStatus, DecisionKind, MembershipRole
from applications.decisions import services as decisions
from applications.decisions.four_eyes import assessed_by
from applications.models import ApplicationTransition, Decision
from budgets.models import Allocation, Region
from sectorplan.api.errors import StateConflict
from tests.accounting.factories import granted_application
from tests.applications.factories import ApplicationFactory, MembershipFactory, PlanLineFactory, UserFactory
from tests.budgets.factories import PeriodFactory
from tests.budgets.helpers import closed_period
from tests.problems import problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def both():
    """A user holding both office roles (the audit's first bypass)."""
    return UserFactory(username="both", roles=["office_reviewer", "office_decider"])


def _assess(application, by):
    lines = list(application.plan_lines.all())
    return services.application_assess(
        application=application, by=by, verdicts=[{"id": line.pk, "eligible_count": line.count, "reason": ""} for line in lines]
    )


def _submitted(period):
    app = ApplicationFactory(period=period, submitted=True, submitted_at=period.application_opens)
    PlanLineFactory(application=app)
    return app


def _record_assessment(app, user):
    """The timeline row an assessment writes (``application_assess``): to ``assessed`` by its assessor."""
    ApplicationTransition.objects.create(application=app, from_status=ApplicationStatus.SUBMITTED,
                                         to_status=ApplicationStatus.ASSESSED, actor=user, reason="Assessed")


def test_r4_reassessment_by_another_reviewer_does_not_clear_the_first_assessor(client_for, both, reviewer):
    period = closed_period()
    app = _submitted(period)
    _assess(app, both)
    _assess(app, reviewer)  # the second reviewer re-assesses: before, this reset the check
    app.refresh_from_db()
    assert app.assessed_by == reviewer and assessed_by(both, [app.pk]) == {app.pk}
    allocation_id = client_for(reviewer).post(f"/api/v2/periods/{period.number}/allocations").json()["id"]
    response = client_for(both).post(f"/api/v2/periods/{period.number}/allocations/{allocation_id}/confirm")
    assert response.status_code == 409
    assert problems(response)[0]["code"] == "four_eyes" and app.reference in problems(response)[0]["message"]
    assert not Decision.objects.exists() and Allocation.objects.get(pk=allocation_id).status == "proposed"


def test_r4_staff_who_assessed_may_not_settle(client_for, staff_user):
    app = granted_application(period=PeriodFactory(accountability_deadline=timezone.localdate() + timedelta(days=60)))
    _record_assessment(app, staff_user)
    member = MembershipFactory(employer=app.employer, role=MembershipRole.ACCOUNTABILITY_OFFICER).user
    registration = app.registrations.get()
    accounting_services.accountability_submit(
        application=app, rows=[{"id": registration.pk, "started": True, "outcome": "completed"}], by=member
    )
    response = client_for(staff_user).post(f"/api/v2/applications/{app.pk}/settle")
    assert response.status_code == 409 and problems(response)[0]["code"] == "four_eyes"
    app.refresh_from_db()
    assert app.status == ApplicationStatus.GRANTED
    assert not app.decisions.filter(kind=DecisionKind.SETTLEMENT).exists()


def test_r4_the_assessor_may_not_rule_on_the_objection(client_for, both, reviewer, decider):
    app = granted_application(registrations=[("A", None), ("B", None)], granted=Decimal("8000.00"))
    _record_assessment(app, both)
    objection = accounting_services.objection_record(
        decision=app.decisions.get(), received_on=date(2026, 3, 1), grounds="Meer", by=reviewer
    )
    response = client_for(both).post(f"/api/v2/objections/{objection.pk}/ruling",
                                     {"outcome": "upheld", "ruling": "Gegrond", "grantedAmount": "10000.00"}, format="json")
    assert response.status_code == 409 and problems(response)[0]["code"] == "four_eyes"
    objection.refresh_from_db()
    assert objection.ruling_decision is None and app.decisions.count() == 1
    # Another decider may (after the hearing, Awb 7:2).
    accounting_services.objection_hearing_record(objection=objection, by=reviewer, held_on=date(2026, 3, 20),
                                                 attendees="Werkgever", summary="Toelichting")
    accounting_services.objection_rule(objection=objection, outcome=ObjectionStatus.REJECTED, ruling="Ongegrond", by=decider)


def test_r4_the_assessor_may_not_forfeit_the_held_part(both):
    app = granted_application(period=PeriodFactory(with_holdback=True), held=Decimal("2500.00"),
                              registrations=[("A", None), ("B", None)])
    _record_assessment(app, both)
    decisions.advice_record(region=app.region, period=app.period, outcome="negative", date=date(2026, 2, 1),
                            reference="CWZ-1", by=UserFactory(roles=["commission"]))
    with pytest.raises(StateConflict) as exc:
        decisions.holdback_forfeit(period=app.period, region=Region.objects.get(pk=app.region_id), by=both)
    assert exc.value.errors[0]["code"] == "four_eyes"
    assert not app.decisions.filter(kind=DecisionKind.HOLDBACK_FORFEIT).exists()


def test_r4_the_assessor_may_not_run_the_lapse(both):
    app = granted_application(period=PeriodFactory(deadlines={"agreement": date(2026, 6, 1)}))
    _record_assessment(app, both)
    with pytest.raises(StateConflict) as exc:
        decisions.lapse_decide(period=app.period, by=both, approved=lambda ids: set(), today=date(2026, 6, 2))
    assert exc.value.errors[0]["code"] == "four_eyes" and app.reference in exc.value.errors[0]["message"]
    assert not app.decisions.filter(kind=DecisionKind.LAPSE).exists()
    assert decisions.lapse_decide(period=app.period, by=UserFactory(), approved=lambda ids: set(), today=date(2026, 6, 2))


def test_r4_someone_who_did_not_assess_decides_and_the_check_reads_history_not_only_the_latest():
    app = granted_application()
    first, second, other = UserFactory(), UserFactory(), UserFactory()
    _record_assessment(app, first)
    _record_assessment(app, second)
    assert assessed_by(first, [app.pk]) == {app.pk} and assessed_by(second, [app.pk]) == {app.pk}
    assert assessed_by(other, [app.pk]) == set()
