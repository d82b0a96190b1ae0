"""Benchmark of the ministry's tables (issue #7, R34-R37).

Generates 4,000 employers and 250,000 registrations over four periods with PostgreSQL COPY, then times
the national registrations table, the region breakdown (with suppression) and the budget table through
the API (DRF's APIClient, in-process, as the ministry) against the same GROUP BY run directly on
PostgreSQL, and prints both and the ratio.

    DJANGO_SETTINGS_MODULE=sectorplan.settings.test DATABASE_URL=postgres://.../spp_bench python bench/statistics.py

It empties the employers, applications, registrations and ledger tables of the database it is given:
point it at a database of its own.
"""

import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sectorplan.settings.test")

EMPLOYERS = 4_000
REGISTRATIONS = 250_000
REPEAT = 7


def ensure_database():
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432, "user": db.get("USER")}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def generate():
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection

    from budgets.models import Period, Region

    call_command("migrate", verbosity=0)
    call_command("seed_reference", verbosity=0)
    rng = random.Random(7)
    regions = list(Region.objects.values_list("pk", flat=True))
    periods = list(Period.objects.order_by("number").values_list("pk", "number", "training_start_from"))[:4]
    actor, _ = User.objects.get_or_create(username="bench-actor", defaults={"is_staff": True})
    ministry, _ = User.objects.get_or_create(username="bench-ministry")
    ministry.groups.add(Group.objects.get(name="ministry"))
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE applications_registration, applications_decision, applications_application, "
            "applications_employer, budgets_ledgerentry RESTART IDENTITY CASCADE"
        )
        raw = cur.cursor  # the psycopg 3 cursor
        with raw.copy(
            "COPY applications_employer (name, kvk_number, region_id, earmark, iban, account_holder, contact_name, "
            "contact_email, address, postal_code, city, created_at) FROM STDIN"
        ) as copy:
            for n in range(EMPLOYERS):
                copy.write_row((f"Instelling {n}", f"{50000000 + n:08d}", rng.choice(regions),
                                rng.choice(["nursing_home", "other"]), "NL91ABNA0417164300", f"Instelling {n}",
                                "C. Contact", f"info{n}@example.org", "", "", "", now))
        cur.execute("SELECT id, region_id FROM applications_employer ORDER BY id")
        employers = cur.fetchall()
        # Every employer applies in every period: 16,000 applications, mostly submitted or granted.
        apps = []
        with raw.copy(
            "COPY applications_application (employer_id, region_id, period_id, number, reference, status, "
            "requested_amount, eligible_amount, created_at, submitted_at) FROM STDIN"
        ) as copy:
            for period_pk, number, _start in periods:
                for k, (emp_pk, region_pk) in enumerate(employers, start=1):
                    status = rng.choices(["submitted", "granted", "withdrawn", "draft"], [30, 60, 5, 5])[0]
                    eligible = "10000.00" if status == "granted" else None
                    submitted = None if status in ("draft", "withdrawn") else now
                    copy.write_row((emp_pk, region_pk, period_pk, k, f"SPP-T{number}-{k:06d}", status, "10000.00",
                                    eligible, now, submitted))
        cur.execute("SELECT a.id, p.training_start_from, a.status, a.period_id, e.earmark, p.pooled "
                    "FROM applications_application a JOIN budgets_period p ON p.id = a.period_id "
                    "JOIN applications_employer e ON e.id = a.employer_id")
        apps = cur.fetchall()
        focuses = ["new_intake", "redundancy_risk", "upskilling", "practice_supervisor", "retention"]
        bands = ["<25", "25-45", "45-55", "55+"]
        with raw.copy(
            "COPY applications_registration (application_id, initials, surname, date_of_birth, focus, activity_type, "
            "start_date, end_date, contract_hours, employed_since, age_band, requested_amount, eligibility_reason, "
            "started, outcome, created_at) FROM STDIN"
        ) as copy:
            for n in range(REGISTRATIONS):
                app_pk, start, _status, _period, _earmark, _pooled = apps[n % len(apps)]
                started = rng.random() < 0.8
                outcome = rng.choice(["completed", "dropped_out", "ongoing"]) if started else ""
                copy.write_row((app_pk, "A.", f"P{n}", date(1980, 1, 1), rng.choices(focuses, [30, 10, 40, 15, 5])[0],
                                "A", start, start + timedelta(days=300), "32.0", date(2015, 1, 1),
                                rng.choices(bands, [20, 50, 20, 10])[0], "5000.00", "", started, outcome, now))
        with raw.copy(
            "COPY budgets_ledgerentry (period_id, earmark, application_id, kind, amount, actor_id, at, memo) FROM STDIN"
        ) as copy:
            for app_pk, _start, status, period_pk, earmark, pooled in apps:
                if status == "granted":
                    line = "pooled" if pooled else earmark
                    copy.write_row((period_pk, line, app_pk, "commitment", "7500.00", actor.pk, now, ""))
                    copy.write_row((period_pk, line, app_pk, "hold", "2500.00", actor.pk, now, ""))
                    copy.write_row((period_pk, line, app_pk, "advance", "5625.00", actor.pk, now, ""))
        cur.execute("ANALYZE")
    print(f"generated {EMPLOYERS} employers, {len(apps)} applications, {REGISTRATIONS} registrations "
          f"in {time.perf_counter() - t0:.1f} s")
    return ministry


def timed(fn) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    samples.sort()
    return samples[len(samples) // 2] * 1000  # median (this file shadows the stdlib statistics module)


REGISTERED = "('submitted', 'assessed', 'granted', 'rejected', 'settled')"
RAW = {
    "national table": [
        "SELECT p.focus, p.age_band, COUNT(p.id) FROM applications_registration p "
        "JOIN applications_application a ON a.id = p.application_id "
        f"WHERE a.status IN {REGISTERED} GROUP BY 1, 2",
    ],
    "region breakdown": [
        "SELECT a.region_id, p.focus, p.age_band, COUNT(p.id) FROM applications_registration p "
        "JOIN applications_application a ON a.id = p.application_id "
        f"WHERE a.status IN {REGISTERED} GROUP BY 1, 2, 3",
        "SELECT id, code, name FROM budgets_region ORDER BY name",
    ],
    "budget table": [
        "SELECT b.id, b.earmark, b.ceiling, p.number FROM budgets_budgetline b JOIN budgets_period p ON p.id = b.period_id",
        "SELECT a.period_id, CASE WHEN p.pooled THEN 'pooled' ELSE e.earmark END, SUM(a.requested_amount), "
        "SUM(a.eligible_amount) FROM applications_application a JOIN budgets_period p ON p.id = a.period_id "
        "JOIN applications_employer e ON e.id = a.employer_id WHERE a.status NOT IN ('draft', 'withdrawn') GROUP BY 1, 2",
        "SELECT period_id, earmark, kind, SUM(amount) FROM budgets_ledgerentry GROUP BY 1, 2, 3",
    ],
}
API = {
    "national table": "/api/v2/statistics/trajectories",
    "region breakdown": "/api/v2/statistics/trajectories?groupBy=region",
    "budget table": "/api/v2/statistics/budgets",
}


def main():
    import django

    django.setup()
    ensure_database()
    from django.db import connection
    from rest_framework.test import APIClient

    ministry = generate()
    client = APIClient()
    client.force_authenticate(ministry)

    def run_raw(queries):
        with connection.cursor() as cur:
            for q in queries:
                cur.execute(q)
                cur.fetchall()

    print(f"{'table':<18} {'API ms':>9} {'raw SQL ms':>11} {'ratio':>7}   (median of {REPEAT}; noisy shared machine)")
    for name, url in API.items():
        def call(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.content[:200]
        api_ms = timed(call)
        raw_ms = timed(lambda name=name: run_raw(RAW[name]))
        print(f"{name:<18} {api_ms:9.1f} {raw_ms:11.1f} {api_ms / raw_ms:7.2f}")


if __name__ == "__main__":
    main()
