from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.constants import MembershipRole
from applications.portal import SESSION_KEY
from tests.accounting.factories import granted_application
from tests.applications.factories import EmployerFactory, MembershipFactory, UserFactory
from tests.budgets.factories import PeriodFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    return PeriodFactory(accountability_deadline=timezone.localdate() + timedelta(days=60))


def test_account_linked_to_a_and_b_sees_both_in_the_due_list_R2(client, period):
    user = UserFactory()
    a, b = EmployerFactory(name="Alfa Zorg"), EmployerFactory(name="Beta Welzijn")
    MembershipFactory(user=user, employer=a, role=MembershipRole.ACCOUNTABILITY_OFFICER)
    MembershipFactory(user=user, employer=b, role=MembershipRole.ACCOUNTABILITY_OFFICER)
    app_a, app_b = granted_application(employer=a, period=period), granted_application(employer=b, period=period)
    other = granted_application(period=period)
    login_verified(client, user)
    page = client.get("/account/").content.decode()
    assert app_a.reference in page and app_b.reference in page and other.reference not in page
    # Opening B's report switches the employer the account acts for.
    response = client.get(f"/account/verantwoording/{app_b.pk}/")
    assert response.status_code == 200
    assert client.session[SESSION_KEY] == b.pk
    client.get(f"/account/verantwoording/{app_a.pk}/")
    assert client.session[SESSION_KEY] == a.pk


def test_account_of_a_alone_gets_404_on_b_pages_R2(client, period):
    app_b = granted_application(period=period)
    user = MembershipFactory().user
    login_verified(client, user)
    assert client.get(f"/account/verantwoording/{app_b.pk}/").status_code == 404
    assert client.post(f"/account/verantwoording/{app_b.pk}/", {}).status_code == 404
    assert client.post(f"/account/verantwoording/{app_b.pk}/upload/", {}).status_code == 404
    assert client.get("/account/verantwoording/999999/").status_code == 404


def test_report_form_saves_and_shows_row_errors_R29(client, period):
    app = granted_application(period=period, registrations=[("A", None), ("C", Decimal("1500.00"))])
    a, c = app.registrations.order_by("pk")
    user = MembershipFactory(employer=app.employer, role=MembershipRole.ACCOUNTABILITY_OFFICER).user
    login_verified(client, user)
    bad = {f"started_{a.pk}": "yes", f"outcome_{a.pk}": "completed", f"started_{c.pk}": "yes", f"outcome_{c.pk}": "ongoing"}
    response = client.post(f"/account/verantwoording/{app.pk}/", bad)
    assert response.status_code == 400
    assert "role=\"alert\"" in response.content.decode()
    good = {**bad, f"actual_cost_{c.pk}": "1.234,50".replace(".", "")}
    response = client.post(f"/account/verantwoording/{app.pk}/", good)
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.outcome, c.actual_cost) == ("ongoing", Decimal("1234.50"))


def test_csv_upload_lists_every_bad_row_and_saves_nothing_R29(client, period):
    app = granted_application(period=period, registrations=[("A", None), ("C", Decimal("1500.00")), ("B", None)])
    a, c, b = app.registrations.order_by("pk")
    user = MembershipFactory(employer=app.employer).user
    login_verified(client, user)
    csv = f"id;started;outcome;actual_cost\n{a.pk};ja;completed;\n{c.pk};ja;;-5\n{b.pk};misschien;;\n"
    response = client.post(f"/account/verantwoording/{app.pk}/upload/",
                           {"file": SimpleUploadedFile("r.csv", csv.encode(), content_type="text/csv")})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<td>4</td><td>started</td>" in page  # line 4: started is neither yes nor no
    assert "<td>3</td><td>actual_cost</td>" in page and "<td>3</td><td>outcome</td>" in page  # every bad row
    assert not app.registrations.filter(started__isnull=False).exists()
    csv = f"id,started,outcome,actual_cost\n{a.pk},yes,completed,\n{c.pk},yes,dropped_out,-5\n{b.pk},no,,\n"
    response = client.post(f"/account/verantwoording/{app.pk}/upload/",
                           {"file": SimpleUploadedFile("r.csv", csv.encode(), content_type="text/csv")})
    assert response.status_code == 400
    assert "<td>3</td><td>actual_cost</td>" in response.content.decode()
    csv = f"id,started,outcome,actual_cost\n{a.pk},yes,completed,\n{c.pk},yes,dropped_out,\"800,00\"\n{b.pk},no,,\n"
    response = client.post(f"/account/verantwoording/{app.pk}/upload/",
                           {"file": SimpleUploadedFile("r.csv", csv.encode(), content_type="text/csv")})
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.started, c.outcome, c.actual_cost) == (True, "dropped_out", Decimal("800.00"))


def test_report_form_and_csv_read_amounts_with_the_one_dutch_parser_R13_R29(client, period):
    app = granted_application(period=period, registrations=[("A", None), ("C", Decimal("1500.00"))])
    a, c = app.registrations.order_by("pk")
    login_verified(client, MembershipFactory(employer=app.employer).user)
    form = {f"started_{a.pk}": "yes", f"outcome_{a.pk}": "completed", f"started_{c.pk}": "yes",
            f"outcome_{c.pk}": "ongoing", f"actual_cost_{c.pk}": "1.234"}
    response = client.post(f"/account/verantwoording/{app.pk}/", form)
    assert response.status_code == 400
    assert "Onduidelijk getal" in response.content.decode()  # refused with the reason, never guessed
    c.refresh_from_db()
    assert c.actual_cost is None
    response = client.post(f"/account/verantwoording/{app.pk}/", {**form, f"actual_cost_{c.pk}": "1.234,50"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.actual_cost == Decimal("1234.50")
    csv = f"id;started;outcome;actual_cost\n{a.pk};ja;completed;\n{c.pk};ja;ongoing;€ 1.100,25\n"
    response = client.post(f"/account/verantwoording/{app.pk}/upload/",
                           {"file": SimpleUploadedFile("r.csv", csv.encode(), content_type="text/csv")})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.actual_cost == Decimal("1100.25")
