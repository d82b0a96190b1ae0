from decimal import Decimal

import pytest

from budgets.models import Period
from tests.budgets.factories import PeriodFactory, RegionFactory
from tests.problems import problems

pytestmark = pytest.mark.django_db


def period_payload(**overrides):
    payload = {
        "number": 9,
        "applicationOpens": "2030-12-02T09:00:00+01:00",
        "applicationCloses": "2030-12-20T17:00:00+01:00",
        "trainingStartFrom": "2031-01-01",
        "trainingStartUntil": "2031-12-31",
        "accountabilityDeadline": "2033-07-01",
        "budgetLines": [{"earmark": "pooled", "ceiling": "1000000.00"}],
        "holdbackApplies": True,
        "holdbackPercent": "25.00",
        "advancePercent": "75.00",
        "retentionAllowed": False,
        "retentionMaxPercent": "50.00",
        "smallApplicationLimit": None,
        "oversubscriptionFloor": "0.00",
    }
    payload.update(overrides)
    return payload


def error_fields(response):
    return {e["field"] for e in problems(response)}


@pytest.mark.parametrize(
    "method,path",
    [("get", "/api/v2/regions"), ("get", "/api/v2/periods"), ("post", "/api/v2/periods"), ("patch", "/api/v2/periods/1")],
)
def test_anonymous_gets_401(api_client, method, path):
    PeriodFactory(number=1)
    response = getattr(api_client, method)(path, {}, format="json")
    assert response.status_code == 401
    assert problems(response)[0]["code"] == "not_authenticated"


def test_any_authenticated_user_reads_reference_data(client_for, plain_user):
    RegionFactory(code="rijnmond", name="Rijnmond")
    PeriodFactory(number=3, pooled=True)
    client = client_for(plain_user)
    regions = client.get("/api/v2/regions").json()
    assert regions["count"] == 1
    assert regions["results"][0] == {"code": "rijnmond", "name": "Rijnmond", "employerOrganisation": regions["results"][0]["employerOrganisation"]}
    periods = client.get("/api/v2/periods").json()["results"]
    assert periods[0]["number"] == 3
    assert periods[0]["budgetLines"] == [{"earmark": "pooled", "ceiling": "1000000.00"}]
    assert periods[0]["advancePercent"] == "75.00"
    assert periods[0]["applicationOpens"].endswith("Z")  # api.md v2: date-times in UTC with Z


@pytest.mark.parametrize("role_fixture", ["plain_user", "reviewer", "decider", "ministry_user"])
def test_non_staff_cannot_create_or_edit_periods(client_for, request, role_fixture):
    PeriodFactory(number=1)
    client = client_for(request.getfixturevalue(role_fixture))
    assert client.post("/api/v2/periods", period_payload(), format="json").status_code == 403
    assert client.patch("/api/v2/periods/1", {"advancePercent": "50.00"}, format="json").status_code == 403
    assert not Period.objects.filter(number=9).exists()


def test_staff_creates_a_period_with_rates(client_for, staff_user):
    response = client_for(staff_user).post("/api/v2/periods", period_payload(), format="json")
    assert response.status_code == 201, response.json()
    period = Period.objects.get(number=9)
    assert period.pooled and period.activity_rates.count() == 5
    assert response.json()["budgetLines"] == [{"earmark": "pooled", "ceiling": "1000000.00"}]


def test_staff_edits_a_period(client_for, staff_user):
    PeriodFactory(number=1)
    response = client_for(staff_user).patch(
        "/api/v2/periods/1",
        {"advancePercent": "80.00", "budgetLines": [{"earmark": "nursing_home", "ceiling": "10.00"}, {"earmark": "other", "ceiling": "20.00"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    period = Period.objects.get(number=1)
    assert period.advance_percent == Decimal("80.00")
    assert sorted(period.budget_lines.values_list("ceiling", flat=True)) == [Decimal("10.00"), Decimal("20.00")]


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"applicationCloses": "2030-12-01T09:00:00+01:00"}, "applicationCloses"),
        ({"applicationCloses": "2030-12-02T09:00:00+01:00"}, "applicationCloses"),
        ({"holdbackPercent": "101.00"}, "holdbackPercent"),
        ({"advancePercent": "-1.00"}, "advancePercent"),
        ({"retentionMaxPercent": "150"}, "retentionMaxPercent"),
        ({"budgetLines": [{"earmark": "pooled", "ceiling": "-5.00"}]}, "budgetLines[0].ceiling"),
        ({"budgetLines": [{"earmark": "pooled", "ceiling": "1.00"}, {"earmark": "other", "ceiling": "1.00"}]}, "budgetLines"),
        ({"budgetLines": []}, "budgetLines"),
        ({"trainingStartUntil": "2030-12-31"}, "trainingStartUntil"),
        ({"oversubscriptionFloor": "-1.00"}, "oversubscriptionFloor"),
        ({"applicationOpens": "not a date"}, "applicationOpens"),
    ],
)
def test_period_validation_names_the_field_and_saves_nothing(client_for, staff_user, overrides, field):
    response = client_for(staff_user).post("/api/v2/periods", period_payload(**overrides), format="json")
    assert response.status_code == 400
    assert field in error_fields(response), response.json()
    assert all(e["message"] for e in problems(response))
    assert not Period.objects.filter(number=9).exists()


@pytest.mark.parametrize("value", ["1111-11-11T11:11:11+01:00", "9999-12-31T23:59:59+00:00"])
@pytest.mark.parametrize("field", ["applicationOpens", "applicationCloses"])
def test_implausible_window_year_is_400_not_a_bad_offset_or_500_R38(client_for, staff_user, field, value):
    response = client_for(staff_user).post("/api/v2/periods", period_payload(**{field: value}), format="json")
    assert response.status_code == 400
    assert field in error_fields(response)
    assert not Period.objects.filter(number=9).exists()


def test_patch_validates_against_stored_values(client_for, staff_user):
    PeriodFactory(number=1)
    response = client_for(staff_user).patch("/api/v2/periods/1", {"applicationCloses": "2020-01-01T00:00:00+01:00"}, format="json")
    assert response.status_code == 400
    assert error_fields(response) == {"applicationCloses"}


def test_token_endpoint(api_client, plain_user):
    ok = api_client.post("/api/v2/auth/token", {"username": "plain", "password": "secret-pass-123"}, format="json")
    assert ok.status_code == 200 and ok.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {ok.json()['token']}")
    assert api_client.get("/api/v2/regions").status_code == 200
    bad = api_client.post("/api/v2/auth/token", {"username": "plain", "password": "wrong"}, format="json")
    assert bad.status_code == 400
    assert problems(bad)[0]["message"]


def test_page_size_is_capped_at_500(client_for, plain_user):
    for i in range(3):
        RegionFactory(code=f"r{i}", name=f"R{i}")
    body = client_for(plain_user).get("/api/v2/regions?pageSize=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
