"""R34 (api.md, the trajectories table): which registrations each table status counts, under every filter, and
R36 on the same data when broken down by region. The expected figures are counted here in Python from the rows,
independently of the selector's ``GROUP BY``."""

import random
from collections import Counter

import pytest

from applications.constants import RegistrationStatus
from applications.models import Registration
from tests.applications.factories import EmployerFactory
from tests.budgets.factories import PeriodFactory, RegionFactory
from tests.statistics.conftest import add_registrations, application

URL = "/api/v2/statistics/trajectories"
BANDS = ["<25", "25-45", "45-55", "55+"]
pytestmark = pytest.mark.django_db


def totals(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:300]
    return response.json()["totals"]


# --- each registration status, one at a time ------------------------------------------------------------------

#: Which table statuses count a registration in each lifecycle status, reported started and completed (api.md).
COUNTED_IN = {
    "draft": set(),
    "submitted": {"registered"},
    "repair_requested": {"registered"},
    "approved": {"registered", "approved", "started", "completed"},
    "rejected": set(),
}


@pytest.mark.parametrize("registration_status", RegistrationStatus.values)
def test_R34_each_registration_status_is_counted_as_api_md_says(client_for, ministry, registration_status):
    assert set(COUNTED_IN) == set(RegistrationStatus.values)
    app = application(EmployerFactory(region=RegionFactory(code="noord")), PeriodFactory(number=1), "granted")
    add_registrations(app, 3, focus="upskilling", band="25-45", status=registration_status, started=True,
                      outcome="completed", review_reason="Reden." if registration_status != "approved" else "")
    client = client_for(ministry)
    for table_status in ("registered", "approved", "started", "completed"):
        expected = 3 if table_status in COUNTED_IN[registration_status] else 0
        got = totals(client, status=table_status)
        assert got["total"] == expected, (registration_status, table_status)
        assert got["counts"] == ([0, expected, 0, 0])


def test_R34_default_status_is_registered(client_for, ministry, dataset):
    client = client_for(ministry)
    default = client.get(URL).json()
    assert default["status"] == "registered"
    assert default["totals"] == totals(client, status="registered")
    assert client.get(URL, {"status": ""}).json()["status"] == "registered"


def test_R34_registered_counts_submitted_repair_requested_and_approved_not_drafts_or_rejected(
    client_for, ministry, dataset
):
    # dataset: 1 submitted + 2 repair_requested + 12 approved; 8 drafts and 4 rejected are left out.
    assert Registration.objects.count() == 27
    assert totals(client_for(ministry))["total"] == 15


def test_R34_approved_counts_only_approved_registrations(client_for, ministry, dataset):
    data = client_for(ministry).get(URL, {"status": "approved"}).json()
    assert data["status"] == "approved"
    assert {r["focus"]: (r["counts"], r["total"]) for r in data["rows"]} == {
        "redundancy_risk": ([0, 1, 0, 0], 1),
        "upskilling": ([0, 7, 1, 1], 9),
        "practice_supervisor": ([0, 0, 0, 2], 2),
    }
    assert data["totals"] == {"counts": [0, 8, 1, 3], "percentages": [0, 67, 8, 25], "total": 12}


def test_R34_started_counts_only_approved_registrations_reported_started(client_for, ministry, dataset):
    client = client_for(ministry)
    before = totals(client, status="started")
    assert before == {"counts": [0, 0, 0, 3], "percentages": [0, 0, 0, 100], "total": 3}
    # A started flag on a registration that is not (or no longer) approved does not make it a started trajectory.
    app = application(EmployerFactory(region=dataset["regions"][0]), dataset["periods"][0], "granted")
    add_registrations(app, 2, focus="retention", band="<25", status="repair_requested", started=True,
                      review_reason="Diploma ontbreekt.")
    add_registrations(app, 1, focus="retention", band="<25", status="submitted", started=True, outcome="completed")
    assert totals(client, status="started") == before
    assert totals(client, status="completed")["total"] == 2
    assert totals(client, status="registered")["total"] == 18


def test_R34_completed_needs_approved_started_and_outcome_completed(client_for, ministry, dataset):
    client = client_for(ministry)
    app = application(EmployerFactory(region=dataset["regions"][1]), dataset["periods"][1], "granted")
    add_registrations(app, 1, focus="retention", band="<25", started=True, outcome="ongoing")
    add_registrations(app, 1, focus="retention", band="<25", started=True, outcome="dropped_out")
    add_registrations(app, 1, focus="retention", band="<25", started=False)
    add_registrations(app, 1, focus="retention", band="<25", started=True, outcome="completed")
    data = client.get(URL, {"status": "completed"}).json()
    assert {r["focus"]: r["counts"] for r in data["rows"]} == {
        "retention": [1, 0, 0, 0], "upskilling": [0, 0, 0, 1], "practice_supervisor": [0, 0, 0, 1]
    }
    assert totals(client, status="started")["total"] == 6
    assert totals(client, status="approved")["total"] == 16


# --- every status under every filter, against an independent count ---------------------------------------------


@pytest.fixture
def mixed(db):
    """About 900 registrations over three regions, two earmarks and two periods, in every status and progress."""
    rng = random.Random(34)
    periods = [PeriodFactory(number=1), PeriodFactory(number=2)]
    regions = [RegionFactory(code=c, name=c.title()) for c in ("drenthe", "limburg", "utrecht")]
    statuses = ["draft", "submitted", "repair_requested", "approved", "approved", "approved", "rejected"]
    focuses = ["new_intake", "redundancy_risk", "upskilling", "practice_supervisor", "retention"]
    for k in range(12):
        region, earmark = regions[k % 3], ["nursing_home", "other"][k % 2]
        for period in periods:
            app = application(EmployerFactory(region=region, earmark=earmark), period, "granted")
            # One completed trajectory per application, so every filter combination has something to count.
            add_registrations(app, 1, focus=rng.choice(focuses), band=rng.choice(BANDS), started=True,
                              outcome="completed")
            for _ in range(rng.randint(2, 10)):
                status = rng.choice(statuses)
                started = rng.choice([None, False, True]) if status == "approved" else None
                outcome = rng.choice(["", "completed", "dropped_out", "ongoing"]) if started else ""
                add_registrations(app, rng.randint(1, 8), focus=rng.choice(focuses), band=rng.choice(BANDS),
                                  status=status, started=started, outcome=outcome,
                                  review_reason="Reden." if status in ("rejected", "repair_requested") else "")
    return {"regions": regions}


def expected_counts(table_status, periods=(), region=None, earmark=None, by_region=False):
    """Counter of (region code or None, focus, age band) computed row by row in Python."""
    counted = Counter()
    for r in Registration.objects.select_related("application__period", "application__region",
                                                  "application__employer"):
        app = r.application
        if periods and app.period.number not in periods:
            continue
        if region and app.region.code != region:
            continue
        if earmark and app.employer.earmark != earmark:
            continue
        approved = r.status == "approved"
        if {
            "registered": r.status in ("submitted", "repair_requested", "approved"),
            "approved": approved,
            "started": approved and r.started is True,
            "completed": approved and r.started is True and r.outcome == "completed",
        }[table_status]:
            counted[(app.region.code if by_region else None, r.focus, r.age_band)] += 1
    return counted


FILTERS = [
    {},
    {"period": [1]},
    {"period": [2, 1]},
    {"region": "limburg"},
    {"earmark": "nursing_home"},
    {"period": [2], "region": "utrecht", "earmark": "other"},
]


@pytest.mark.parametrize("table_status", ["registered", "approved", "started", "completed"])
def test_R34_every_status_under_every_filter_matches_an_independent_count(client_for, ministry, mixed, table_status):
    client = client_for(ministry)
    for filters in FILTERS:
        data = client.get(URL, {**filters, "status": table_status}).json()
        truth = expected_counts(table_status, tuple(filters.get("period", ())), filters.get("region"),
                                filters.get("earmark"))
        assert sum(truth.values()) > 0, filters  # the fixture leaves something to count under every combination
        assert data["status"] == table_status
        assert data["periods"] == sorted(filters.get("period", [1, 2]))
        got = Counter({(None, row["focus"], band): n for row in data["rows"]
                       for band, n in zip(data["ageBands"], row["counts"], strict=True) if n})
        if filters.get("region") is None:
            assert got == truth, filters
            for row in data["rows"]:
                assert row["total"] == sum(row["counts"])
            assert data["totals"]["total"] == sum(truth.values())
        else:  # narrowed to one region: published cells are true, small ones may be hidden (R36)
            for key, n in got.items():
                assert truth[key] == n, (filters, key)
            assert data["totals"]["total"] in (None, sum(truth.values()))


@pytest.mark.parametrize("table_status", ["registered", "approved", "started", "completed"])
def test_R36_region_breakdown_of_every_status_publishes_true_counts_and_hides_small_ones(
    client_for, ministry, mixed, table_status
):
    client = client_for(ministry)
    for filters in ({}, {"period": [1]}, {"earmark": "other"}):
        data = client.get(URL, {**filters, "status": table_status, "groupBy": "region"}).json()
        truth = expected_counts(table_status, tuple(filters.get("period", ())), earmark=filters.get("earmark"),
                                by_region=True)
        assert [t["code"] for t in data["regions"]] == sorted({code for code, _f, _b in truth})
        for table in data["regions"]:
            for row in table["rows"]:
                true_counts = [truth[(table["code"], row["focus"], band)] for band in BANDS]
                for published, true in zip(row["counts"], true_counts, strict=True):
                    assert published is None or published == true
                    if 0 < true < 5:
                        assert published is None and row["suppressed"] is True
                if row["total"] is not None:
                    assert row["total"] == sum(true_counts)
                elif sum(true_counts):
                    assert row["suppressed"] is True
            region_total = sum(n for (code, _f, _b), n in truth.items() if code == table["code"])
            assert table["totals"]["total"] in (None, region_total)


def test_R34_region_filter_and_group_by_agree_on_unsuppressed_cells(client_for, ministry, mixed):
    client = client_for(ministry)
    national = client.get(URL, {"region": "drenthe", "status": "approved"}).json()
    breakdown = client.get(URL, {"groupBy": "region", "status": "approved"}).json()
    drenthe = next(t for t in breakdown["regions"] if t["code"] == "drenthe")
    by_focus = {r["focus"]: r["counts"] for r in national["rows"]}
    for row in drenthe["rows"]:
        for published, full in zip(row["counts"], by_focus[row["focus"]], strict=True):
            assert published is None or full is None or published == full
