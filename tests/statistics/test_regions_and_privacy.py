"""R36 through the API, and R34/R40: nothing personal ever leaves through the statistics API."""

import pytest

from tests.applications.factories import EmployerFactory
from tests.budgets.factories import PeriodFactory, RegionFactory
from tests.statistics.conftest import add_registrations, application
from tests.statistics.test_suppression import _determined_cells

URL = "/api/v2/statistics/trajectories"
pytestmark = pytest.mark.django_db


@pytest.fixture
def regional(db):
    period = PeriodFactory(number=4)
    cells = {
        ("rijnmond", "Rijnmond"): {"new_intake": [10, 3, 10, 10], "upskilling": [10, 10, 10, 10]},
        ("twente", "Twente"): {"new_intake": [10, 10, 10, 10], "upskilling": [11, 11, 11, 11]},
        ("zeeland", "Zeeland"): {"new_intake": [20, 20, 20, 20], "upskilling": [20, 20, 20, 20]},
    }
    bands = ["<25", "25-45", "45-55", "55+"]
    for (code, name), grid in cells.items():
        app = application(EmployerFactory(region=RegionFactory(code=code, name=name)), period, "granted")
        for focus, counts in grid.items():
            for band, n in zip(bands, counts, strict=True):
                add_registrations(app, n, focus=focus, band=band)
    return cells


def test_region_breakdown_suppresses_small_cells_and_flags_the_row_R36(client_for, ministry, regional):
    data = client_for(ministry).get(URL, {"groupBy": "region"}).json()
    assert [r["code"] for r in data["regions"]] == ["rijnmond", "twente", "zeeland"]
    rijnmond = data["regions"][0]
    assert rijnmond["name"] == "Rijnmond"
    row = rijnmond["rows"][0]
    assert row["focus"] == "new_intake" and row["suppressed"] is True
    assert row["counts"][1] is None and row["percentages"][1] is None
    assert sum(v is None for v in row["counts"] + [row["total"]]) >= 2  # secondary suppression in the row
    # Unsuppressed counts are the true counts.
    for table in data["regions"]:
        truth = regional[(table["code"], table["name"])]
        for r in table["rows"]:
            assert all(c is None or c == t for c, t in zip(r["counts"], truth[r["focus"]], strict=True))
            if not r["suppressed"]:
                assert r["counts"] == truth[r["focus"]]
    # Across regions: the hidden position of Rijnmond is hidden in a second region too.
    hidden_25_45 = [t["code"] for t in data["regions"] if t["rows"][0]["counts"][1] is None]
    assert len(hidden_25_45) >= 2
    # Zeeland, with only large counts and other regions to pair with, is published in full.
    zeeland = data["regions"][2]
    assert not any(r["suppressed"] for r in zeeland["rows"]) and zeeland["totals"]["total"] == 160


def test_suppressed_values_cannot_be_recovered_from_the_totals_R36(client_for, ministry, regional):
    data = client_for(ministry).get(URL, {"groupBy": "region"}).json()
    for table in data["regions"]:
        published = [[*r["counts"], r["total"]] for r in table["rows"]] + [[*table["totals"]["counts"],
                                                                            table["totals"]["total"]]]
        hidden = {(i, j) for i, row in enumerate(published) for j, v in enumerate(row) if v is None}
        truth = regional[(table["code"], table["name"])]
        values = [[*c, sum(c)] for c in truth.values()]
        values.append([sum(col) for col in zip(*values, strict=True)])
        assert _determined_cells(values, hidden) == set()


def test_region_filter_with_group_by_gives_one_region_R36(client_for, ministry, regional):
    data = client_for(ministry).get(URL, {"groupBy": "region", "region": "zeeland"}).json()
    assert [r["code"] for r in data["regions"]] == ["zeeland"]


PERSONAL = ["Xylofoonbouwer", "Qz.W.", "1961-02-03", "03-02-1961", "3 februari 1961", "Zwaluwstaart"]


def test_no_personal_data_in_any_statistics_response_R34_R40(client_for, ministry, staff_user, dataset):
    from datetime import date

    period = dataset["periods"][0]
    app = application(EmployerFactory(region=dataset["regions"][0], name="Zwaluwstaart Zorg"), period, "granted")
    add_registrations(app, 1, focus="upskilling", band="55+", surname="Xylofoonbouwer", initials="Qz.W.",
                     date_of_birth=date(1961, 2, 3), started=True, outcome="completed")
    urls = [
        URL, f"{URL}?groupBy=region", f"{URL}?status=started", f"{URL}?status=completed&groupBy=region",
        f"{URL}?region={dataset['regions'][0].code}", "/api/v2/statistics/budgets", "/api/v2/statistics/holdbacks",
    ]
    checked = 0
    for user in (ministry, staff_user):
        client = client_for(user)
        for url in urls:
            for fmt in ("json", "csv"):
                sep = "&" if "?" in url else "?"
                response = client.get(f"{url}{sep}format={fmt}")
                assert response.status_code == 200, (url, response.content[:300])
                body = response.content.decode()
                for needle in PERSONAL:
                    assert needle not in body, (url, fmt, needle)
                checked += 1
    assert checked == 28
