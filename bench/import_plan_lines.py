"""Benchmark: import plan lines through the API as Dutch Excel writes them (R8, R12, R13).

Run with the test settings and your database URL:

    DJANGO_SETTINGS_MODULE=sectorplan.settings.test DATABASE_URL=postgres://... .venv/bin/python bench/import_plan_lines.py

A plan holds at most one line per activity type x focus (R8): 5 x 5 = 25 lines. So it measures

1. a realistic plan: a 25-line file (semicolons, BOM, ``1.234,56``) POSTed to
   ``/api/v2/applications/{id}/plan-lines/import/`` of a fresh draft, median of ``BENCH_REPEAT`` (default 20);
2. 10,000 rows the way they really arrive: 400 plans of 25 lines, one import each, total and rows per second;
3. one 10,000-row file into one plan: every row after the first 25 repeats a line, so the import is refused
   (400) after parsing and validating all rows and listing every bad one: the worst case for a single file.

It creates a throw-away test database (``test_<name>_bench``) and drops it at the end.
"""

import os
import sys
import time
from pathlib import Path

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
ACTIVITIES = "ABCDE"
FOCUSES = ["new_intake", "redundancy_risk", "upskilling", "practice_supervisor", "retention"]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sectorplan.settings.test")


def make_csv(rows: int) -> bytes:
    """``rows`` plan lines cycling through the 25 cells, as Dutch Excel saves CSV (BOM, semicolons, 1.234,56)."""
    out = ["activity_type;focus;count;planned_cost"]
    for i in range(rows):
        activity, focus = ACTIVITIES[i % 5], FOCUSES[(i // 5) % 5]
        cost = "" if activity in "AB" else (f"1.{(i % 7) * 111:03d},50" if i % 2 else "450,25")
        out.append(f"{activity};{focus};{1 + i % 40};{cost}")
    return ("\ufeff" + "\r\n".join(out) + "\r\n").encode("utf-8")


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DATABASES["default"].setdefault("TEST", {})
    settings.DATABASES["default"]["TEST"]["NAME"] = f"test_{settings.DATABASES['default']['NAME']}_bench"
    print(f"Creating the benchmark database {settings.DATABASES['default']['TEST']['NAME']} ...", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def run() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from applications.constants import MembershipRole
    from applications.models import PlanLine
    from tests.applications.factories import ApplicationFactory, EmployerFactory, MembershipFactory, UserFactory
    from tests.budgets.factories import PeriodFactory

    period = PeriodFactory(number=91, with_retention=True)
    user = UserFactory(username="bench-contact")
    client = APIClient()
    client.force_authenticate(user=user)

    def post(application, data: bytes):
        upload = SimpleUploadedFile("plan.csv", data, content_type="text/csv")
        started = time.perf_counter()
        response = client.post(f"/api/v2/applications/{application.pk}/plan-lines/import", {"file": upload},
                               format="multipart")
        return response, time.perf_counter() - started

    plan = make_csv(25)
    numbers = iter(range(1, 10**6))

    def fresh():
        """A new draft of a new employer (R5: one application per employer, region and period)."""
        employer = EmployerFactory()
        MembershipFactory(user=user, employer=employer, role=MembershipRole.CONTACT)
        return ApplicationFactory(employer=employer, period=period, number=next(numbers))

    times = []
    for _ in range(REPEAT):
        application = fresh()
        response, elapsed = post(application, plan)
        if response.status_code != 201:
            print(response.status_code, str(response.content[:2000]))
            raise SystemExit(1)
        assert application.plan_lines.count() == 25
        times.append(elapsed)
    print(f"25-line plan (parse, validate R8/R9/R12, insert, totals), median of {REPEAT}: "
          f"{sorted(times)[len(times) // 2] * 1000:.1f} ms (best {min(times) * 1000:.1f} ms)")

    plans = ROWS // 25
    total = 0.0
    for _ in range(plans):
        response, elapsed = post(fresh(), plan)  # only the request is timed, not making the draft
        assert response.status_code == 201
        total += elapsed
    assert PlanLine.objects.count() == 25 * (plans + REPEAT)
    print(f"{plans * 25:,} rows as {plans} plans of 25 lines: {total:.2f} s = {plans * 25 / total:,.0f} rows/s")

    big = make_csv(ROWS)
    best = None
    for _ in range(3):
        application = fresh()
        response, elapsed = post(application, big)
        assert response.status_code == 400 and not application.plan_lines.exists()
        errors = len(response.json()["errors"])
        best = elapsed if best is None else min(best, elapsed)
    print(f"One {ROWS:,}-row file into one plan: refused in {best:.3f} s, best of 3 "
          f"({ROWS / best:,.0f} rows/s parsed and validated, {errors:,} errors listed)")


if __name__ == "__main__":
    main()
