"""R53: deadline extensions for the whole period or one employer, audited, shown to the employer, used by every
deadline check (here the accountability deadline)."""

from datetime import date, timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from applications.services import office_scope_set
from budgets.constants import DeadlineKind
from budgets.models import DeadlineExtension, ReferenceDataChange
from budgets.reference_services import deadline_extend
from budgets.selectors import deadline_for
from sectorplan.api.errors import DomainError
from sectorplan.records import PermanentRecordError
from tests.accounting.factories import granted_application
from tests.accounting.test_accountability_api import rows_for
from tests.applications.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.budgets.factories import PeriodFactory
from tests.problems import problems
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


def url(period):
    return f"/api/v2/periods/{period.number}/deadline-extensions"


def test_a_decider_extends_a_deadline_for_one_employer_only_and_it_is_audited_R53(client_for, decider):
    period = PeriodFactory(deadlines={"registration": date(2026, 3, 1)})
    employer, other = EmployerFactory(), EmployerFactory()
    body = {"kind": "registration", "date": "2026-04-15", "reason": "Brand in het kantoor", "employer": employer.pk}
    response = client_for(decider).post(url(period), body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["kind"] == "registration" and data["date"] == "2026-04-15" and data["employer"] == employer.pk
    assert data["period"] == period.number and data["createdBy"] == "decider" and data["createdAt"].endswith("Z")
    assert deadline_for(period=period, kind="registration", employer=employer) == date(2026, 4, 15)
    assert deadline_for(period=period, kind="registration", employer=other) == date(2026, 3, 1)
    assert deadline_for(period=period, kind="registration") == date(2026, 3, 1)
    audit = ReferenceDataChange.objects.get(model="budgets.deadlineextension")
    assert audit.actor == decider and audit.changes["reason"]["new"] == "Brand in het kantoor"


def test_a_period_wide_extension_counts_for_everyone_and_the_latest_date_wins_R53(decider):
    period = PeriodFactory(deadlines={"repair": date(2026, 6, 1)})
    employer = EmployerFactory()
    deadline_extend(period=period, kind="repair", date=date(2026, 7, 1), reason="Eigen verzoek", employer=employer,
                    by=decider)
    deadline_extend(period=period, kind="repair", date=date(2026, 8, 1), reason="Storing portaal", by=decider)
    assert deadline_for(period=period, kind="repair") == date(2026, 8, 1)
    assert deadline_for(period=period, kind="repair", employer=employer) == date(2026, 8, 1)  # not back to 1 July
    assert deadline_for(period=period, kind="repair", employer=EmployerFactory()) == date(2026, 8, 1)


def test_an_extension_never_moves_a_deadline_earlier_R53(client_for, decider):
    period = PeriodFactory()  # accountability 1 July 2028
    employer = EmployerFactory()
    deadline_extend(period=period, kind="accountability", date=date(2028, 9, 1), reason="Ziekte", employer=employer,
                    by=decider)
    for day, who in [("2028-06-30", None), ("2028-07-01", None), ("2028-08-01", employer.pk)]:
        body = {"kind": "accountability", "date": day, "reason": "Korter", **({"employer": who} if who else {})}
        response = client_for(decider).post(url(period), body, format="json")
        assert response.status_code == 400, day
        assert problems(response)[0]["code"] == "not_later"
    assert DeadlineExtension.objects.count() == 1


def test_application_windows_are_never_extended_and_a_reason_is_required_R53(client_for, decider):
    period = PeriodFactory()
    body = {"kind": "application", "date": "2028-08-01", "reason": "Graag"}
    response = client_for(decider).post(url(period), body, format="json")
    assert response.status_code == 400 and problems(response)[0]["field"] == "kind"
    with pytest.raises(DomainError) as refused:
        deadline_extend(period=period, kind="application_window", date=date(2028, 8, 1), reason=" ", by=decider)
    assert {(e["field"], e["code"]) for e in refused.value.errors} == {("kind", "not_extendable"), ("reason", "required")}
    response = client_for(decider).post(url(period), {"kind": "accountability", "date": "2028-08-01"}, format="json")
    assert response.status_code == 400 and problems(response)[0]["field"] == "reason"


def test_an_implausible_date_or_a_missing_deadline_is_refused_R53(client_for, decider):
    period = PeriodFactory()  # application window opens 1 Dec 2025, training-start window ends 31 Dec 2026
    for day in ["2032-01-01", "2099-07-01"]:
        response = client_for(decider).post(url(period), {"kind": "accountability", "date": day, "reason": "x"},
                                            format="json")
        assert response.status_code == 400 and problems(response)[0]["code"] == "implausible", day
    response = client_for(decider).post(url(period), {"kind": "accountability", "date": "2031-12-31", "reason": "x"},
                                        format="json")
    assert response.status_code == 201
    response = client_for(decider).post(url(period), {"kind": "agreement", "date": "2026-06-01", "reason": "x"},
                                        format="json")
    assert response.status_code == 400 and problems(response)[0]["code"] == "no_deadline"


def test_only_an_office_decider_extends_and_an_unknown_employer_is_not_found_R53(
    client_for, decider, reviewer, ministry_user
):
    period = PeriodFactory()
    body = {"kind": "accountability", "date": "2028-08-01", "reason": "x"}
    member = MembershipFactory().user
    for user in (reviewer, ministry_user, member):
        assert client_for(user).post(url(period), body, format="json").status_code == 403
    assert client_for(decider).post("/api/v2/periods/999/deadline-extensions", body, format="json").status_code == 404
    response = client_for(decider).post(url(period), {**body, "employer": 999999}, format="json")
    assert response.status_code == 400 and problems(response)[0]["code"] == "not_found"
    assert not DeadlineExtension.objects.exists()


def test_extensions_are_append_only_also_in_sql_R53(decider):
    period = PeriodFactory()
    extension = deadline_extend(period=period, kind="accountability", date=date(2028, 8, 1), reason="x", by=decider)
    extension.reason = "changed"
    with pytest.raises(PermanentRecordError):
        extension.save()
    with pytest.raises(PermanentRecordError):
        extension.delete()
    with pytest.raises(PermanentRecordError):
        DeadlineExtension.objects.update(reason="changed")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE budgets_deadlineextension SET reason = 'changed'")
    assert DeadlineExtension.objects.get().reason == "x"


def test_an_employers_accountability_extension_lets_it_report_after_the_period_deadline_R53(client_for, decider):
    today = timezone.localdate()
    period = PeriodFactory(accountability_deadline=today - timedelta(days=1))
    app = granted_application(period=period)
    other = granted_application(period=period)
    member = MembershipFactory(employer=app.employer).user
    other_member = MembershipFactory(employer=other.employer).user
    deadline_extend(period=period, kind=DeadlineKind.ACCOUNTABILITY, date=today + timedelta(days=7), reason="Ziekte",
                    employer=app.employer, by=decider)
    own = client_for(member).get(f"/api/v2/applications/{app.pk}/accountability").json()
    assert own["deadline"] == str(today + timedelta(days=7))
    response = client_for(member).post(f"/api/v2/applications/{app.pk}/accountability",
                                       {"registrations": rows_for(app)}, format="json")
    assert response.status_code == 200, response.content
    response = client_for(other_member).post(f"/api/v2/applications/{other.pk}/accountability",
                                             {"registrations": rows_for(other)}, format="json")
    assert response.status_code == 400 and problems(response)[0]["code"] == "deadline_passed"


def test_the_portal_shows_the_employer_its_deadlines_with_extensions_and_reasons_R53(client, decider):
    period = PeriodFactory(deadlines={"registration": date(2026, 3, 1)})
    app = granted_application(period=period)
    deadline_extend(period=period, kind="registration", date=date(2026, 4, 15), reason="Brand in het kantoor",
                    employer=app.employer, by=decider)
    deadline_extend(period=period, kind="accountability", date=date(2028, 9, 1), reason="Storing in het portaal",
                    by=decider)
    deadline_extend(period=period, kind="registration", date=date(2026, 5, 1), reason="Geheime reden",
                    employer=EmployerFactory(), by=decider)
    login_verified(client, MembershipFactory(employer=app.employer).user)
    page = client.get(reverse("portal:application_detail", args=[app.pk])).content.decode()
    assert "Brand in het kantoor" in page and "15-04-2026" in page and "01-03-2026" in page
    assert "Storing in het portaal" in page and "01-09-2028" in page
    assert "Geheime reden" not in page and "01-05-2026" not in page


def test_a_decider_scoped_to_regions_cannot_extend_for_an_employer_outside_them_R53_R4(client_for):
    period = PeriodFactory()
    inside, outside = EmployerFactory(), EmployerFactory()
    scoped = UserFactory(username="scoped", roles=["office_decider"])
    office_scope_set(user=scoped, codes=[inside.region.employer_organisation.code], by=UserFactory(is_staff=True))
    body = {"kind": "accountability", "date": "2028-08-01", "reason": "x"}
    response = client_for(scoped).post(url(period), {**body, "employer": outside.pk}, format="json")
    assert response.status_code == 400 and problems(response)[0]["code"] == "not_found"
    assert client_for(scoped).post(url(period), {**body, "employer": inside.pk}, format="json").status_code == 201
    assert list(DeadlineExtension.objects.values_list("employer_id", flat=True)) == [inside.pk]


def test_the_admin_shows_extensions_read_only_R53(client, decider, staff_user):
    extension = deadline_extend(period=PeriodFactory(), kind="accountability", date=date(2028, 8, 1), reason="x",
                                by=decider)
    login_verified(client, staff_user)
    assert client.get(reverse("admin:budgets_deadlineextension_changelist")).status_code == 200
    assert client.get(reverse("admin:budgets_deadlineextension_add")).status_code == 403
    change = client.post(reverse("admin:budgets_deadlineextension_change", args=[extension.pk]), {"reason": "y"})
    assert change.status_code == 403
    assert DeadlineExtension.objects.get().reason == "x"
