"""R34/R37: the registrations table by focus and age band, its filters, CSV, ETag and query count."""

import csv
import io
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.applications.factories import EmployerFactory
from tests.problems import problems
from tests.statistics.conftest import add_registrations, application

URL = "/api/v2/statistics/trajectories"
pytestmark = pytest.mark.django_db


def rows_of(data):
    return {r["focus"]: (r["counts"], r["percentages"], r["total"]) for r in data["rows"]}


def test_national_table_has_exact_counts_row_percentages_and_totals_R34(client_for, ministry, dataset):
    response = client_for(ministry).get(URL)
    assert response.status_code == 200
    data = response.json()
    assert data["periods"] == [1, 2, 3]
    assert data["status"] == "registered"
    assert data["ageBands"] == ["<25", "25-45", "45-55", "55+"]
    assert [r["focus"] for r in data["rows"]] == ["new_intake", "redundancy_risk", "upskilling", "practice_supervisor"]
    assert rows_of(data) == {
        "new_intake": ([1, 2, 0, 0], [33, 67, 0, 0], 3),
        "redundancy_risk": ([0, 1, 0, 0], [0, 100, 0, 0], 1),
        "upskilling": ([0, 7, 1, 1], [0, 78, 11, 11], 9),
        "practice_supervisor": ([0, 0, 0, 2], [0, 0, 0, 100], 2),
    }
    assert data["totals"] == {"counts": [1, 10, 1, 3], "percentages": [7, 67, 7, 20], "total": 15}


def test_period_filter_and_half_up_rounding_R34(client_for, ministry, dataset):
    data = client_for(ministry).get(URL, {"period": 1}).json()
    assert data["periods"] == [1]
    assert rows_of(data) == {
        "new_intake": ([1, 2, 0, 0], [33, 67, 0, 0], 3),
        "upskilling": ([0, 7, 1, 0], [0, 88, 13, 0], 8),  # 87.5 -> 88, 12.5 -> 13
    }
    assert data["totals"]["counts"] == [1, 9, 1, 0] and data["totals"]["total"] == 11


def test_repeated_period_parameter_R34(client_for, ministry, dataset):
    data = client_for(ministry).get(f"{URL}?period=2&period=1").json()
    assert data["periods"] == [1, 2]
    assert data["totals"]["total"] == 15
    only2 = client_for(ministry).get(f"{URL}?period=2").json()
    assert only2["totals"] == {"counts": [0, 1, 0, 3], "percentages": [0, 25, 0, 75], "total": 4}


def test_region_filter_is_suppressed_as_in_the_region_breakdown_R34_R36(client_for, ministry, dataset):
    data = client_for(ministry).get(URL, {"region": "twente"}).json()
    breakdown = client_for(ministry).get(URL, {"groupBy": "region"}).json()
    twente = next(r for r in breakdown["regions"] if r["code"] == "twente")
    assert data["suppressed"] is True
    assert [(r["focus"], r["counts"], r["total"]) for r in data["rows"]] == [
        (r["focus"], r["counts"], r["total"]) for r in twente["rows"]]
    assert all(c is None or c == 0 or c >= 5 for r in data["rows"] for c in r["counts"])
    assert data["totals"]["total"] is None  # 4 people: suppressed


def test_earmark_filter_uses_the_employers_earmark_R34(client_for, ministry, dataset):
    other = client_for(ministry).get(URL, {"earmark": "other"}).json()
    assert rows_of(other) == {
        "new_intake": ([1, 2, 0, 0], [33, 67, 0, 0], 3),
        "upskilling": ([0, 7, 1, 1], [0, 78, 11, 11], 9),
    }
    nursing = client_for(ministry).get(URL, {"earmark": "nursing_home"}).json()
    assert nursing["totals"]["counts"] == [0, 1, 0, 2]


def test_status_started_and_completed_R34(client_for, ministry, dataset):
    started = client_for(ministry).get(URL, {"status": "started"}).json()
    assert started["status"] == "started"
    assert rows_of(started) == {
        "upskilling": ([0, 0, 0, 1], [0, 0, 0, 100], 1),
        "practice_supervisor": ([0, 0, 0, 2], [0, 0, 0, 100], 2),
    }
    completed = client_for(ministry).get(URL, {"status": "completed"}).json()
    assert completed["totals"] == {"counts": [0, 0, 0, 2], "percentages": [0, 0, 0, 100], "total": 2}


def test_filters_narrowing_to_a_region_never_show_a_count_of_one_R34_R36(client_for, ministry, dataset):
    """The audit's bypass: one region, an earmark and status completed showed a count of 1 unsuppressed."""
    data = client_for(ministry).get(URL, {"period": 2, "region": "twente", "status": "completed", "earmark": "other"})
    assert data.json()["totals"]["counts"] == [0, 0, 0, None] and data.json()["suppressed"] is True


@pytest.mark.parametrize(
    "params,field",
    [
        ({"period": "x"}, "period"),
        ({"period": 99}, "period"),
        ({"region": "nowhere"}, "region"),
        ({"earmark": "pooled"}, "earmark"),
        ({"status": "dead"}, "status"),
        ({"groupBy": "employer"}, "groupBy"),
        ({"format": "xml"}, "format"),
        ({"status": ["approved", "started"]}, "status"),
        ({"groupBy": ["region", "region"]}, "groupBy"),
        ({"region": ["twente", "rijnmond"]}, "region"),
    ],
)
def test_bad_filter_is_a_400_naming_the_field_R34(client_for, ministry, dataset, params, field):
    response = client_for(ministry).get(URL, params)
    assert response.status_code == 400
    assert field in {e["field"].split("[")[0] for e in problems(response)}


def test_csv_via_format_parameter_and_accept_header_R37(client_for, ministry, dataset):
    client = client_for(ministry)
    for response in (client.get(URL, {"format": "csv"}), client.get(URL, HTTP_ACCEPT="text/csv")):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(response.content.decode())))
        assert lines[0] == ["focus", "<25", "25-45", "45-55", "55+", "total",
                            "percentage <25", "percentage 25-45", "percentage 45-55", "percentage 55+"]
        assert lines[1] == ["new_intake", "1", "2", "0", "0", "3", "33", "67", "0", "0"]
        assert lines[-1] == ["total", "1", "10", "1", "3", "15", "7", "67", "7", "20"]
        assert len(lines) == 6


def test_csv_of_region_breakdown_has_region_columns_R37(client_for, ministry, dataset):
    response = client_for(ministry).get(URL, {"format": "csv", "groupBy": "region"})
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0][:3] == ["region", "region_name", "focus"] and lines[0][-1] == "suppressed"
    assert {line[0] for line in lines[1:]} == {"rijnmond", "twente"}


def test_csv_error_is_problem_details_too_R37(client_for, ministry, dataset):
    """api.md v2: every error is problem+json, also when the table was asked for as CSV."""
    response = client_for(ministry).get(URL, {"format": "csv", "status": "dead"})
    assert response.status_code == 400
    assert problems(response)[0]["field"] == "status"


@pytest.mark.parametrize("path", [URL, "/api/v2/statistics/budgets", "/api/v2/statistics/holdbacks"])
@pytest.mark.parametrize("params", [{"format": "csv"}, {"format": "csv", "groupBy": "region", "period": "0"}])
def test_options_with_csv_format_is_not_a_500_R37(client_for, ministry, dataset, path, params):
    response = client_for(ministry).options(f"{path}?{urlencode(params)}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[0] == "name,description"


def test_etag_and_cache_control_and_304_R34(client_for, ministry, dataset):
    client = client_for(ministry)
    first = client.get(URL)
    assert first["Cache-Control"] == "private, max-age=60"
    etag = first["ETag"]
    assert etag.startswith('"')
    again = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    other = client.get(URL, {"period": 1}, HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200 and other["ETag"] != etag
    csv_response = client.get(URL, {"format": "csv"}, HTTP_IF_NONE_MATCH=etag)
    assert csv_response.status_code == 200 and csv_response["ETag"] != etag
    # New data changes the tag.
    add_registrations(application(EmployerFactory(region=dataset["regions"][0]), dataset["periods"][0], "granted"),
                     1, focus="retention", band="<25", status="submitted")
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 200


def _grow(dataset, n_apps):
    p1, _p2 = dataset["periods"]
    for k in range(n_apps):
        app = application(EmployerFactory(region=dataset["regions"][k % 2]), p1, "granted")
        add_registrations(app, 7, focus=["upskilling", "retention", "new_intake"][k % 3], band=["<25", "55+"][k % 2],
                          started=True, outcome="completed")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"groupBy": "region"},
        {"period": [1, 2], "region": "twente"},
        {"status": "approved", "earmark": "other"},
        {"status": "completed", "groupBy": "region", "format": "csv"},
    ],
)
def test_query_count_does_not_grow_with_the_data_R34(client_for, ministry, dataset, params):
    client = client_for(ministry)
    client.get(URL, params)  # warm the user's role cache path the same way for both runs
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, params).status_code == 200
    _grow(dataset, 12)
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL, params).status_code == 200
    assert len(large) == len(small)
    assert len(small) <= 6
