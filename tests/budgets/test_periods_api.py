from decimal import Decimal

import pytest

from budgets.models import Period
from tests.budgets.factories import PeriodFactory, RegionFactory

pytestmark = pytest.mark.django_db


def period_payload(**overrides):
    payload = {
        "number": 9,
        "application_opens": "2030-12-02T09:00:00+01:00",
        "application_closes": "2030-12-20T17:00:00+01:00",
        "training_start_from": "2031-01-01",
        "training_start_until": "2031-12-31",
        "accountability_deadline": "2033-07-01",
        "budget_lines": [{"earmark": "pooled", "ceiling": "1000000.00"}],
        "holdback_applies": True,
        "holdback_percent": "25.00",
        "advance_percent": "75.00",
        "retention_allowed": False,
        "retention_max_percent": "50.00",
        "small_application_limit": None,
        "oversubscription_floor": "0.00",
    }
    payload.update(overrides)
    return payload


def error_fields(response):
    return {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize(
    "method,path",
    [("get", "/api/v1/regions/"), ("get", "/api/v1/periods/"), ("post", "/api/v1/periods/"), ("patch", "/api/v1/periods/1/")],
)
def test_anonymous_gets_401(api_client, method, path):
    PeriodFactory(number=1)
    response = getattr(api_client, method)(path, {}, format="json")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_any_authenticated_user_reads_reference_data(client_for, plain_user):
    RegionFactory(code="rijnmond", name="Rijnmond")
    PeriodFactory(number=3, pooled=True)
    client = client_for(plain_user)
    regions = client.get("/api/v1/regions/").json()
    assert regions["count"] == 1
    assert regions["results"][0] == {"code": "rijnmond", "name": "Rijnmond", "employer_organisation": regions["results"][0]["employer_organisation"]}
    periods = client.get("/api/v1/periods/").json()["results"]
    assert periods[0]["number"] == 3
    assert periods[0]["budget_lines"] == [{"earmark": "pooled", "ceiling": "1000000.00"}]
    assert periods[0]["advance_percent"] == "75.00"
    assert periods[0]["application_opens"].endswith("+01:00")


@pytest.mark.parametrize("role_fixture", ["plain_user", "reviewer", "decider", "ministry_user"])
def test_non_staff_cannot_create_or_edit_periods(client_for, request, role_fixture):
    PeriodFactory(number=1)
    client = client_for(request.getfixturevalue(role_fixture))
    assert client.post("/api/v1/periods/", period_payload(), format="json").status_code == 403
    assert client.patch("/api/v1/periods/1/", {"advance_percent": "50.00"}, format="json").status_code == 403
    assert not Period.objects.filter(number=9).exists()


def test_staff_creates_a_period_with_rates(client_for, staff_user):
    response = client_for(staff_user).post("/api/v1/periods/", period_payload(), format="json")
    assert response.status_code == 201, response.json()
    period = Period.objects.get(number=9)
    assert period.pooled and period.activity_rates.count() == 5
    assert response.json()["budget_lines"] == [{"earmark": "pooled", "ceiling": "1000000.00"}]


def test_staff_edits_a_period(client_for, staff_user):
    PeriodFactory(number=1)
    response = client_for(staff_user).patch(
        "/api/v1/periods/1/",
        {"advance_percent": "80.00", "budget_lines": [{"earmark": "nursing_home", "ceiling": "10.00"}, {"earmark": "other", "ceiling": "20.00"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    period = Period.objects.get(number=1)
    assert period.advance_percent == Decimal("80.00")
    assert sorted(period.budget_lines.values_list("ceiling", flat=True)) == [Decimal("10.00"), Decimal("20.00")]


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"application_closes": "2030-12-01T09:00:00+01:00"}, "application_closes"),
        ({"application_closes": "2030-12-02T09:00:00+01:00"}, "application_closes"),
        ({"holdback_percent": "101.00"}, "holdback_percent"),
        ({"advance_percent": "-1.00"}, "advance_percent"),
        ({"retention_max_percent": "150"}, "retention_max_percent"),
        ({"budget_lines": [{"earmark": "pooled", "ceiling": "-5.00"}]}, "budget_lines[0].ceiling"),
        ({"budget_lines": [{"earmark": "pooled", "ceiling": "1.00"}, {"earmark": "other", "ceiling": "1.00"}]}, "budget_lines"),
        ({"budget_lines": []}, "budget_lines"),
        ({"training_start_until": "2030-12-31"}, "training_start_until"),
        ({"oversubscription_floor": "-1.00"}, "oversubscription_floor"),
        ({"application_opens": "not a date"}, "application_opens"),
    ],
)
def test_period_validation_names_the_field_and_saves_nothing(client_for, staff_user, overrides, field):
    response = client_for(staff_user).post("/api/v1/periods/", period_payload(**overrides), format="json")
    assert response.status_code == 400
    assert field in error_fields(response), response.json()
    assert all(e["message"] for e in response.json()["errors"])
    assert not Period.objects.filter(number=9).exists()


@pytest.mark.parametrize("value", ["1111-11-11T11:11:11+01:00", "9999-12-31T23:59:59+00:00"])
@pytest.mark.parametrize("field", ["application_opens", "application_closes"])
def test_implausible_window_year_is_400_not_a_bad_offset_or_500_R38(client_for, staff_user, field, value):
    response = client_for(staff_user).post("/api/v1/periods/", period_payload(**{field: value}), format="json")
    assert response.status_code == 400
    assert field in error_fields(response)
    assert not Period.objects.filter(number=9).exists()


def test_patch_validates_against_stored_values(client_for, staff_user):
    PeriodFactory(number=1)
    response = client_for(staff_user).patch("/api/v1/periods/1/", {"application_closes": "2020-01-01T00:00:00+01:00"}, format="json")
    assert response.status_code == 400
    assert error_fields(response) == {"application_closes"}


def test_token_endpoint(api_client, plain_user):
    ok = api_client.post("/api/v1/auth/token/", {"username": "plain", "password": "secret-pass-123"}, format="json")
    assert ok.status_code == 200 and ok.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {ok.json()['token']}")
    assert api_client.get("/api/v1/regions/").status_code == 200
    bad = api_client.post("/api/v1/auth/token/", {"username": "plain", "password": "wrong"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["message"]


def test_page_size_is_capped_at_500(client_for, plain_user):
    for i in range(3):
        RegionFactory(code=f"r{i}", name=f"R{i}")
    body = client_for(plain_user).get("/api/v1/regions/?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
