from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounting import services
from accounting.models import AccountabilityReport
from applications.constants import ApplicationStatus, MembershipRole
from applications.models import ProcessingLogEntry
from tests.accounting.factories import granted_application
from tests.applications.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.budgets.factories import PeriodFactory
from tests.problems import problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def future_period():
    return PeriodFactory(accountability_deadline=timezone.localdate() + timedelta(days=60))


def url(app):
    return f"/api/v2/applications/{getattr(app, 'pk', app)}/accountability"


def rows_for(app, **overrides):
    rows = []
    for registration in app.registrations.order_by("pk"):
        row = {"id": registration.pk, "started": True, "outcome": "completed"}
        if registration.activity_type in "CDE":
            row["actualCost"] = "900.00"
        row.update(overrides)
        rows.append(row)
    return rows


def test_accountability_officer_reports_per_registration_R29(client_for, future_period):
    app = granted_application(period=future_period, registrations=[("A", None), ("C", Decimal("1500.00"))])
    officer = MembershipFactory(employer=app.employer, role=MembershipRole.ACCOUNTABILITY_OFFICER).user
    response = client_for(officer).post(url(app), {"registrations": rows_for(app)}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["submittedAt"]
    costs = sorted(str(p["actualCost"]) for p in body["registrations"])
    assert costs == ["900.00", "None"]
    p_c = app.registrations.get(activity_type="C")
    assert (p_c.started, p_c.outcome, p_c.actual_cost) == (True, "completed", Decimal("900.00"))
    assert p_c.reported_at is not None


def test_contact_may_report_too_R29(client_for, future_period):
    app = granted_application(period=future_period)
    contact = MembershipFactory(employer=app.employer, role=MembershipRole.CONTACT).user
    assert client_for(contact).post(url(app), {"registrations": rows_for(app)}, format="json").status_code == 200


def test_field_errors_name_the_registration_row_R29(client_for, future_period):
    app = granted_application(period=future_period, registrations=[("A", None), ("C", Decimal("1500.00")), ("D", Decimal("500"))])
    member = MembershipFactory(employer=app.employer).user
    a, c, d = app.registrations.order_by("pk")
    payload = {"registrations": [
        {"id": a.pk, "started": False, "outcome": "completed"},  # not started -> no outcome
        {"id": c.pk, "started": True, "outcome": "completed"},  # actual cost required
        {"id": d.pk, "started": True, "actualCost": "-1.00"},  # outcome required, cost negative
    ]}
    response = client_for(member).post(url(app), payload, format="json")
    assert response.status_code == 400
    fields = {(e["field"], e["code"]) for e in problems(response)}
    assert fields == {
        ("registrations[0].outcome", "not_started"),
        ("registrations[1].actualCost", "required"),
        ("registrations[2].outcome", "required"),
        ("registrations[2].actualCost", "negative"),
    }
    assert not AccountabilityReport.objects.filter(application=app, submitted_at__isnull=False).exists()
    assert app.registrations.filter(started__isnull=False).count() == 0


def test_every_registration_is_reported_exactly_once_R29(client_for, future_period):
    app = granted_application(period=future_period, registrations=[("A", None), ("B", None)])
    member = MembershipFactory(employer=app.employer).user
    first = rows_for(app)[0]
    response = client_for(member).post(url(app), {"registrations": [first, first]}, format="json")
    assert response.status_code == 400
    assert problems(response)[0] == {**problems(response)[0], "field": "registrations[1].id", "code": "duplicate"}
    response = client_for(member).post(url(app), {"registrations": [first]}, format="json")
    assert response.status_code == 400
    assert problems(response)[0]["code"] == "incomplete"


def test_registration_of_another_application_is_refused_R29(client_for, future_period):
    app = granted_application(period=future_period)
    other = granted_application(period=future_period)
    member = MembershipFactory(employer=app.employer).user
    rows = rows_for(other)
    response = client_for(member).post(url(app), {"registrations": rows}, format="json")
    assert response.status_code == 400
    assert problems(response)[0]["field"] == "registrations[0].id"


def test_small_application_reports_completion_without_costs_R31(client_for):
    period = PeriodFactory(accountability_deadline=timezone.localdate() + timedelta(days=60),
                           small_application_limit=Decimal("15000.00"))
    app = granted_application(period=period, registrations=[("C", Decimal("1500.00"))])
    member = MembershipFactory(employer=app.employer).user
    pid = app.registrations.get().pk
    with_cost = {"registrations": [{"id": pid, "started": True, "outcome": "completed", "actualCost": "100.00"}]}
    response = client_for(member).post(url(app), with_cost, format="json")
    assert response.status_code == 400
    assert problems(response)[0]["field"] == "registrations[0].actualCost"
    statement = {"registrations": [{"id": pid, "started": True, "outcome": "completed"}]}
    response = client_for(member).post(url(app), statement, format="json")
    assert response.status_code == 200
    assert response.json()["completionStatement"] is True
    assert response.json()["isSmall"] is True


def test_report_before_grant_is_a_conflict_R29(client_for, future_period):
    app = granted_application(period=future_period)
    app.status = ApplicationStatus.ASSESSED
    app.save()
    member = MembershipFactory(employer=app.employer).user
    assert client_for(member).post(url(app), {"registrations": rows_for(app)}, format="json").status_code == 409


def test_late_report_is_refused_unless_reopened_R32(client_for, staff_user):
    period = PeriodFactory(accountability_deadline=timezone.localdate() - timedelta(days=1))
    app = granted_application(period=period)
    member = MembershipFactory(employer=app.employer).user
    response = client_for(member).post(url(app), {"registrations": rows_for(app)}, format="json")
    assert response.status_code == 400
    assert problems(response)[0]["code"] == "deadline_passed"
    reopen = client_for(staff_user).post(url(app) + "/reopen", {"until": str(timezone.localdate() + timedelta(days=7))}, format="json")
    assert reopen.status_code == 200
    assert client_for(member).post(url(app), {"registrations": rows_for(app)}, format="json").status_code == 200


def test_member_cannot_reopen_R32(client_for, future_period):
    app = granted_application(period=future_period)
    member = MembershipFactory(employer=app.employer).user
    assert client_for(member).post(url(app) + "/reopen", {}, format="json").status_code == 403


def test_account_of_a_alone_gets_404_on_b_R2(client_for, future_period):
    app_b = granted_application(period=future_period)
    user_a = MembershipFactory().user
    client = client_for(user_a)
    assert client.post(url(app_b), {"registrations": rows_for(app_b)}, format="json").status_code == 404
    assert client.get(url(app_b)).status_code == 404
    assert client.post(url(999999), {"registrations": []}, format="json").status_code == 404


def test_office_reads_but_does_not_report_R29(client_for, reviewer, future_period):
    app = granted_application(period=future_period)
    assert client_for(reviewer).get(url(app)).status_code == 200
    assert client_for(reviewer).post(url(app), {"registrations": rows_for(app)}, format="json").status_code == 403


def test_resubmission_before_the_deadline_replaces_the_report_R29(future_period):
    app = granted_application(period=future_period)
    member = MembershipFactory(employer=app.employer).user
    services.accountability_submit(application=app, rows=rows_for(app), by=member)
    services.accountability_submit(application=app, rows=rows_for(app, started=False, outcome=None), by=member)
    assert app.registrations.get().started is False


def test_linked_account_sees_both_employers_in_the_due_list_R2(future_period):
    from accounting.selectors import accountability_due_for

    user = UserFactory()
    a, b, c = EmployerFactory(), EmployerFactory(), EmployerFactory()
    MembershipFactory(user=user, employer=a, role=MembershipRole.ACCOUNTABILITY_OFFICER)
    MembershipFactory(user=user, employer=b)
    app_a = granted_application(employer=a, period=future_period)
    app_b = granted_application(employer=b, period=PeriodFactory(accountability_deadline=date(2099, 1, 1)))
    granted_application(employer=c, period=future_period)
    assert list(accountability_due_for(user)) == [app_a, app_b]


@pytest.mark.parametrize(
    "row",
    [
        {"id": "abc", "started": True},
        {"id": None},
        {"started": "yes"},
        {"id": 1, "started": True, "outcome": "finished"},
        {"id": 1, "started": True, "outcome": ["x"], "actualCost": "1e30"},
        {"id": 1, "started": True, "outcome": "completed", "actualCost": "NaN"},
        {"id": 1, "started": True, "outcome": "completed", "actualCost": "12.345"},
        "not an object",
    ],
)
def test_bad_input_is_a_400_never_a_500_R29(client_for, future_period, row):
    app = granted_application(period=future_period, registrations=[("C", Decimal("1500.00"))])
    member = MembershipFactory(employer=app.employer).user
    if isinstance(row, dict) and row.get("id") == 1:
        row = {**row, "id": app.registrations.get().pk}
    response = client_for(member).post(url(app), {"registrations": [row]}, format="json")
    assert response.status_code == 400
    assert problems(response)[0]["field"].startswith("registrations")


def test_missing_body_is_a_400_R29(client_for, future_period):
    app = granted_application(period=future_period)
    member = MembershipFactory(employer=app.employer).user
    assert client_for(member).post(url(app), {}, format="json").status_code == 400
    assert client_for(member).post(url(app), {"registrations": "x"}, format="json").status_code == 400


def test_an_office_read_of_the_accountability_report_is_in_the_processing_log_R54(client_for, future_period, reviewer):
    app = granted_application(period=future_period, registrations=[("A", None), ("A", None)])
    member = MembershipFactory(employer=app.employer).user
    assert client_for(member).get(url(app)).status_code == 200
    assert not ProcessingLogEntry.objects.exists()
    assert client_for(reviewer).get(url(app)).status_code == 200
    entry = ProcessingLogEntry.objects.get()
    assert entry.user == reviewer and entry.purpose == "review" and entry.object_type == "applications.registration"
    assert entry.object_ids == sorted(app.registrations.values_list("pk", flat=True))
