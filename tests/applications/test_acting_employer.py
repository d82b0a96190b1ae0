"""R2: the employer travels with every portal form; a form opened for employer A and posted after switching to
employer B in another tab is refused with a Dutch explanation, and nothing is created or changed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounting.models import Invitation
from applications import services
from applications.constants import ApplicationStatus, MembershipRole
from applications.models import Application, PlanLine, Registration
from applications.portal import SESSION_KEY
from tests.accounting.factories import granted_application
from tests.applications.factories import (
    ApplicationFactory,
    EmployerFactory,
    MembershipFactory,
    PlanLineFactory,
    RegistrationFactory,
)
from tests.applications.test_portal import open_period  # noqa: F401 - fixture
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db

CSV_HEADER = "initials,surname,date_of_birth,focus,activity_type,start_date,end_date,contract_hours,employed_since,cost\n"


@pytest.fixture
def world(open_period):  # noqa: F811 - the fixture imported above
    """One account, contact of employer A ("Alfa Zorg") and employer B ("Beta Welzijn")."""
    open_period.accountability_deadline = timezone.localdate() + timedelta(days=60)
    open_period.save()
    a = EmployerFactory(name="Alfa Zorg")
    b = EmployerFactory(name="Beta Welzijn")
    user = MembershipFactory(employer=a, role=MembershipRole.CONTACT).user
    MembershipFactory(user=user, employer=b, role=MembershipRole.CONTACT)
    return {"user": user, "a": a, "b": b, "period": open_period}


def registration_data(**overrides):
    data = {
        "initials": "A.B.", "surname": "de Vries", "date_of_birth": "01-03-1990", "focus": "upskilling",
        "activity_type": "A", "start_date": "2027-02-01", "end_date": "2027-12-31", "contract_hours": "32",
        "employed_since": "2015-01-01", "cost": "",
    }
    data.update(overrides)
    return data


def _draft(world):
    """A draft with a plan line (and, for the delete route, a registration as v1 drafts had)."""
    application = ApplicationFactory(employer=world["a"], period=world["period"])
    PlanLineFactory(application=application)
    registration = RegistrationFactory(application=application)
    return application, registration


def _granted(world):
    """A granted application: registrations are registered on it (v2)."""
    application = ApplicationFactory(employer=world["a"], period=world["period"], status=ApplicationStatus.GRANTED,
                                     submitted_at=world["period"].application_opens, eligible_amount=Decimal("0.00"))
    registration = RegistrationFactory(application=application)
    return application, registration


def _plan(world):
    application, _registration = _draft(world)
    return {
        "url": reverse("portal:plan_edit", args=[application.pk]),
        "data": {"employer": world["a"].pk, "count_A_upskilling": "3", "count_B_new_intake": "1"},
        "state": lambda: list(PlanLine.objects.values_list("activity_type", "focus", "count")),
    }


def _new_application(world):
    return {
        "url": reverse("portal:application_create"),
        "data": {"employer": world["a"].pk, "period": world["period"].pk, "region": world["a"].region_id},
        "state": lambda: Application.objects.count(),
    }


def _add_registration(world):
    application, _registration = _granted(world)
    return {
        "url": reverse("portal:registration_add", args=[application.pk]),
        "data": registration_data(),
        "state": lambda: Registration.objects.count(),
    }


def _edit_registration(world):
    application, registration = _granted(world)
    return {
        "url": reverse("portal:registration_edit", args=[application.pk, registration.pk]),
        "data": registration_data(contract_hours="20"),
        "state": lambda: Registration.objects.values_list("surname", "contract_hours").get(pk=registration.pk),
    }


def _delete_registration(world):
    application, registration = _draft(world)
    return {
        "url": reverse("portal:registration_delete", args=[application.pk, registration.pk]),
        "data": {},
        "state": lambda: Registration.objects.filter(pk=registration.pk).exists(),
    }


def _import_registrations(world):
    application, _registration = _granted(world)
    row = "B.,Smit,1990-03-01,upskilling,A,2027-02-01,2027-12-31,32,2015-01-01,\n"
    return {
        "url": reverse("portal:registration_import", args=[application.pk]),
        "data": {"file": SimpleUploadedFile("p.csv", (CSV_HEADER + row).encode(), content_type="text/csv")},
        "state": lambda: Registration.objects.count(),
    }


def _submit(world):
    application, _registration = _draft(world)
    return {
        "url": reverse("portal:application_submit", args=[application.pk]),
        "data": {"confirm": "on"},
        "state": lambda: Application.objects.get(pk=application.pk).status,
    }


def _withdraw(world):
    application, _registration = _draft(world)
    services.application_submit(application=application, by=world["user"])
    return {
        "url": reverse("portal:application_withdraw", args=[application.pk]),
        "data": {"confirm": "on", "reason": "Plans changed"},
        "state": lambda: Application.objects.get(pk=application.pk).status,
    }


def _report(world):
    application = granted_application(employer=world["a"], period=world["period"])
    (registration,) = application.registrations.all()
    return {
        "url": reverse("accounting:report", args=[application.pk]),
        "data": {f"started_{registration.pk}": "yes", f"outcome_{registration.pk}": "completed"},
        "state": lambda: list(application.registrations.values_list("started", "outcome")),
    }


def _report_upload(world):
    application = granted_application(employer=world["a"], period=world["period"])
    (registration,) = application.registrations.all()
    text = f"id;started;outcome;actual_cost\n{registration.pk};ja;completed;\n"
    return {
        "url": reverse("accounting:report-upload", args=[application.pk]),
        "data": {"file": SimpleUploadedFile("r.csv", text.encode(), content_type="text/csv")},
        "state": lambda: list(application.registrations.values_list("started", "outcome")),
        "opened_from": reverse("accounting:report", args=[application.pk]),
    }


def _invitation(world):
    return {
        "url": reverse("accounting:invite"),
        "data": {"employer": world["a"].pk, "email": "nieuw@example.org", "role": MembershipRole.CONTACT},
        "state": lambda: Invitation.objects.count(),
    }


FORMS = {
    "new_application": _new_application,
    "plan": _plan,
    "add_registration": _add_registration,
    "edit_registration": _edit_registration,
    "delete_registration": _delete_registration,
    "import_registrations": _import_registrations,
    "submit": _submit,
    "withdraw": _withdraw,
    "accountability_report": _report,
    "accountability_upload": _report_upload,
    "invitation": _invitation,
}


def _act_for(client, employer):
    response = client.post(reverse("portal:choose_employer"), {"employer": employer.pk})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == employer.pk


@pytest.mark.parametrize("form", list(FORMS))
def test_form_for_employer_a_submitted_after_switching_to_b_is_refused_R2(client, world, form):
    case = FORMS[form](world)
    login_verified(client, world["user"])
    _act_for(client, world["a"])
    page = client.get(case.get("opened_from", case["url"]))  # tab 1: the form, opened for A
    assert page.status_code == 200
    assert client.session[SESSION_KEY] == world["a"].pk
    before = case["state"]()
    _act_for(client, world["b"])  # tab 2: switch to B

    response = client.post(case["url"], case["data"])  # tab 1: submit the form opened for A

    assert response.status_code == 409
    text = response.content.decode()
    assert "Dit formulier is ingevuld voor Alfa Zorg, maar u handelt nu namens Beta Welzijn" in text
    assert "Er is niets opgeslagen." in text
    assert case["state"]() == before
    assert client.session[SESSION_KEY] == world["b"].pk  # the form did not switch the employer back either
    assert not Application.objects.filter(employer=world["b"]).exists()


def test_new_application_form_carries_the_acting_employer_in_a_hidden_field_R2(client, world):
    login_verified(client, world["user"])
    _act_for(client, world["a"])
    page = client.get(reverse("portal:application_create")).content.decode()
    assert f'<input type="hidden" name="employer" value="{world["a"].pk}">' in page
    _act_for(client, world["b"])
    page = client.get(reverse("portal:application_create")).content.decode()
    assert f'<input type="hidden" name="employer" value="{world["b"].pk}">' in page


def test_acting_for_a_again_from_the_refusal_lets_the_form_through_R2(client, world):
    login_verified(client, world["user"])
    _act_for(client, world["b"])
    data = {"employer": world["a"].pk, "period": world["period"].pk, "region": world["a"].region_id}
    refused = client.post(reverse("portal:application_create"), data)
    assert refused.status_code == 409
    assert f'name="employer" value="{world["a"].pk}"' in refused.content.decode()  # the "act for A again" button
    client.post(reverse("portal:choose_employer"), {"employer": world["a"].pk, "next": reverse("portal:application_create")})
    response = client.post(reverse("portal:application_create"), data)
    assert response.status_code == 302
    assert Application.objects.get().employer == world["a"]


def test_new_application_without_the_employer_field_is_refused_R2(client, world):
    login_verified(client, world["user"])
    _act_for(client, world["a"])
    response = client.post(
        reverse("portal:application_create"), {"period": world["period"].pk, "region": world["a"].region_id}
    )
    assert response.status_code == 409
    assert "Dit formulier vermeldt niet voor welke werkgever het is ingevuld." in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.parametrize("value", ["stranger", "99999999999999999999", "abc"])
def test_form_naming_an_employer_one_is_not_linked_to_is_404_R2(client, world, value):
    stranger = EmployerFactory(name="Vreemde Zorg")
    login_verified(client, world["user"])
    _act_for(client, world["a"])
    employer = stranger.pk if value == "stranger" else value
    for url, data in [
        (reverse("portal:application_create"), {"period": world["period"].pk, "region": stranger.region_id}),
        (reverse("accounting:invite"), {"email": "x@example.org", "role": MembershipRole.CONTACT}),
    ]:
        response = client.post(url, {**data, "employer": employer})
        assert response.status_code == 404
        assert "Vreemde Zorg" not in response.content.decode()
    assert not Application.objects.exists() and not Invitation.objects.exists()


def test_reading_an_application_of_another_own_employer_still_switches_to_it_R2(client, world):
    application, _registration = _draft(world)
    login_verified(client, world["user"])
    _act_for(client, world["b"])
    assert client.get(reverse("portal:application_detail", args=[application.pk])).status_code == 200
    assert client.session[SESSION_KEY] == world["a"].pk


def test_a_user_with_one_employer_posts_without_choosing_R2(client, open_period):  # noqa: F811
    """The single employer is the acting one: nothing to mismatch."""
    user = MembershipFactory().user
    employer = user.memberships.get().employer
    application = ApplicationFactory(employer=employer, period=open_period)
    login_verified(client, user)
    response = client.post(reverse("portal:plan_edit", args=[application.pk]),
                           {"employer": employer.pk, "count_A_upskilling": "3"})
    assert response.status_code == 302
    assert application.plan_lines.get().requested_amount == Decimal("15000.00")
    assert application.status == ApplicationStatus.DRAFT
