"""The employer portal and the office's queue and review pages (issue #3, point 7; R2, R5-R15, R38, R39)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import registrations, services
from applications.constants import ApplicationStatus, Focus, MembershipRole
from applications.models import Application, Registration
from applications.portal import SESSION_KEY
from tests.applications.factories import (
    ApplicationFactory,
    EmployerFactory,
    MembershipFactory,
    PlanLineFactory,
    RegistrationFactory,
)
from tests.budgets.factories import PeriodFactory
from tests.support.otp import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_period():
    now = timezone.now()
    return PeriodFactory(
        number=7,
        application_opens=now - timedelta(days=1),
        application_closes=now + timedelta(days=1),
        training_start_from=date(2027, 1, 1),
        training_start_until=date(2027, 12, 31),
    )


@pytest.fixture
def contact():
    membership = MembershipFactory(user__username="contact", employer__name="Zorggroep Noord")
    return membership.user


@pytest.fixture
def employer(contact):
    return contact.memberships.get().employer


@pytest.fixture
def client_as(client):
    """A logged-in client reading the English source strings (the Dutch catalogue is the lead's)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def login(user):
        login_verified(client, user)
        return client

    return login


@pytest.fixture
def draft(employer, open_period, contact):
    return services.application_create(employer=employer, region=employer.region, period=open_period, by=contact)


@pytest.fixture
def granted_app(employer, open_period):
    """v2: registrations (proto-registrations) are registered on a granted application."""
    return ApplicationFactory(employer=employer, period=open_period, status=ApplicationStatus.GRANTED,
                              submitted_at=open_period.application_opens, eligible_amount=Decimal("0.00"))


def registration_data(**overrides):
    data = {
        "initials": "A.B.",
        "surname": "de Vries",
        "date_of_birth": "1990-03-01",
        "focus": "upskilling",
        "activity_type": "A",
        "start_date": "2027-02-01",
        "end_date": "2027-12-31",
        "contract_hours": "32",
        "employed_since": "2015-01-01",
        "cost": "",
    }
    data.update(overrides)
    return data


# --- log in and the acting employer (R2) ------------------------------------------------------


def test_login_with_username_and_password_reaches_the_portal(client, contact):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(reverse("login"), {"username": "contact", "password": "secret-pass-123"})
    assert response.status_code == 302
    response = client.get(reverse("portal:home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:application_list")


def test_login_with_wrong_password_shows_error_summary(client, contact):
    response = client.post(reverse("login"), {"username": "contact", "password": "wrong"})
    assert response.status_code == 200
    assert b'class="error-summary"' in response.content


def test_single_employer_becomes_the_acting_employer_and_is_shown_R2(client_as, contact, employer):
    client = client_as(contact)
    response = client.get(reverse("portal:application_list"))
    assert response.status_code == 200
    assert client.session[SESSION_KEY] == employer.pk
    assert "Zorggroep Noord" in response.content.decode()
    assert f"KvK {employer.kvk_number}" in response.content.decode()


def test_user_with_two_employers_chooses_and_switches_R2(client_as, contact, employer, open_period):
    other = EmployerFactory(name="Thuiszorg Zuid")
    MembershipFactory(user=contact, employer=other)
    ApplicationFactory(employer=other, period=open_period)
    client = client_as(contact)
    response = client.get(reverse("portal:application_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("portal:choose_employer"))

    response = client.post(reverse("portal:choose_employer"), {"employer": other.pk})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == other.pk
    page = client.get(reverse("portal:application_list")).content.decode()
    assert "Thuiszorg Zuid" in page and "Switch employer" in page

    client.post(reverse("portal:choose_employer"), {"employer": employer.pk})
    assert client.session[SESSION_KEY] == employer.pk


def test_choosing_an_employer_one_is_not_member_of_is_refused_R2(client_as, contact, employer):
    stranger = EmployerFactory()
    client = client_as(contact)
    response = client.post(reverse("portal:choose_employer"), {"employer": stranger.pk})
    assert response.status_code == 400
    assert stranger.name not in response.content.decode()
    assert client.session.get(SESSION_KEY) != stranger.pk


def test_list_shows_only_the_acting_employers_applications_R2(client_as, contact, employer, open_period):
    own = ApplicationFactory(employer=employer, period=open_period)
    foreign = ApplicationFactory(period=open_period)
    page = client_as(contact).get(reverse("portal:application_list")).content.decode()
    assert own.reference in page
    assert foreign.reference not in page


# --- creating and filling an application ------------------------------------------------------


def test_create_application_for_open_period_defaults_to_employer_region_R5(client_as, contact, employer, open_period):
    client = client_as(contact)
    page = client.get(reverse("portal:application_create")).content.decode()
    assert f'value="{employer.region_id}" selected' in page
    response = client.post(reverse("portal:application_create"), {"employer": employer.pk, "period": open_period.pk, "region": employer.region_id})
    application = Application.objects.get(employer=employer)
    assert response.status_code == 302
    assert response.url == reverse("portal:plan_edit", args=[application.pk])  # next: fill in the plan
    assert application.status == ApplicationStatus.DRAFT


def test_second_application_same_region_and_period_shows_error_R5(client_as, contact, employer, open_period, draft):
    response = client_as(contact).post(
        reverse("portal:application_create"), {"employer": employer.pk, "period": open_period.pk, "region": employer.region_id}
    )
    assert response.status_code == 400
    assert "already has an application" in response.content.decode()
    assert Application.objects.filter(employer=employer).count() == 1


def test_create_for_a_closed_period_is_refused_R6(client_as, contact, employer):
    closed = PeriodFactory(number=3)  # window in 2025
    response = client_as(contact).post(
        reverse("portal:application_create"), {"employer": employer.pk, "period": closed.pk, "region": employer.region_id}
    )
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_add_registration_with_field_errors_saves_nothing_R38(client_as, contact, granted_app):
    url = reverse("portal:registration_add", args=[granted_app.pk])
    response = client_as(contact).post(url, registration_data(end_date="2027-01-01", date_of_birth="not a date"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert 'href="#id_date_of_birth"' in page
    assert not Registration.objects.exists()


def test_add_registration_rule_error_from_service_is_shown_on_the_field_R11(client_as, contact, granted_app):
    url = reverse("portal:registration_add", args=[granted_app.pk])
    response = client_as(contact).post(url, registration_data(start_date="2030-01-01", end_date="2030-02-01"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_start_date"' in page
    assert 'id="id_start_date_error"' in page
    assert not Registration.objects.exists()


def test_add_registration_shows_amount_in_matrix_in_dutch_notation_R12(client_as, contact, granted_app):
    client = client_as(contact)
    response = client.post(reverse("portal:registration_add", args=[granted_app.pk]), registration_data())
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.amount == Decimal("5000.00")
    page = client.get(reverse("portal:application_detail", args=[granted_app.pk])).content.decode()
    assert "de Vries" in page
    assert "€ 5.000,00" in page
    assert 'class="matrix"' in page


def test_requested_matrix_sums_by_focus_and_age_band(draft):
    from applications.views import requested_matrix

    RegistrationFactory(application=draft, focus="upskilling", age_band="<25", amount=Decimal("5000.00"))
    RegistrationFactory(application=draft, focus="upskilling", age_band="<25", amount=Decimal("2000.00"))
    RegistrationFactory(application=draft, focus="new_intake", age_band="55+", amount=Decimal("500.00"))
    matrix = requested_matrix(draft)
    upskilling = next(r for r in matrix["rows"] if r["focus"] == Focus.UPSKILLING.label)
    assert upskilling["cells"][0] == {"amount": Decimal("7000.00"), "n": 2}
    assert matrix["total"] == Decimal("7500.00")
    assert matrix["n"] == 3
    assert matrix["totals"][3] == {"amount": Decimal("500.00"), "n": 1}


def test_edit_and_delete_registration(client_as, contact, granted_app):
    client = client_as(contact)
    registrations.registrations_add(
        application=granted_app,
        rows=[{**registration_data(), "date_of_birth": date(1990, 3, 1), "start_date": date(2027, 2, 1),
               "end_date": date(2027, 12, 31), "employed_since": date(2015, 1, 1), "contract_hours": Decimal(32),
               "cost": None}],
        by=contact,
    )
    registration = Registration.objects.get()
    response = client.post(
        reverse("portal:registration_edit", args=[granted_app.pk, registration.pk]), registration_data(contract_hours="20")
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.amount == Decimal("2000.00")
    response = client.post(reverse("portal:registration_delete", args=[granted_app.pk, registration.pk]))
    assert response.status_code == 302
    assert Registration.objects.exists()  # a granted application's registrations are kept (R39)


def test_accountability_officer_sees_read_only_R2(client_as, employer, draft):
    officer = MembershipFactory(employer=employer, role=MembershipRole.ACCOUNTABILITY_OFFICER).user
    client = client_as(officer)
    page = client.get(reverse("portal:application_detail", args=[draft.pk])).content.decode()
    assert reverse("portal:registration_add", args=[draft.pk]) not in page
    # R47: members of either role register, but only on a granted application (this is a draft): sent back
    assert client.post(reverse("portal:registration_add", args=[draft.pk]), registration_data()).status_code == 302
    assert client.post(reverse("portal:application_submit", args=[draft.pk]), {"confirm": "on"}).status_code == 403
    assert not Registration.objects.exists()


# --- submit, withdraw, timeline ---------------------------------------------------------------


def test_submit_needs_the_confirmation_that_it_is_final_R7(client_as, contact, draft):
    PlanLineFactory(application=draft)
    client = client_as(contact)
    url = reverse("portal:application_submit", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "Submitting is final." in page
    response = client.post(url, {})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED


def test_submitted_application_can_no_longer_be_changed_R7(client_as, contact, draft):
    PlanLineFactory(application=draft)
    services.application_submit(application=draft, by=contact)
    client = client_as(contact)
    response = client.post(reverse("portal:plan_edit", args=[draft.pk]),
                           {"employer": draft.employer_id, "count_B_upskilling": "4"}, follow=True)
    assert "final and can no longer be changed" in response.content.decode()
    assert list(draft.plan_lines.values_list("activity_type", "count")) == [("A", 2)]
    assert client.get(reverse("portal:application_submit", args=[draft.pk])).status_code == 302


def test_submit_without_plan_lines_shows_service_error_R8(client_as, contact, draft):
    response = client_as(contact).post(reverse("portal:application_submit", args=[draft.pk]), {"confirm": "on"})
    assert response.status_code == 400
    assert "at least one plan line" in response.content.decode()


def test_submit_after_window_closes_shows_when_the_window_was_R6(client_as, contact, draft, open_period):
    PlanLineFactory(application=draft)
    open_period.application_closes = timezone.now() - timedelta(minutes=1)
    open_period.application_opens = timezone.now() - timedelta(days=3)
    open_period.save()
    response = client_as(contact).post(reverse("portal:application_submit", args=[draft.pk]), {"confirm": "on"})
    assert response.status_code == 400
    assert "window has closed" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_withdraw_with_confirmation_and_timeline_R7_R39(client_as, contact, draft):
    PlanLineFactory(application=draft)
    services.application_submit(application=draft, by=contact)
    client = client_as(contact)
    url = reverse("portal:application_withdraw", args=[draft.pk])
    assert client.post(url, {"reason": "Plans changed"}).status_code == 400
    response = client.post(url, {"reason": "Plans changed", "confirm": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.WITHDRAWN
    page = client.get(reverse("portal:application_detail", args=[draft.pk])).content.decode()
    assert "Plans changed" in page
    assert page.count("<td>contact</td>") == 3  # created, submitted, withdrawn: who did it


# --- another employer's application is a 404 everywhere (R2) ----------------------------------

EMPLOYER_PAGES = [
    ("portal:application_detail", False),
    ("portal:registration_add", False),
    ("portal:registration_import", False),
    ("portal:registration_edit", True),
    ("portal:registration_delete", True),
    ("portal:application_submit", False),
    ("portal:application_withdraw", False),
]


@pytest.mark.parametrize(("name", "with_registration"), EMPLOYER_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_employers_application_is_404_on_every_page_R2(client_as, contact, open_period, name, with_registration, method):
    foreign = ApplicationFactory(period=open_period)
    registration = RegistrationFactory(application=foreign)
    args = [foreign.pk, registration.pk] if with_registration else [foreign.pk]
    response = getattr(client_as(contact), method)(reverse(name, args=args))
    assert response.status_code == 404
    assert Registration.objects.filter(pk=registration.pk).exists()
    foreign.refresh_from_db()
    assert foreign.status == ApplicationStatus.DRAFT


def test_a_registration_of_another_application_is_404_R2(client_as, contact, granted_app, open_period):
    foreign_registration = RegistrationFactory(application=ApplicationFactory(period=open_period))
    response = client_as(contact).get(reverse("portal:registration_edit", args=[granted_app.pk, foreign_registration.pk]))
    assert response.status_code == 404


def test_office_user_without_membership_gets_404_on_employer_pages_R2(client_as, reviewer, draft):
    response = client_as(reviewer).get(reverse("portal:application_detail", args=[draft.pk]))
    assert response.status_code == 404


def test_opening_an_application_of_another_own_employer_switches_acting_employer_R2(client_as, contact, open_period):
    second = MembershipFactory(user=contact).employer
    application = ApplicationFactory(employer=second, period=open_period)
    client = client_as(contact)
    client.post(reverse("portal:choose_employer"), {"employer": contact.memberships.first().employer_id})
    response = client.get(reverse("portal:application_detail", args=[application.pk]))
    assert response.status_code == 200
    assert client.session[SESSION_KEY] == second.pk
    assert f"KvK {second.kvk_number}" in response.content.decode()


# --- office pages (R15) -----------------------------------------------------------------------


@pytest.fixture
def submitted(open_period):
    employer = EmployerFactory(name="Verpleeghuis De Linde", kvk_number="55667788")
    application = ApplicationFactory(employer=employer, period=open_period, submitted=True)
    PlanLineFactory(application=application, activity_type="A", count=1)
    PlanLineFactory(application=application, activity_type="C", count=2, planned_cost=Decimal("1000.00"),
                    amount_per_trajectory=Decimal("1000.00"))
    return application


def test_office_pages_are_403_for_non_office_users_R4(client_as, contact, submitted):
    """One answer for office pages a role may not open: 403 (these answered 404, the budget pages 403)."""
    client = client_as(contact)
    assert client.get(reverse("portal:office_queue")).status_code == 403
    assert client.get(reverse("portal:office_review", args=[submitted.pk])).status_code == 403
    assert client.post(reverse("portal:office_review", args=[submitted.pk]), {}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED


def test_office_queue_search_by_reference_and_kvk_and_filter(client_as, reviewer, submitted, open_period):
    other = ApplicationFactory(period=open_period, submitted=True)
    draft = ApplicationFactory(period=open_period)
    client = client_as(reviewer)
    page = client.get(reverse("portal:office_queue")).content.decode()
    assert submitted.reference in page and other.reference in page
    assert draft.reference not in page

    page = client.get(reverse("portal:office_queue"), {"q": submitted.reference}).content.decode()
    assert submitted.reference in page and other.reference not in page
    page = client.get(reverse("portal:office_queue"), {"q": "55667788"}).content.decode()
    assert submitted.reference in page and other.reference not in page

    page = client.get(reverse("portal:office_queue"), {"status": "assessed", "period": open_period.number}).content.decode()
    assert submitted.reference not in page
    response = client.get(reverse("portal:office_queue"), {"sort": "-requested_amount", "period": "999"})
    assert response.status_code == 200  # bad filter input is an error message, not a 500


def test_reviewer_gives_eligible_count_per_plan_line_and_sees_eligible_amount_R15(client_as, reviewer, submitted):
    first, second = submitted.plan_lines.order_by("activity_type")
    client = client_as(reviewer)
    url = reverse("portal:office_review", args=[submitted.pk])
    page = client.get(url).content.decode()
    assert f'<label for="eligible_{second.pk}">' in page and f'<label for="reason_{second.pk}">' in page
    response = client.post(url, {f"eligible_{first.pk}": "1", f"eligible_{second.pk}": "1", f"reason_{second.pk}": ""})
    assert response.status_code == 400
    assert f'href="#reason_{second.pk}"' in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED

    response = client.post(
        url, {f"eligible_{first.pk}": "1", f"eligible_{second.pk}": "1", f"reason_{second.pk}": "Not employed"}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.ASSESSED
    assert submitted.eligible_amount == Decimal("6000.00")  # 1 x 5,000 + 1 x 1,000
    page = client.get(url).content.decode()
    assert "€ 6.000,00" in page and "Not employed" in page


def test_decider_sees_review_read_only_R4(client_as, decider, submitted):
    client = client_as(decider)
    url = reverse("portal:office_review", args=[submitted.pk])
    assert client.get(url).status_code == 200
    first = submitted.plan_lines.first()
    assert client.post(url, {f"eligible_{first.pk}": "1"}).status_code == 403


def test_review_of_unknown_application_is_404(client_as, reviewer):
    assert client_as(reviewer).get(reverse("portal:office_review", args=[999999])).status_code == 404


def test_personal_data_is_not_logged_on_rejected_import(caplog, client_as, contact, granted_app):
    """R40: the portal logs counts, never names or dates of birth."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = (
        b"initials,surname,date_of_birth,focus,activity_type,start_date,end_date,contract_hours,employed_since,cost\n"
        b"Q.,Geheimnaam,1990-03-01,upskilling,Z,2027-02-01,2027-12-31,32,2015-01-01,\n"
    )
    with caplog.at_level("DEBUG"):
        response = client_as(contact).post(
            reverse("portal:registration_import", args=[granted_app.pk]),
            {"file": SimpleUploadedFile("p.csv", content, content_type="text/csv")},
        )
    assert response.status_code == 400
    assert "Geheimnaam" not in caplog.text
    assert "1990-03-01" not in caplog.text


# --- registration file upload (R13) ------------------------------------------------------------

CSV_HEADER = "initials,surname,date_of_birth,focus,activity_type,start_date,end_date,contract_hours,employed_since,cost\n"


def _upload(client, application, text, name="deelnemers.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("portal:registration_import", args=[application.pk]),
        {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
    )


def test_upload_with_bad_rows_lists_every_row_error_and_saves_nothing_R13(client_as, contact, granted_app):
    text = (
        CSV_HEADER
        + "A.,Bakker,1990-03-01,upskilling,A,2027-02-01,2027-12-31,32,2015-01-01,\n"
        + "B.,Smit,1990-03-01,upskilling,Z,2027-02-01,2027-12-31,32,2015-01-01,\n"
        + "C.,Visser,1990-03-01,upskilling,A,2027-02-01,2026-12-31,32,2015-01-01,\n"
    )
    response = _upload(client_as(contact), granted_app, text)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="errors-table"' in page
    assert '<td class="num">3</td>' in page and '<td class="num">4</td>' in page
    assert 'href="#id_file"' in page
    assert not Registration.objects.exists()


def test_upload_of_a_good_file_adds_all_registrations_R13(client_as, contact, granted_app):
    text = (
        CSV_HEADER
        + "A.,Bakker,1990-03-01,upskilling,A,2027-02-01,2027-12-31,32,2015-01-01,\n"
        + "B.,Smit,1960-03-01,new_intake,C,2027-02-01,2027-12-31,20,2026-06-01,1500.50\n"
    )
    response = _upload(client_as(contact), granted_app, text)
    assert response.status_code == 302
    assert Registration.objects.filter(application=granted_app).count() == 2
    assert sum(granted_app.registrations.values_list("amount", flat=True)) == Decimal("6500.50")


def test_upload_of_a_wrong_file_type_is_a_field_error(client_as, contact, granted_app):
    response = _upload(client_as(contact), granted_app, "hello", name="notes.txt")
    assert response.status_code == 400
    assert 'id="id_file_error"' in response.content.decode()


def test_r38_registration_form_round_trips_dates_as_day_month_and_year(client_as, contact, granted_app):
    """Issue 15 item 4: the form asks dates in three parts, in a fieldset; posted parts are saved and shown back."""
    client = client_as(contact)
    add = reverse("portal:registration_add", args=[granted_app.pk])
    page = client.get(add).content.decode()
    assert '<legend>Date of birth</legend>' in page
    assert 'name="date_of_birth_day"' in page and 'type="date"' not in page
    data = registration_data()
    for name, (day, month, year) in {"date_of_birth": ("17", "5", "1990"), "start_date": ("1", "2", "2027"),
                                     "end_date": ("31", "12", "2027"), "employed_since": ("1", "1", "2015")}.items():
        del data[name]
        data.update({f"{name}_day": day, f"{name}_month": month, f"{name}_year": year})
    refused = {**data, "date_of_birth_day": "31", "date_of_birth_month": "2"}
    response = client.post(add, refused, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Geboortedatum: Die datum bestaat niet; controleer de dag en de maand." in page
    assert 'href="#id_date_of_birth"' in page and 'value="31"' in page
    assert not Registration.objects.exists()
    assert client.post(add, data).status_code == 302
    registration = Registration.objects.get()
    saved = (registration.date_of_birth, registration.start_date, registration.end_date, registration.employed_since)
    assert saved == (date(1990, 5, 17), date(2027, 2, 1), date(2027, 12, 31), date(2015, 1, 1))
    page = client.get(reverse("portal:registration_edit", args=[granted_app.pk, registration.pk])).content.decode()
    for name, value in (("date_of_birth_day", "17"), ("date_of_birth_month", "5"), ("date_of_birth_year", "1990")):
        assert f'name="{name}" value="{value}"' in page
