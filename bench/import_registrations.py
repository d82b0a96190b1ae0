"""Benchmark: import 10,000 registration rows through the API, next to a plain PostgreSQL COPY (R13).

Run with the test settings and your database URL:

    DJANGO_SETTINGS_MODULE=sectorplan.settings.test DATABASE_URL=postgres://... .venv/bin/python bench/import_registrations.py

It creates a throw-away test database (``test_<name>_bench``), a fresh period, employer, contact and
granted application (v2: registrations are registered once the plan is granted), generates a 10,000-row CSV, POSTs it to
``/api/v2/applications/{id}/registrations/import`` and prints rows per second. Then it COPYs the same
rows into a temporary table and prints that time and the ratio. The database is dropped at the end.
"""

import io
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sectorplan.settings.test")


def make_csv(rows: int) -> str:
    from applications.rules import REGISTRATION_FIELDS

    focuses = ["new_intake", "redundancy_risk", "upskilling", "practice_supervisor"]
    out = io.StringIO()
    out.write(",".join(REGISTRATION_FIELDS) + "\n")
    base_dob = date(1960, 1, 1)
    for i in range(rows):
        activity = "ABCDE"[i % 5]
        focus = focuses[i % 4]
        start = date(2026, 1, 1) + timedelta(days=i % 365)
        dob = base_dob + timedelta(days=(i * 7) % 14000)
        employed = start - timedelta(days=100) if focus == "new_intake" else date(2010, 1, 1)
        cost = "" if activity in "AB" else f"{(i % 3000) + 0.5:.2f}"
        hours = "32" if i % 3 else "20.5"
        out.write(
            f"X.{i % 26},Achternaam{i},{dob:%Y-%m-%d},{focus},{activity},{start:%Y-%m-%d},"
            f"{start + timedelta(days=200):%Y-%m-%d},{hours},{employed:%Y-%m-%d},{cost}\n"
        )
    return out.getvalue()


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
    from django.db import connection
    from rest_framework.test import APIClient

    from applications.constants import ApplicationStatus, MembershipRole
    from applications.models import Registration
    from tests.applications.factories import ApplicationFactory, EmployerFactory, MembershipFactory, UserFactory
    from tests.budgets.factories import PeriodFactory

    data = make_csv(ROWS).encode("utf-8")
    print(f"CSV: {ROWS:,} rows, {len(data) / 1024:.0f} KiB")
    period = PeriodFactory(number=90)
    user = UserFactory(username="bench-contact")
    client = APIClient()
    client.force_authenticate(user=user)

    api_times = []
    for attempt in range(REPEAT):
        employer = EmployerFactory()
        MembershipFactory(user=user, employer=employer, role=MembershipRole.CONTACT)
        application = ApplicationFactory(employer=employer, period=period, status=ApplicationStatus.GRANTED,
                                         submitted_at=period.application_opens, eligible_amount=0)
        upload = SimpleUploadedFile("bench.csv", data, content_type="text/csv")
        started = time.perf_counter()
        response = client.post(
            f"/api/v2/applications/{application.pk}/registrations/import", {"file": upload}, format="multipart"
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 201:
            print(response.status_code, str(response.content[:2000]))
            raise SystemExit(1)
        assert Registration.objects.filter(application=application).count() == ROWS
        api_times.append(elapsed)
        print(f"  API import run {attempt + 1}: {elapsed:.3f} s ({ROWS / elapsed:,.0f} rows/s)")

    copy_times = []
    columns = (
        "initials varchar(20), surname varchar(100), date_of_birth date, focus varchar(30), activity_type varchar(1),"
        " start_date date, end_date date, contract_hours numeric(4,1), employed_since date, planned_cost numeric(14,2)"
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor
        for attempt in range(REPEAT):
            cursor.execute(f"CREATE TEMP TABLE bench_copy ({columns})")
            started = time.perf_counter()
            with raw.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                copy.write(data)
            elapsed = time.perf_counter() - started
            cursor.execute("SELECT count(*) FROM bench_copy")
            assert cursor.fetchone()[0] == ROWS
            cursor.execute("DROP TABLE bench_copy")
            copy_times.append(elapsed)
            print(f"  COPY run {attempt + 1}: {elapsed * 1000:.1f} ms")

    api, copy = min(api_times), min(copy_times)
    print()
    print(f"API import (parse, validate R8-R13, bulk insert), best of {REPEAT}: "
          f"{api:.3f} s = {ROWS / api:,.0f} rows/s")
    print(f"PostgreSQL COPY into a temp table, best of {REPEAT}: {copy * 1000:.1f} ms = {ROWS / copy:,.0f} rows/s")
    print(f"Ratio API / COPY: {api / copy:.1f}x")


if __name__ == "__main__":
    main()
