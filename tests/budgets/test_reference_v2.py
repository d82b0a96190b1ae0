"""Reference data v2 (R53, R1, R12, R16): the periods' cap per application, allocation method, decision term
and deadline calendar, through the seed, the periods API, the admin and the audit."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from budgets import reference_services
from budgets.models import Deadline, Period, ReferenceDataChange
from sectorplan.api.errors import camel_field
from tests.budgets.factories import PeriodFactory
from tests.support.otp import login_verified

from .test_admin import period_form
from .test_periods_api import error_fields, period_payload

pytestmark = pytest.mark.django_db

KINDS = ["agreement", "registration", "repair", "accountability"]


def calendar(period) -> dict:
    return dict(Deadline.objects.filter(period=period).values_list("kind", "date"))


def test_seed_gives_period_4_its_cap_and_every_period_a_full_calendar_R53_R12():
    call_command("seed_reference")
    p1, p4 = Period.objects.get(number=1), Period.objects.get(number=4)
    assert p4.application_cap == Decimal("2000000.00")
    assert p1.application_cap is None
    assert {p.allocation_method for p in Period.objects.all()} == {"pro_rata"}
    assert {p.decision_term_weeks for p in Period.objects.all()} == {13}
    for period in Period.objects.all():
        dates = calendar(period)
        assert sorted(dates, key=KINDS.index) == KINDS
        assert dates["accountability"] == period.accountability_deadline
        # Placeholders in the order the scheme runs them.
        assert dates["agreement"] < dates["registration"] < dates["repair"] < dates["accountability"]
        assert dates["registration"] > period.training_start_until


def test_seed_adds_missing_deadlines_but_keeps_edited_ones_R53():
    call_command("seed_reference")
    p3 = Period.objects.get(number=3)
    Deadline.objects.filter(period=p3, kind="repair").delete()
    Deadline.objects.filter(period=p3, kind="agreement").update(date=date(2019, 9, 1))
    call_command("seed_reference")
    assert calendar(p3)["repair"] == date(2020, 6, 1)
    assert calendar(p3)["agreement"] == date(2019, 9, 1)


def test_periods_api_shows_cap_method_term_and_calendar_in_order_R53(client_for, plain_user):
    PeriodFactory(
        number=4, application_cap=Decimal("2000000.00"), allocation_method="first_come", decision_term_weeks=10,
        accountability_deadline=date(2023, 7, 1),
        deadlines={"repair": date(2022, 6, 1), "agreement": date(2020, 5, 29), "registration": date(2022, 3, 1)},
    )
    (body,) = client_for(plain_user).get("/api/v2/periods").json()["results"]
    assert body["applicationCap"] == "2000000.00"
    assert body["allocationMethod"] == "first_come"
    assert body["decisionTermWeeks"] == 10
    assert body["deadlines"] == [
        {"kind": "agreement", "date": "2020-05-29"},
        {"kind": "registration", "date": "2022-03-01"},
        {"kind": "repair", "date": "2022-06-01"},
        {"kind": "accountability", "date": "2023-07-01"},
    ]


def test_period_created_through_the_api_with_its_calendar_is_audited_R53(client_for, staff_user):
    payload = period_payload(
        application_cap="2000000.00", allocation_method="first_come", decision_term_weeks=8,
        deadlines=[{"kind": "agreement", "date": "2031-06-01"}, {"kind": "repair", "date": "2032-06-01"}],
    )
    response = client_for(staff_user).post("/api/v2/periods", payload, format="json")
    assert response.status_code == 201, response.json()
    period = Period.objects.get(number=9)
    assert (period.application_cap, period.allocation_method, period.decision_term_weeks) == (
        Decimal("2000000.00"), "first_come", 8)
    assert calendar(period) == {
        "agreement": date(2031, 6, 1), "repair": date(2032, 6, 1), "accountability": date(2033, 7, 1),
    }
    audited = ReferenceDataChange.objects.filter(model="budgets.deadline")
    assert sorted(audited.values_list("action", flat=True)) == ["create"] * 3
    assert [k["kind"] for k in response.json()["deadlines"]] == ["agreement", "repair", "accountability"]


def test_accountability_date_in_the_calendar_sets_the_field_and_the_field_moves_the_row_R53(client_for, staff_user):
    period = PeriodFactory(number=1, accountability_deadline=date(2028, 7, 1))
    client = client_for(staff_user)
    response = client.patch(
        "/api/v2/periods/1", {"deadlines": [{"kind": "accountability", "date": "2029-01-15"}]}, format="json"
    )
    assert response.status_code == 200, response.json()
    period.refresh_from_db()
    assert period.accountability_deadline == date(2029, 1, 15)
    assert calendar(period) == {"accountability": date(2029, 1, 15)}
    response = client.patch("/api/v2/periods/1", {"accountability_deadline": "2029-03-01"}, format="json")
    assert response.status_code == 200, response.json()
    assert calendar(period) == {"accountability": date(2029, 3, 1)}
    change = ReferenceDataChange.objects.filter(model="budgets.deadline").latest("id")
    assert change.changes == {"date": {"old": "2029-01-15", "new": "2029-03-01"}}


def test_deadlines_replace_the_other_kinds_but_never_drop_accountability_R53(client_for, staff_user):
    period = PeriodFactory(number=1, deadlines={"agreement": date(2026, 6, 1), "repair": date(2027, 6, 1)})
    response = client_for(staff_user).patch(
        "/api/v2/periods/1", {"deadlines": [{"kind": "registration", "date": "2027-03-01"}]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert calendar(period) == {"registration": date(2027, 3, 1), "accountability": period.accountability_deadline}
    deleted = ReferenceDataChange.objects.filter(model="budgets.deadline", action="delete")
    assert deleted.count() == 2


@pytest.mark.parametrize(
    "payload",
    [
        {"deadlines": [{"kind": "agreement", "date": "2026-06-01"}, {"kind": "agreement", "date": "2026-07-01"}]},
        {"deadlines": [{"kind": "extension", "date": "2026-06-01"}]},
        {"deadlines": [{"kind": "agreement", "date": "01-06-2026"}]},
        {"accountability_deadline": "2029-01-01", "deadlines": [{"kind": "accountability", "date": "2029-02-01"}]},
    ],
)
def test_bad_calendar_is_refused_naming_deadlines_and_changes_nothing_R53_R38(client_for, staff_user, payload):
    period = PeriodFactory(number=1)
    before = calendar(period)
    response = client_for(staff_user).patch("/api/v2/periods/1", payload, format="json")
    assert response.status_code == 400
    assert any(field.startswith("deadlines") for field in error_fields(response))
    assert calendar(period) == before
    assert not ReferenceDataChange.objects.exists()


@pytest.mark.parametrize(
    "field,value",
    [("application_cap", "-1.00"), ("allocation_method", "lottery"), ("decision_term_weeks", 0)],
)
def test_bad_cap_method_or_term_is_refused_naming_the_field_R38(client_for, staff_user, field, value):
    PeriodFactory(number=1)
    response = client_for(staff_user).patch("/api/v2/periods/1", {field: value}, format="json")
    assert response.status_code == 400
    assert camel_field(field) in error_fields(response)


def test_creating_a_period_needs_an_accountability_date_one_way_or_the_other_R53(client_for, staff_user):
    payload = period_payload()
    del payload["accountabilityDeadline"]
    response = client_for(staff_user).post("/api/v2/periods", payload, format="json")
    assert response.status_code == 400
    assert "accountabilityDeadline" in error_fields(response)
    payload["deadlines"] = [{"kind": "accountability", "date": "2033-07-01"}]
    response = client_for(staff_user).post("/api/v2/periods", payload, format="json")
    assert response.status_code == 201, response.json()
    assert Period.objects.get(number=9).accountability_deadline == date(2033, 7, 1)


def test_admin_edits_the_calendar_through_the_service_and_keeps_accountability_R53(client, staff_user):
    login_verified(client, staff_user)
    period = PeriodFactory(number=1, pooled=True, deadlines={"agreement": date(2026, 6, 1)})
    (agreement,) = period.deadlines.filter(kind="agreement")
    data = period_form(
        period, application_cap="2000000.00",
        deadlines=[{"id": agreement.pk, "kind": "agreement", "date": "2026-07-01"},
                   {"kind": "repair", "date": "2027-06-01"}],
    )
    response = client.post(reverse("admin:budgets_period_change", args=[period.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    period.refresh_from_db()
    assert period.application_cap == Decimal("2000000.00")
    assert calendar(period) == {
        "agreement": date(2026, 7, 1), "repair": date(2027, 6, 1), "accountability": period.accountability_deadline,
    }
    assert ReferenceDataChange.objects.filter(model="budgets.deadline", actor=staff_user).count() == 2


def test_calendar_rules_are_one_function_for_api_and_admin_R53():
    with pytest.raises(ValidationError) as caught:
        reference_services.deadlines_check([{"kind": "repair", "date": date(2027, 1, 1)}] * 2)
    assert "deadlines" in caught.value.message_dict
