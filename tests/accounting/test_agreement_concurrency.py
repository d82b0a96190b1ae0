"""R46 with real parallel PostgreSQL connections: a review and a lapse of the same grant never cross."""

from datetime import date

import pytest
from django.utils import timezone

from accounting import agreements
from accounting.models import AgreementStatus, ProjectAgreement
from applications.constants import ApplicationStatus
from applications.decisions.checks import ledger_violations
from sectorplan.api.errors import StateConflict
from tests.accounting.factories import granted_application
from tests.accounting.test_agreements import pdf
from tests.applications.factories import MembershipFactory, UserFactory
from tests.budgets.factories import PeriodFactory
from tests.budgets.test_concurrency import run_parallel

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_approval_and_a_lapse_at_once_never_leave_an_approved_agreement_on_a_lapsed_grant_R46():
    reviewer = UserFactory(username="r", roles=["office_reviewer"])
    decider = UserFactory(username="d", roles=["office_decider"])
    period = PeriodFactory(deadlines={"agreement": date(2026, 6, 1)})
    apps = [granted_application(period=period) for _ in range(4)]
    for app in apps:
        member = MembershipFactory(employer=app.employer).user
        agreements.agreement_upload(application=app, by=member, signed_agreement=pdf(), kvk_extract=pdf(),
                                    kvk_extract_date=timezone.localdate())

    def review_all():
        done = []
        for app in apps:
            try:
                agreements.agreement_review(application=app, approved=True, reason="", by=reviewer)
                done.append(app.pk)
            except StateConflict:
                pass
        return done

    results = run_parallel(review_all, lambda: agreements.lapse_run(period=period, by=decider))
    assert [r[0] for r in results] == ["ok", "ok"], results
    approved, lapsed = set(results[0][1]), {d.application_id for d in results[1][1]}
    assert approved | lapsed == {a.pk for a in apps} and not approved & lapsed
    for app in apps:
        app.refresh_from_db()
        status = ProjectAgreement.objects.get(application=app).status
        assert (app.status, status) in {(ApplicationStatus.GRANTED, AgreementStatus.APPROVED),
                                         (ApplicationStatus.LAPSED, AgreementStatus.SUBMITTED)}
    assert ledger_violations() == []
