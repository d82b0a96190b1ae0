"""R34 (second table): planned trajectories by focus x activity type from submitted plans; R36 when narrowed
to a region; R37 JSON and CSV."""

import csv
import io
from decimal import Decimal

import pytest

from applications.models import PlanLine
from tests.applications.factories import EmployerFactory, MembershipFactory
from tests.budgets.factories import PeriodFactory, RegionFactory
from tests.statistics.conftest import application

URL = "/api/v2/statistics/planned"
pytestmark = pytest.mark.django_db


def plan(app, lines):
    for activity, focus, count in lines:
        PlanLine.objects.create(application=app, activity_type=activity, focus=focus, count=count,
                                amount_per_trajectory=Decimal("5000.00"), requested_amount=Decimal(count * 5000))
    return app


@pytest.fixture
def plans():
    period = PeriodFactory(number=4)
    north, south = RegionFactory(code="noord"), RegionFactory(code="zuid")
    a = plan(application(EmployerFactory(region=north), period, "submitted"),
             [("A", "new_intake", 30), ("B", "upskilling", 2), ("D", "upskilling", 10)])
    plan(application(EmployerFactory(region=north), period, "granted"), [("A", "new_intake", 12), ("E", "upskilling", 1)])
    plan(application(EmployerFactory(region=south), period, "assessed"), [("C", "redundancy_risk", 7)])
    plan(application(EmployerFactory(region=south), period, "draft"), [("A", "new_intake", 500)])  # not submitted
    plan(application(EmployerFactory(region=south), period, "withdrawn"), [("A", "new_intake", 400)])
    return {"period": period, "app": a}


def rows_of(data):
    return {r["focus"]: (r["counts"], r["total"]) for r in data["rows"]}


def test_planned_table_sums_submitted_plan_lines_by_focus_and_activity_type_R34(client_for, ministry, plans):
    response = client_for(ministry).get(URL)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["activityTypes"] == ["A", "B", "C", "D", "E"] and data["periods"] == [4]
    assert rows_of(data) == {
        "new_intake": ([42, 0, 0, 0, 0], 42),
        "redundancy_risk": ([0, 0, 7, 0, 0], 7),
        "upskilling": ([0, 2, 0, 10, 1], 13),
    }
    assert data["totals"]["counts"] == [42, 2, 7, 10, 1] and data["totals"]["total"] == 62
    assert data["suppressed"] is False
    assert [r["percentages"] for r in data["rows"] if r["focus"] == "upskilling"] == [[0, 15, 0, 77, 8]]


def test_planned_table_narrowed_to_a_region_hides_small_counts_R36(client_for, ministry, plans):
    data = client_for(ministry).get(URL, {"region": "noord"}).json()
    assert data["suppressed"] is True
    counts = {r["focus"]: r["counts"] for r in data["rows"]}
    assert counts["new_intake"][0] == 42
    assert counts["upskilling"][1] is None and counts["upskilling"][4] is None  # 2 and 1 trajectories
    for row in [*data["rows"], data["totals"]]:
        assert not any(c is not None and 0 < c < 5 for c in row["counts"])
        assert row["total"] is None or not 0 < row["total"] < 5


def test_planned_table_as_csv_R37(client_for, ministry, plans):
    response = client_for(ministry).get(URL, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["focus", "A", "B", "C", "D", "E", "total"]
    assert rows[-1] == ["total", "42", "2", "7", "10", "1", "62"]


def test_planned_table_is_refused_to_employers_R40(client_for, plans):
    member = MembershipFactory(employer=plans["app"].employer).user
    assert client_for(member).get(URL).status_code == 403


def test_planned_table_counts_every_submitted_plan_not_drafts_or_withdrawn_R34(client_for, ministry, plans):
    """A submitted plan stays a submitted plan when it is later not considered, rejected or its grant lapses."""
    period, region = plans["period"], RegionFactory(code="west")
    for status, count in (("not_considered", 5), ("rejected", 6), ("lapsed", 8), ("settled", 9)):
        plan(application(EmployerFactory(region=region), period, status), [("B", "retention", count)])
    data = client_for(ministry).get(URL).json()
    assert rows_of(data)["retention"] == ([0, 28, 0, 0, 0], 28)
    assert data["totals"]["total"] == 62 + 28
