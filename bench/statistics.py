"""Benchmark of the ministry's tables (R34-R37) on 500,000 registrations.

Loads 4,000 employers, their applications in four periods with plan lines and ledger entries, and registrations
on the granted ones in every lifecycle status (R49) with PostgreSQL COPY, in two steps: first 5,000 registrations,
then up to 500,000. After each step it counts the queries of every table through the API; after the second it
times each table through the API (DRF's APIClient, in-process, as the ministry: routing, permissions, the
selector, rendering) against the same ``GROUP BY`` written by hand and run directly on PostgreSQL, and prints
both, their ratio (goal: at most 1.5) and whether the query count stayed the same.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sp_bench python bench/statistics.py [REGISTRATIONS]

It creates the database when missing, migrates it, loads the reference data and empties the employers,
applications, registrations, plan lines and ledger tables of the database it is given: point it at a database
of its own. The COPY column lists are taken from the models (every concrete field; the ones not set here get
the model's default), so a new column with a default does not break it.
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
REGISTRATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
FIRST_STEP = 5_000
REPEAT = 9
GOAL = 1.5

FOCUSES = ["new_intake", "redundancy_risk", "upskilling", "practice_supervisor", "retention"]
BANDS = ["<25", "25-45", "45-55", "55+"]


def ensure_database():
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432, "user": db.get("USER")}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def copy_rows(cursor, model, rows, now):
    """COPY ``rows`` (dicts of field attnames) into ``model``'s table; fields left out get the model's default."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        elif f.null:
            defaults[f.attname] = None
        elif f.get_internal_type() in ("CharField", "TextField"):
            defaults[f.attname] = ""
    columns = ", ".join(f'"{f.column}"' for f in fields)
    n = 0
    with cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[f.attname] if f.attname in row else defaults[f.attname] for f in fields])
            n += 1
    return n


def load_base(rng, now):
    """Employers, applications, plan lines and ledger entries. Returns the granted applications' keys."""
    from django.core.management import call_command
    from django.db import connection

    from applications.models import Application, Employer, PlanLine
    from budgets.models import LedgerEntry, Period, Region

    call_command("migrate", verbosity=0)
    call_command("seed_reference", verbosity=0)
    regions = list(Region.objects.values_list("pk", flat=True))
    periods = list(Period.objects.order_by("number").values_list("pk", "number", "training_start_from", "pooled"))[:4]
    actor = bench_user("bench-actor", staff=True)
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE applications_registration, applications_planline, applications_decision, "
            "applications_application, applications_employer, budgets_ledgerentry RESTART IDENTITY CASCADE"
        )
        raw = cur.cursor  # the psycopg 3 cursor
        copy_rows(raw, Employer, (
            {"name": f"Instelling {n}", "kvk_number": f"{50000000 + n:08d}", "region_id": rng.choice(regions),
             "earmark": rng.choice(["nursing_home", "other"]), "iban": "NL91ABNA0417164300",
             "account_holder": f"Instelling {n}", "contact_name": "C. Contact", "contact_email": f"info{n}@example.org"}
            for n in range(EMPLOYERS)
        ), now)
        cur.execute("SELECT id, region_id, earmark FROM applications_employer ORDER BY id")
        employers = cur.fetchall()
        apps = []
        for period_pk, number, start, pooled in periods:
            for k, (emp_pk, region_pk, earmark) in enumerate(employers, start=1):
                status = rng.choices(["submitted", "granted", "settled", "withdrawn", "draft", "lapsed"],
                                     [20, 55, 10, 5, 5, 5])[0]
                apps.append({"employer_id": emp_pk, "region_id": region_pk, "period_id": period_pk, "number": k,
                             "reference": f"SPP-T{number}-{k:06d}", "status": status, "requested_amount": "10000.00",
                             "eligible_amount": None if status in ("submitted", "withdrawn", "draft") else "10000.00",
                             "submitted_at": None if status in ("draft", "withdrawn") else now,
                             "_start": start, "_line": "pooled" if pooled else earmark})
        copy_rows(raw, Application, apps, now)
        cur.execute("SELECT id FROM applications_application ORDER BY id")
        for app, (pk,) in zip(apps, cur.fetchall(), strict=True):
            app["id"] = pk
        copy_rows(raw, PlanLine, (
            {"application_id": app["id"], "activity_type": activity, "focus": focus, "count": rng.randint(1, 40),
             "amount_per_trajectory": "5000.00", "requested_amount": "5000.00"}
            for app in apps
            for activity, focus in rng.sample([(a, f) for a in "ABCDE" for f in FOCUSES], 2)
        ), now)
        granted = [a for a in apps if a["status"] in ("granted", "settled")]
        copy_rows(raw, LedgerEntry, (
            {"period_id": a["period_id"], "earmark": a["_line"], "application_id": a["id"], "kind": kind,
             "amount": amount, "actor_id": actor.pk, "at": now}
            for a in granted
            for kind, amount in (("commitment", "7500.00"), ("hold", "2500.00"), ("advance", "5625.00"))
        ), now)
    return [(a["id"], a["_start"]) for a in granted], len(apps)


def load_registrations(rng, granted, first, count, now):
    """``count`` registrations (numbered from ``first``) over the granted applications, in every status."""
    from django.db import connection

    from applications.models import Registration

    def rows():
        for n in range(first, first + count):
            app_pk, start = granted[n % len(granted)]
            status = rng.choices(["draft", "submitted", "repair_requested", "approved", "rejected"],
                                 [5, 15, 5, 70, 5])[0]
            started = (rng.random() < 0.8) if status == "approved" else None
            outcome = rng.choice(["completed", "dropped_out", "ongoing"]) if started else ""
            yield {"application_id": app_pk, "status": status, "initials": "A.", "surname": f"P{n}",
                   "date_of_birth": date(1980, 1, 1), "focus": rng.choices(FOCUSES, [30, 10, 40, 15, 5])[0],
                   "activity_type": "A", "start_date": start, "end_date": start + timedelta(days=300),
                   "contract_hours": "32.0", "employed_since": date(2015, 1, 1),
                   "age_band": rng.choices(BANDS, [20, 50, 20, 10])[0], "amount": "5000.00",
                   "review_reason": "Bewijs ontbreekt." if status in ("rejected", "repair_requested") else "",
                   "started": started, "outcome": outcome}

    with connection.cursor() as cur:
        n = copy_rows(cur.cursor, Registration, rows(), now)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return n


def bench_user(username, *, staff=False, group=None):
    from django.contrib.auth.models import Group, User

    user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": staff})
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def timed(fn) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    samples.sort()
    return samples[len(samples) // 2] * 1000  # median (this file shadows the stdlib statistics module)


REGISTERED = "('submitted', 'repair_requested', 'approved')"
JOIN_APP = "JOIN applications_application a ON a.id = r.application_id "


def cases(region_code: str) -> list[tuple[str, str, list[str]]]:
    """(name, API path, the hand-written SQL of the same aggregate)."""
    return [
        ("national, registered", "/statistics/trajectories", [
            f"SELECT r.focus, r.age_band, COUNT(r.id) FROM applications_registration r WHERE r.status IN {REGISTERED} "
            "GROUP BY 1, 2",
        ]),
        ("approved, periods 3+4", "/statistics/trajectories?status=approved&period=3&period=4", [
            "SELECT r.focus, r.age_band, COUNT(r.id) FROM applications_registration r " + JOIN_APP
            + "JOIN budgets_period p ON p.id = a.period_id WHERE r.status = 'approved' AND p.number IN (3, 4) "
            "GROUP BY 1, 2",
        ]),
        ("completed, earmark", "/statistics/trajectories?status=completed&earmark=other", [
            "SELECT r.focus, r.age_band, COUNT(r.id) FROM applications_registration r " + JOIN_APP
            + "JOIN applications_employer e ON e.id = a.employer_id WHERE r.status = 'approved' AND r.started "
            "AND r.outcome = 'completed' AND e.earmark = 'other' GROUP BY 1, 2",
        ]),
        ("one region", f"/statistics/trajectories?region={region_code}", [
            "SELECT r.focus, r.age_band, COUNT(r.id) FROM applications_registration r " + JOIN_APP
            + f"JOIN budgets_region g ON g.id = a.region_id WHERE r.status IN {REGISTERED} AND g.code = %s "
            "GROUP BY 1, 2",
        ]),
        ("by region (R36)", "/statistics/trajectories?groupBy=region", [
            "SELECT a.region_id, r.focus, r.age_band, COUNT(r.id) FROM applications_registration r " + JOIN_APP
            + f"WHERE r.status IN {REGISTERED} GROUP BY 1, 2, 3",
            "SELECT id, code, name FROM budgets_region ORDER BY name",
        ]),
        ("by region, started", "/statistics/trajectories?groupBy=region&status=started&format=csv", [
            "SELECT a.region_id, r.focus, r.age_band, COUNT(r.id) FROM applications_registration r " + JOIN_APP
            + "WHERE r.status = 'approved' AND r.started GROUP BY 1, 2, 3",
            "SELECT id, code, name FROM budgets_region ORDER BY name",
        ]),
        ("planned", "/statistics/planned", [
            "SELECT l.focus, l.activity_type, SUM(l.count) FROM applications_planline l "
            "JOIN applications_application a ON a.id = l.application_id "
            "WHERE a.status NOT IN ('draft', 'withdrawn') GROUP BY 1, 2",
        ]),
        ("budgets", "/statistics/budgets", [
            "SELECT b.id, b.earmark, b.ceiling, p.number FROM budgets_budgetline b "
            "JOIN budgets_period p ON p.id = b.period_id",
            "SELECT a.period_id, CASE WHEN p.pooled THEN 'pooled' ELSE e.earmark END, SUM(a.requested_amount), "
            "SUM(a.eligible_amount) FROM applications_application a JOIN budgets_period p ON p.id = a.period_id "
            "JOIN applications_employer e ON e.id = a.employer_id WHERE a.status NOT IN ('draft', 'withdrawn') "
            "GROUP BY 1, 2",
            "SELECT period_id, earmark, kind, SUM(amount) FROM budgets_ledgerentry GROUP BY 1, 2, 3",
        ]),
    ]


def main():
    import django

    django.setup()
    ensure_database()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from budgets.models import Region

    rng = random.Random(7)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    granted, n_apps = load_base(rng, now)
    ministry = bench_user("bench-ministry", group="ministry")
    client = APIClient()
    client.force_authenticate(ministry)
    region_code = Region.objects.order_by("name").values_list("code", flat=True).first()
    table = cases(region_code)

    def call(path):
        response = client.get("/api/v2" + path)
        assert response.status_code == 200, response.content[:300]
        return response

    def query_counts():
        counts = {}
        for name, path, _sql in table:
            call(path)  # the same warm state for both sizes
            with CaptureQueriesContext(connection) as queries:
                call(path)
            counts[name] = len(queries)
        return counts

    loaded = load_registrations(rng, granted, 0, min(FIRST_STEP, REGISTRATIONS), now)
    print(f"loaded {EMPLOYERS:,} employers, {n_apps:,} applications ({len(granted):,} granted), "
          f"{loaded:,} registrations in {time.perf_counter() - t0:.1f} s")
    small = query_counts()
    t1 = time.perf_counter()
    loaded += load_registrations(rng, granted, loaded, REGISTRATIONS - loaded, now)
    print(f"loaded up to {loaded:,} registrations with COPY in {time.perf_counter() - t1:.1f} s (incl. VACUUM ANALYZE)")
    large = query_counts()

    def run_raw(queries):
        with connection.cursor() as cur:
            for q in queries:
                cur.execute(q, [region_code] if "%s" in q else None)
                cur.fetchall()

    print(f"\n{'table':<24} {'API ms':>8} {'SQL ms':>8} {'ratio':>6}  {'queries':>16}"
          f"   (median of {REPEAT}; API = whole request in-process; goal ratio <= {GOAL})")
    worst = 0.0
    for name, path, sql in table:
        api_ms = timed(lambda path=path: call(path))
        raw_ms = timed(lambda sql=sql: run_raw(sql))
        ratio = api_ms / raw_ms
        worst = max(worst, ratio) if name not in ("planned", "budgets") else worst
        same = "same" if small[name] == large[name] else "GREW"
        print(f"{name:<24} {api_ms:8.1f} {raw_ms:8.1f} {ratio:6.2f}  "
              f"{small[name]:>3} at {FIRST_STEP // 1000}k, {large[name]:>3} {same}")
    print(f"\nworst trajectories-table ratio: {worst:.2f} (goal <= {GOAL})")
    if any(small[name] != large[name] for name in small):
        sys.exit("the query count grew with the data")


if __name__ == "__main__":
    main()
