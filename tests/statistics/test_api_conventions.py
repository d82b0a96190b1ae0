"""API v2 conventions on the ministry's tables: camelCase query keys, snake_case enumeration values, problem
details also when CSV was asked for (shared/api.md v2, "Conventions")."""

import pytest

from tests.problems import problem

pytestmark = pytest.mark.django_db


def test_group_by_query_key_is_camel_case_and_names_the_key_when_wrong(client_for, ministry, dataset):
    body = client_for(ministry).get("/api/v2/statistics/trajectories", {"groupBy": "region"}).json()
    assert "regions" in body and "ageBands" in body
    response = client_for(ministry).get("/api/v2/statistics/trajectories", {"groupBy": "employer"})
    assert response.status_code == 400
    assert [p["name"] for p in problem(response)["invalidParams"]] == ["groupBy"]


def test_enumeration_values_stay_snake_case(client_for, ministry, dataset):
    body = client_for(ministry).get("/api/v2/statistics/trajectories").json()
    assert "new_intake" in [row["focus"] for row in body["rows"]]


def test_an_error_of_a_csv_table_is_problem_json(client_for, ministry, dataset):
    response = client_for(ministry).get("/api/v2/statistics/trajectories", {"format": "csv", "period": "0"})
    assert response.status_code == 400
    assert problem(response)["invalidParams"][0]["name"].startswith("period")
